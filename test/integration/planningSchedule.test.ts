import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { ScheduleOverlapPolicy } from '@temporalio/client';
import { ensurePlanningSchedule } from '../../src/planning/schedule.ts';
import { planningDecisionUpdate, planningWorkflowType } from '../../workflows/definitions.ts';
import type { PlanningOutcome } from '../../workflows/planning/types.ts';
import { cliEnvForHarness, runCli } from '../support/cli.ts';
import { createHarness, type TestHarness } from '../support/temporal.ts';
import { waitForPlanning, writeTestPlan } from './planningSupport.ts';
import { eventually } from '../support/eventually.ts';

describe('the planning Schedule starts cycles (dev server)', () => {
  let h: TestHarness;
  const tmp = mkdtempSync(path.join(os.tmpdir(), 'flywheel-planning-schedule-'));
  const tag = Date.now();
  const scheduleId = `flywheel-planning-test-${tag}`;
  const prefix = `scheduled-${tag}`;

  beforeAll(async () => {
    h = await createHarness('dev', 'planning-schedule');
  });
  afterAll(async () => {
    await h?.client.schedule
      .getHandle(scheduleId)
      .delete()
      .catch(() => undefined);
    await h?.close();
    rmSync(tmp, { recursive: true, force: true });
  });

  /** The workflow ids the schedule started, once there are `n`: the schedule reports them itself. */
  function startedBySchedule(n: number, timeoutMs = 30_000): Promise<string[]> {
    const ids = async () => (await h.client.schedule.getHandle(scheduleId).describe()).info.recentActions.map((a) => a.action.workflow.workflowId);
    return eventually(
      ids,
      (x) => x.length >= n,
      (x) => `schedule ${scheduleId} started ${x?.length ?? 0} of ${n} workflows`,
      timeoutMs,
    );
  }

  it('is created from the plan cadence, updated idempotently, and its runs are planning:<cycle> workflows that never overlap', async () => {
    const { file, current, plan } = writeTestPlan(tmp, Date.now());
    const input = { planFile: file, periodId: current, reportsDir: path.join(tmp, 'reports') };
    const opts = { scheduleId, cyclePrefix: prefix, input };
    expect(await ensurePlanningSchedule(h.client, plan, h.taskQueue, opts)).toEqual({ scheduleId, created: true });
    expect(await ensurePlanningSchedule(h.client, { ...plan, cadence: { schedule: '0 9 1 * *', timezone: 'America/New_York' } }, h.taskQueue, opts)).toEqual({ scheduleId, created: false });
    const handle = h.client.schedule.getHandle(scheduleId);
    const d = await handle.describe();
    expect(d.policies.overlap).toBe(ScheduleOverlapPolicy.SKIP);
    expect(d.spec.timezone).toBe('America/New_York');
    // The cron is stored in its structured form: 09:00 on the 1st.
    expect(d.spec.calendars?.[0]).toMatchObject({ hour: [{ start: 9, end: 9, step: 1 }], dayOfMonth: [{ start: 1, end: 1, step: 1 }] });
    expect(d.action).toMatchObject({ type: 'startWorkflow', workflowType: planningWorkflowType, workflowId: `planning:${prefix}`, taskQueue: h.taskQueue });

    // `flywheel plan run` triggers the schedule now, with the schedule's own overlap policy (SKIP).
    await handle.trigger(ScheduleOverlapPolicy.SKIP);
    const [workflowId] = await startedBySchedule(1);
    h.track(workflowId!);
    // Temporal appends the scheduled time to the action's id: planning:scheduled-<tag>-2026-11-23T02:14:00Z.
    expect(workflowId).toMatch(new RegExp(`^planning:${prefix}-\\d{4}-\\d{2}-\\d{2}T\\d{2}:\\d{2}:\\d{2}Z$`));
    const cycle = workflowId!.slice('planning:'.length);
    const s = await waitForPlanning(h, cycle, (x) => x.status === 'awaiting-decision', 'report published');
    expect(s).toMatchObject({ cycle, workflowId, period: { id: current } });
    expect(s.report!.dir).toBe(path.join(tmp, 'reports', cycle.replace(/:/g, '-')));
    expect(readFileSync(s.report!.html, 'utf8')).toMatch(/^<!DOCTYPE html>/);

    // While that cycle waits for its decision, another trigger is skipped rather than run beside it.
    await handle.trigger(ScheduleOverlapPolicy.SKIP);
    const after = await eventually(
      () => handle.describe(),
      (x) => x.info.numActionsSkippedOverlap >= 1,
      'the second trigger skipped',
      10_000,
    );
    expect(after.info.numActionsSkippedOverlap).toBe(1);
    expect(after.info.runningActions.map((a) => a.workflow.workflowId)).toEqual([workflowId]);

    const wf = h.client.workflow.getHandle(workflowId!);
    await wf.executeUpdate(planningDecisionUpdate, { args: [{ decision: 'approve', by: 'jonas-becker' }] });
    const outcome: PlanningOutcome = await wf.result();
    expect(outcome).toMatchObject({ cycle, status: 'approved' });
  });
});

