import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { ScheduleOverlapPolicy } from '@temporalio/client';
import { ensureSlaReportSchedule } from '../../src/slaReport/schedule.ts';
import { previousWeek } from '../../src/slaReport/week.ts';
import { SLA_REPORT_SCHEDULE_ID, slaReportWorkflowType } from '../../workflows/definitions.ts';
import type { SlaReportOutcome } from '../../workflows/slaReport/types.ts';
import { cliEnvForHarness, runCli } from '../support/cli.ts';
import { eventually } from '../support/eventually.ts';
import { slaWeekRows } from '../support/slaWeekFixture.ts';
import { createHarness, type TestHarness } from '../support/temporal.ts';
import { webhookSink } from './planningSupport.ts';
import { expectPublished, lukasOnLeave, MANAGERS } from './slaReportSupport.ts';

const TZ = 'Europe/Berlin';
const DAYS = ['SUNDAY', 'MONDAY', 'TUESDAY', 'WEDNESDAY', 'THURSDAY', 'FRIDAY', 'SATURDAY'] as const;

// The test server has no Schedule API: the Schedule firing is proven on the dev server, with a weekly spec whose
// one moment is a few seconds away (real time cannot be skipped there).
describe('the weekly SLA report Schedule publishes the report (dev server)', () => {
  let h: TestHarness;
  let hooks: Awaited<ReturnType<typeof webhookSink>>;
  const tmp = mkdtempSync(path.join(os.tmpdir(), 'flywheel-sla-schedule-'));
  const reportsDir = path.join(tmp, 'reports');
  const tag = `sched${Date.now()}`;
  const scheduleId = `flywheel-sla-report-test-${tag}`;

  beforeAll(async () => {
    hooks = await webhookSink();
    h = await createHarness('dev', 'sla-report-schedule', { webhookUrl: hooks.url, adjust: lukasOnLeave(Date.now()) });
  });
  afterAll(async () => {
    await h?.client.schedule
      .getHandle(scheduleId)
      .delete()
      .catch(() => undefined);
    await h?.close();
    await hooks?.close();
    rmSync(tmp, { recursive: true, force: true });
  });

  it('is created from the cadence, updated in place, and its run reports the week before its scheduled time', async () => {
    const settings = { schedule: '0 8 * * 1', timezone: TZ };
    const opts = { scheduleId, runPrefix: tag, input: { reportsDir } };
    expect(await ensureSlaReportSchedule(h.client, settings, h.taskQueue, opts)).toEqual({ scheduleId, created: true });
    const handle = h.client.schedule.getHandle(scheduleId);
    const d = await handle.describe();
    expect(d.policies).toMatchObject({ overlap: ScheduleOverlapPolicy.SKIP, catchupWindow: 86_400_000 });
    expect(d.spec.timezone).toBe(TZ);
    expect(d.spec.calendars?.[0]).toMatchObject({ hour: [{ start: 8, end: 8, step: 1 }], dayOfWeek: [{ start: 'MONDAY', end: 'MONDAY', step: 1 }] });
    expect(d.action).toMatchObject({ type: 'startWorkflow', workflowType: slaReportWorkflowType, workflowId: `sla-report:${tag}`, taskQueue: h.taskQueue, args: [{ timezone: TZ, reportsDir }] });

    // The same weekly spec shape, its one moment a few seconds from now: the Schedule, not the test, starts the run.
    const fireAt = new Date(Math.ceil((Date.now() + 4_000) / 1000) * 1000);
    const week = previousWeek(fireAt, TZ);
    await h.ledger.record(slaWeekRows(week, tag));
    const at = { second: fireAt.getUTCSeconds(), minute: fireAt.getUTCMinutes(), hour: fireAt.getUTCHours(), dayOfWeek: DAYS[fireAt.getUTCDay()]! };
    expect(await ensureSlaReportSchedule(h.client, settings, h.taskQueue, { ...opts, spec: { calendars: [at], timezone: 'UTC' } })).toEqual({ scheduleId, created: false });

    const started = await eventually(
      async () => (await handle.describe()).info.recentActions.map((a) => a.action.workflow.workflowId),
      (ids) => ids.length >= 1,
      'the schedule started a run',
      30_000,
    );
    const workflowId = started[0]!;
    h.track(workflowId);
    expect(workflowId).toBe(`sla-report:${tag}-${fireAt.toISOString().replace(/\.000Z$/, 'Z')}`);
    const out: SlaReportOutcome = await h.client.workflow.getHandle(workflowId).result();
    // The anchor is the scheduled time Temporal recorded (TemporalScheduledStartTime), not the worker's clock.
    expect(out.anchor).toBe(fireAt.toISOString());
    expectPublished(out, week, reportsDir);
    expect(out).toMatchObject({ notified: MANAGERS, notifyError: null });
    const hook = await eventually(
      async () => hooks.received.find((x) => x.type === 'sla.weekly_report' && x.workflowId === workflowId),
      () => true,
      'the managers told',
    );
    expect(hook.recipients?.map((r) => r.id)).toEqual(MANAGERS);
  });
});

