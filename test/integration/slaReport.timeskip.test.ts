import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { createServer } from 'node:http';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { WorkflowFailedError } from '@temporalio/client';
import { Worker } from '@temporalio/worker';
import { previousWeek, type ReportWeek } from '../../src/slaReport/week.ts';
import { slaReportWorkflowId, slaReportWorkflowType } from '../../workflows/definitions.ts';
import type { SlaReportInput, SlaReportOutcome } from '../../workflows/slaReport/types.ts';
import { slaWeekRows } from '../support/slaWeekFixture.ts';
import { createHarness, timeSkippingNow, type TestHarness } from '../support/temporal.ts';
import { webhookSink } from './planningSupport.ts';
import { expectPublished, lukasOnLeave, MANAGERS } from './slaReportSupport.ts';

const DAY = 86_400_000;
const TZ = 'Europe/Berlin';

/*
 * The test server has no Schedule API (CreateSchedule fails there), so this file starts the workflow the way the
 * Schedule does: its id ends in the scheduled time Temporal appends, and nothing else tells it the week. The Schedule
 * itself starting it is in slaReportSchedule.test.ts, on the dev server.
 */
describe('weekly SLA report workflow (time-skipping server)', () => {
  let h: TestHarness;
  let hooks: Awaited<ReturnType<typeof webhookSink>>;
  let week: ReportWeek;
  let scheduledAt: string;
  const tmp = mkdtempSync(path.join(os.tmpdir(), 'flywheel-sla-report-'));
  const reportsDir = path.join(tmp, 'reports');
  const tag = `ts${Date.now()}`;

  beforeAll(async () => {
    const now = await timeSkippingNow();
    hooks = await webhookSink();
    h = await createHarness('time-skipping', 'sla-report', { webhookUrl: hooks.url, adjust: lukasOnLeave(now) });
    week = previousWeek(new Date(now), TZ);
    // Monday 08:00 Berlin after the week, as the Schedule would fire (second precision, as in its workflow ids).
    scheduledAt = new Date(Date.parse(week.to) + 8 * 3_600_000).toISOString().replace(/\.\d{3}Z$/, 'Z');
    // The week's rows and some just outside it (test/support/slaWeekFixture.ts).
    await h.ledger.record(slaWeekRows(week, tag));
  });
  afterAll(async () => {
    await h?.close();
    await hooks?.close();
    rmSync(tmp, { recursive: true, force: true });
  });

  const start = (workflowId: string, input: SlaReportInput = {}) => {
    h.track(workflowId);
    return h.client.workflow.start(slaReportWorkflowType, { workflowId, taskQueue: h.taskQueue, args: [{ reportsDir, ...input }] });
  };

  it('a run two days late still reports the week before its scheduled time, writes the files and tells the managers', async () => {
    await h.advance(2 * DAY);
    const workflowId = `${slaReportWorkflowId(`scheduled-${tag}`)}-${scheduledAt}`;
    const handle = await start(workflowId);
    const out: SlaReportOutcome = await handle.result();
    expect(out.anchor).toBe(scheduledAt);
    expectPublished(out, week, reportsDir);
    expect(out).toMatchObject({ notified: MANAGERS, notifyError: null });
    const hook = hooks.received.find((x) => x.type === 'sla.weekly_report' && x.workflowId === workflowId);
    expect(hook?.recipients?.map((r) => r.id)).toEqual(MANAGERS);
    expect(hook).toMatchObject({ week: { week: week.week }, summary: { breaches: 7 }, report: { dir: out.files.dir } });
    // The whole history replays against the current workflow code.
    await expect(Worker.runReplayHistory({ workflowBundle: { codePath: inject('temporal').workflowBundlePath } }, await handle.fetchHistory(), workflowId)).resolves.toBeUndefined();
  });

  it('an explicit anchor reports the week before it; a later anchor in the same week the same week', async () => {
    const out: SlaReportOutcome = await (await start(slaReportWorkflowId(`${week.week}-${tag}`), { anchor: week.to })).result();
    expectPublished(out, week, reportsDir);
    const late: SlaReportOutcome = await (await start(slaReportWorkflowId(`${week.week}-${tag}-late`), { anchor: new Date(Date.parse(week.to) + 6 * DAY).toISOString() })).result();
    expect(late.week).toEqual(week);
  });

  it('fails at once, without retrying for ever, on a setting no retry can fix', async () => {
    const handle = await start(slaReportWorkflowId(`bad-zone-${tag}`), { timezone: 'Mars/Olympus_Mons' });
    const e = await handle.result().then(
      () => null,
      (x: unknown) => x,
    );
    expect(e).toBeInstanceOf(WorkflowFailedError);
    expect(String(((e as WorkflowFailedError).cause?.cause as Error | undefined)?.message)).toMatch(/unknown time zone "Mars\/Olympus_Mons"/);
    const history = await handle.fetchHistory();
    expect(history.events?.filter((ev) => ev.activityTaskStartedEventAttributes).map((ev) => ev.activityTaskStartedEventAttributes!.attempt)).toEqual([1]);
  });

  it('a CRM that refuses the notice: the report stays published, the outcome says who was not told, no retries', async () => {
    let calls = 0;
    const refusing = createServer((_req, res) => {
      calls++;
      res.writeHead(400).end();
    });
    await new Promise<void>((r) => refusing.listen(0, '127.0.0.1', r));
    const { port } = refusing.address() as { port: number };
    const other = await createHarness('time-skipping', 'sla-report-refused', { webhookUrl: `http://127.0.0.1:${port}/hooks`, adjust: lukasOnLeave(await h.now()) });
    try {
      await other.ledger.record(slaWeekRows(week, tag));
      const workflowId = slaReportWorkflowId(`refused-${tag}`);
      other.track(workflowId);
      const handle = await other.client.workflow.start(slaReportWorkflowType, { workflowId, taskQueue: other.taskQueue, args: [{ reportsDir: path.join(tmp, 'refused'), anchor: week.to }] });
      const out: SlaReportOutcome = await handle.result();
      expectPublished(out, week, path.join(tmp, 'refused'));
      expect(existsSync(out.files.html)).toBe(true);
      expect(out.notified).toEqual([]);
      expect(out.notifyError).toMatch(/refused the request: 400/);
      expect(calls).toBe(1);
    } finally {
      await other.close();
      await new Promise((r) => refusing.close(r));
    }
  });
});