describe('flywheel plan run / approve (dev server, real CLI)', () => {
  let h: TestHarness;
  const tmp = mkdtempSync(path.join(os.tmpdir(), 'flywheel-planning-cli-'));
  const tag = Date.now();
  const scheduleId = `flywheel-planning-cli-${tag}`;
  let env: NodeJS.ProcessEnv;

  beforeAll(async () => {
    h = await createHarness('dev', 'planning-cli');
    // The CLI reads the task queue from the organisation config: point a copy at this file's worker.
    env = cliEnvForHarness(h.taskQueue, tmp, inject('temporal').devAddress);
  });
  afterAll(async () => {
    await h?.client.schedule
      .getHandle(scheduleId)
      .delete()
      .catch(() => undefined);
    await h?.close();
    rmSync(tmp, { recursive: true, force: true });
  });

  it('starts a cycle, waits for its report, prints refused decisions clearly (exit 1) and records a change request', async () => {
    const { file, current } = writeTestPlan(tmp, Date.now());
    const cycle = `cli-${tag}`;
    h.track(`planning:${cycle}`);
    const run = await runCli(['plan', 'run', '--cycle', cycle, '--file', file, '--period', current, '--reports', path.join(tmp, 'reports'), '--schedule', scheduleId, '--wait', '--json'], env);
    expect(run.stderr).toBe('');
    expect(run.code).toBe(0);
    const out = JSON.parse(run.stdout);
    expect(out).toMatchObject({ scheduleId, scheduleCreated: true, cycle, workflowId: `planning:${cycle}`, started: true, how: 'direct', state: { status: 'awaiting-decision', step: 'align' } });
    expect(readFileSync(out.state.report.html, 'utf8')).toMatch(/<svg /);

    const stranger = await runCli(['plan', 'approve', cycle, '--by', 'lena-vogel'], env);
    expect(stranger.code).toBe(1);
    expect(stranger.stderr).toMatch(/^flywheel: decision refused: "lena-vogel" is not an approver of this plan \(approvers: jonas-becker, maya-brooks\)\n$/);
    const empty = await runCli(['plan', 'approve', cycle, '--by', 'jonas-becker', '--request-changes'], env);
    expect(empty.code).toBe(1);
    expect(empty.stderr).toContain('requestChanges needs comments');

    const ok = await runCli(['plan', 'approve', `planning:${cycle}`, '--by', 'jonas-becker', '--request-changes', '--comments', 'Cut paid search by a third'], env);
    expect(ok.stderr).toBe('');
    expect(ok.code).toBe(0);
    expect(ok.stdout).toMatch(new RegExp(`^cycle ${cycle}: changes-requested by jonas-becker at .*: Cut paid search by a third\\n$`));
    const again = await runCli(['plan', 'approve', cycle, '--by', 'maya-brooks'], env);
    expect(again.code).toBe(1);
    expect(again.stderr).toMatch(/already (decided|ended)/);
  });
});
