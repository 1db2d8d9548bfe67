import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { WorkflowUpdateFailedError } from '@temporalio/client';
import { Worker } from '@temporalio/worker';
import { SA } from '../../src/temporal/searchAttributes.ts';
import { planningDecisionUpdate, planningWorkflowId, planningWorkflowType } from '../../workflows/definitions.ts';
import type { PlanningCycleInput, PlanningDecisionInput, PlanningOutcome } from '../../workflows/planning/types.ts';
import { createHarness, type TestHarness } from '../support/temporal.ts';
import { planningState, waitForPlanning, waitForPlanRows, webhookSink, writeTestPlan } from './planningSupport.ts';

const DAY = 86_400_000;

describe('planning cycle: adjust, augment, analyze, align and the decision (time-skipping server)', () => {
  let h: TestHarness;
  let hooks: Awaited<ReturnType<typeof webhookSink>>;
  let plan: ReturnType<typeof writeTestPlan>;
  const tmp = mkdtempSync(path.join(os.tmpdir(), 'flywheel-planning-'));
  const reportsDir = path.join(tmp, 'reports');
  const tag = Date.now();

  beforeAll(async () => {
    hooks = await webhookSink();
    h = await createHarness('time-skipping', 'planning', { webhookUrl: hooks.url });
    const now = await h.now();
    plan = writeTestPlan(tmp, now);
    // Two customers won before the cycle: 70k + 30k actual ARR.
    await h.ledger.record(
      [
        ['a', 70_000],
        ['b', 30_000],
      ].map(([id, arr]) => ({
        key: `planning-test:${tag}:${id}`,
        type: 'deal.won' as const,
        occurredAt: new Date(now - 2 * DAY).toISOString(),
        accountId: `acc-plan-${tag}-${id}`,
        leadId: `lead-plan-${tag}-${id}`,
        arrDelta: arr as number,
        amount: arr as number,
        currency: 'EUR',
      })),
    );
  });
  afterAll(async () => {
    await h?.close();
    await hooks?.close();
    rmSync(tmp, { recursive: true, force: true });
  });

  async function startCycle(cycle: string, input: Partial<PlanningCycleInput> = {}) {
    h.track(planningWorkflowId(cycle));
    return h.client.workflow.start(planningWorkflowType, {
      workflowId: planningWorkflowId(cycle),
      taskQueue: h.taskQueue,
      args: [{ planFile: plan.file, periodId: plan.current, reportsDir, ...input } satisfies PlanningCycleInput],
    });
  }
  const decide = (cycle: string, d: PlanningDecisionInput) => h.client.workflow.getHandle(planningWorkflowId(cycle)).executeUpdate(planningDecisionUpdate, { args: [d] });
  const rejection = async (p: Promise<unknown>) => {
    const e = await p.then(
      () => null,
      (x: Error) => x,
    );
    expect(e).toBeInstanceOf(WorkflowUpdateFailedError);
    return String((e as WorkflowUpdateFailedError).cause?.message);
  };

  it('publishes the report, notifies the approvers, refuses invalid decisions and ends approved', async () => {
    const cycle = `approve-${tag}`;
    const handle = await startCycle(cycle);
    const s = await waitForPlanning(h, cycle, (x) => x.status === 'awaiting-decision', 'report published');
    expect(s).toMatchObject({ cycle, workflowId: `planning:${cycle}`, step: 'align', approvers: ['jonas-becker', 'maya-brooks'], escalateTo: ['lena-vogel'], carried: null, decision: null });
    expect(s.summary).toMatchObject({ periodId: plan.current, arrTarget: 140_000, actualArr: 100_000, gap: 40_000 });
    expect(Date.parse(s.deadline!) - Date.parse(s.startedAt)).toBeGreaterThanOrEqual(5 * DAY);
    const described = await handle.describe();
    expect(described.typedSearchAttributes.get(SA.PlanningStep)).toBe('align');

    // The report: Markdown, JSON and a self-contained HTML page with its charts.
    expect(s.report!.dir).toBe(path.join(reportsDir, cycle));
    const json = JSON.parse(readFileSync(s.report!.json, 'utf8'));
    expect(json).toMatchObject({ cycle, period: { id: plan.current }, adjust: { actualArr: 100_000, arrTarget: 140_000, accounts: 2 } });
    expect(json.adjust.reforecast[0]).toMatchObject({ period: plan.current, startingArr: 100_000 });
    expect(json.analyze.checks.length).toBeGreaterThan(0);
    const html = readFileSync(s.report!.html, 'utf8');
    expect(html).toMatch(/^<!DOCTYPE html>/);
    expect((html.match(/<svg /g) ?? []).length).toBeGreaterThanOrEqual(4);
    expect(html).not.toMatch(/https?:/);
    expect(readFileSync(s.report!.markdown, 'utf8')).toContain(`# Growth plan review ${cycle}`);

    const published = await waitForPlanRows(h, cycle, (rs) => rs.some((r) => r.type === 'plan.published'), 'published');
    expect(published[0]).toMatchObject({ key: `planning:${cycle}:published`, data: { cycle, periodId: plan.current, approvers: ['jonas-becker', 'maya-brooks'] } });
    const hook = hooks.received.find((x) => x.type === 'plan.published' && x.cycle === cycle);
    expect(hook?.recipients?.map((r) => r.id)).toEqual(['jonas-becker', 'maya-brooks']);

    // The validator refuses before anything reaches the history.
    expect(await rejection(decide(cycle, { decision: 'approve', by: 'lena-vogel' }))).toMatch(/"lena-vogel" is not an approver/);
    expect(await rejection(decide(cycle, { decision: 'requestChanges', by: 'jonas-becker', comments: ' ' }))).toMatch(/requestChanges needs comments/);
    expect(await rejection(decide(cycle, { decision: 'requestChanges', by: 'jonas-becker' }))).toMatch(/requestChanges needs comments/);

    const result = await decide(cycle, { decision: 'approve', by: 'maya-brooks', comments: 'go' });
    expect(result).toMatchObject({ cycle, status: 'approved', decision: { decision: 'approve', by: 'maya-brooks', comments: 'go', late: false } });
    const outcome: PlanningOutcome = await handle.result();
    expect(outcome).toMatchObject({ cycle, status: 'approved', decision: { by: 'maya-brooks' } });
    const rows = await waitForPlanRows(h, cycle, (rs) => rs.some((r) => r.type === 'plan.decided'), 'decided');
    expect(rows.map((r) => r.type)).toEqual(['plan.published', 'plan.decided']);
    expect(rows[1]).toMatchObject({ owner: 'maya-brooks', data: { decision: 'approve', by: 'maya-brooks', late: false } });
    expect(JSON.parse(readFileSync(path.join(s.report!.dir, 'decision.json'), 'utf8'))).toMatchObject({ decision: 'approve', by: 'maya-brooks' });
    expect((await handle.describe()).typedSearchAttributes.get(SA.PlanningStep)).toBe('done');
  });

  it('ends with changes requested, and the next cycle carries the comments into its report', async () => {
    const first = `changes-${tag}`;
    const handle = await startCycle(first);
    await waitForPlanning(h, first, (x) => x.status === 'awaiting-decision', 'report published');
    const result = await decide(first, { decision: 'requestChanges', by: 'jonas-becker', comments: 'Win rate is too optimistic: plan with 18 %.' });
    expect(result).toMatchObject({ status: 'changes-requested', decision: { decision: 'requestChanges', by: 'jonas-becker' } });
    expect(await handle.result()).toMatchObject({ status: 'changes-requested' });
    await waitForPlanRows(h, first, (rs) => rs.some((r) => r.type === 'plan.decided' && r.data.decision === 'requestChanges'), 'change request');

    await h.advance(60_000);
    const next = `changes-next-${tag}`;
    await startCycle(next);
    const s = await waitForPlanning(h, next, (x) => x.status === 'awaiting-decision', 'report published');
    expect(s.carried).toMatchObject({ cycle: first, by: 'jonas-becker', comments: 'Win rate is too optimistic: plan with 18 %.' });
    expect(readFileSync(s.report!.markdown, 'utf8')).toContain('> Win rate is too optimistic: plan with 18 %.');
    expect(readFileSync(s.report!.html, 'utf8')).toContain('Changes requested last cycle');
    await decide(next, { decision: 'approve', by: 'jonas-becker' });
  });

  it('escalates after the approval deadline and still records a late approval', async () => {
    const cycle = `timeout-${tag}`;
    const handle = await startCycle(cycle);
    const s = await waitForPlanning(h, cycle, (x) => x.status === 'awaiting-decision', 'report published');
    await h.advance(Date.parse(s.deadline!) - (await h.now()) + 60_000);
    const rows = await waitForPlanRows(h, cycle, (rs) => rs.some((r) => r.type === 'plan.escalated'), 'escalated');
    expect(rows.find((r) => r.type === 'plan.escalated')).toMatchObject({ key: `planning:${cycle}:escalated`, data: { level: 'escalated', notified: ['lena-vogel'], deadline: '5d' } });
    const escalated = await waitForPlanning(h, cycle, (x) => x.status === 'escalated', 'escalated');
    expect(Date.parse(escalated.escalatedAt!)).toBeGreaterThanOrEqual(Date.parse(s.deadline!));
    expect(hooks.received.find((x) => x.type === 'plan.escalated' && x.cycle === cycle)?.recipients?.map((r) => r.id)).toEqual(['lena-vogel']);
    expect((await planningState(h, cycle)).decision).toBeNull();

    const late = await decide(cycle, { decision: 'approve', by: 'jonas-becker' });
    expect(late).toMatchObject({ status: 'approved', decision: { late: true, by: 'jonas-becker' } });
    expect(await handle.result()).toMatchObject({ status: 'approved' });
    const all = await waitForPlanRows(h, cycle, (rs) => rs.some((r) => r.type === 'plan.decided'), 'late decision');
    expect(all.map((r) => r.type)).toEqual(['plan.published', 'plan.escalated', 'plan.decided']);
    expect(all[2]).toMatchObject({ data: { late: true, decision: 'approve' } });
    // The whole history (steps, timers, escalation, update) replays against the current workflow code.
    await expect(Worker.runReplayHistory({ workflowBundle: { codePath: inject('temporal').workflowBundlePath } }, await handle.fetchHistory(), planningWorkflowId(cycle))).resolves.toBeUndefined();
  });

  it('expires after a second deadline without a decision', async () => {
    const cycle = `expire-${tag}`;
    const handle = await startCycle(cycle);
    const s = await waitForPlanning(h, cycle, (x) => x.status === 'awaiting-decision', 'report published');
    await h.advance(Date.parse(s.deadline!) - (await h.now()) + 60_000);
    const escalated = await waitForPlanning(h, cycle, (x) => x.status === 'escalated', 'escalated');
    await h.advance(Date.parse(escalated.expiresAt!) - (await h.now()) + 60_000);
    expect(await handle.result()).toMatchObject({ status: 'expired', decision: null });
    const rows = await waitForPlanRows(h, cycle, (rs) => rs.some((r) => r.key.endsWith(':expired')), 'expired');
    expect(rows.map((r) => r.type)).toEqual(['plan.published', 'plan.escalated', 'plan.escalated']);
    expect(existsSync(path.join(s.report!.dir, 'decision.json'))).toBe(true);
  });
});