describe('flywheel sla-report run / schedule (dev server, real CLI)', () => {
  let h: TestHarness;
  let hooks: Awaited<ReturnType<typeof webhookSink>>;
  const tmp = mkdtempSync(path.join(os.tmpdir(), 'flywheel-sla-cli-'));
  const tag = `cli${Date.now()}`;
  let env: NodeJS.ProcessEnv;

  beforeAll(async () => {
    hooks = await webhookSink();
    h = await createHarness('dev', 'sla-report-cli', { webhookUrl: hooks.url, adjust: lukasOnLeave(Date.now()) });
    // The CLI reads the task queue and the report settings from the organisation config: a copy for this file's worker.
    env = cliEnvForHarness(h.taskQueue, tmp, inject('temporal').devAddress);
  });
  afterAll(async () => {
    await h?.client.schedule
      .getHandle(SLA_REPORT_SCHEDULE_ID)
      .delete()
      .catch(() => undefined);
    await h?.close();
    await hooks?.close();
    rmSync(tmp, { recursive: true, force: true });
  });

  it('run --week publishes that week now and prints where; a bad week is a usage error (exit 2)', async () => {
    const week = previousWeek(new Date(Date.now() - 14 * 86_400_000), TZ);
    await h.ledger.record(slaWeekRows(week, tag));
    h.track(`sla-report:${week.week}`);
    const reports = path.join(tmp, 'reports');
    const run = await runCli(['sla-report', 'run', '--week', week.monday, '--reports', reports, '--json'], env);
    expect(run.stderr).toBe('');
    expect(run.code).toBe(0);
    const out = JSON.parse(run.stdout) as SlaReportOutcome;
    expectPublished(out, week, reports);
    expect(out.notified).toEqual(MANAGERS);

    const text = await runCli(['sla-report', 'run', '--week', week.week, '--reports', reports], env);
    expect(text.code).toBe(0);
    expect(text.stdout).toContain(`SLA report ${week.week} (${week.from} to ${week.to}, ${TZ}): marketing-to-sales 3 met, 6 breached; sales-to-cs 1 met, 1 breached; 7 breaches\n`);
    expect(text.stdout).toContain(`  told: ${MANAGERS.join(', ')}\n`);

    const bad = await runCli(['sla-report', 'run', '--week', '2027-W60'], env);
    expect(bad.code).toBe(2);
    expect(bad.stderr).toBe('flywheel: week "2027-W60" is neither an ISO week (2027-W13) nor a date in it (2027-03-31)\n');
  });

  it('schedule sets up flywheel-sla-report from reports.slaWeekly and shows its next runs', async () => {
    const r = await runCli(['sla-report', 'schedule', '--json'], env);
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    const out = JSON.parse(r.stdout);
    expect(out).toMatchObject({ scheduleId: SLA_REPORT_SCHEDULE_ID, schedule: '0 8 * * 1', timezone: TZ, taskQueue: h.taskQueue });
    expect(out.nextRuns).toHaveLength(3);
    // Every next run is a Monday 08:00 in Berlin, a week apart.
    for (const t of out.nextRuns as string[]) expect(new Intl.DateTimeFormat('en-GB', { timeZone: TZ, weekday: 'long', hour: '2-digit', minute: '2-digit' }).format(new Date(t))).toBe('Monday 08:00');
    const again = await runCli(['sla-report', 'schedule'], env);
    expect(again.stdout).toMatch(/^schedule flywheel-sla-report up to date \(0 8 \* \* 1 Europe\/Berlin, task queue .*\)\n {2}next runs: /);
  });

  it('--help lists the options and exit codes', async () => {
    const r = await runCli(['sla-report', 'run', '--help']);
    expect(r.code).toBe(0);
    expect(r.stdout).toContain('--week <week>');
    expect(r.stdout).toContain('Exit codes:');
  });
});
