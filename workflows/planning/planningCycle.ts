import { allHandlersFinished, ApplicationFailure, condition, proxyActivities, setHandler, upsertSearchAttributes, workflowInfo } from '@temporalio/workflow';
import type { FlywheelActivities } from '../../activities/index.ts';
import { SA } from '../../src/temporal/searchAttributes.ts';
import { PLANNING_ID_PREFIX, planningDecisionUpdate, planningStateQuery } from '../definitions.ts';
import { decisionProblem } from './decision.ts';
import type { PlanningCycleInput, PlanningOutcome, PlanningState, PlanningStep } from './types.ts';

const acts = proxyActivities<FlywheelActivities>({
  // Metrics and the audit read the whole ledger for a period: give them time, retry with backoff.
  startToCloseTimeout: '5 minutes',
  retry: { initialInterval: '1 second', maximumInterval: '1 minute' },
});

/**
 * One planning cycle, usually started by the `flywheel-planning` Schedule: adjust (re-forecast the plan from its
 * assumptions and actual ARR), augment (audit recommendations), analyze (metrics against the assumptions), align
 * (publish the report, tell the approvers, wait for leadership's `decide` update; escalate after the deadline).
 */
export async function planningCycle(input: PlanningCycleInput = {}): Promise<PlanningOutcome> {
  const wfId = workflowInfo().workflowId;
  const cycle = input.cycle ?? (wfId.startsWith(PLANNING_ID_PREFIX) ? wfId.slice(PLANNING_ID_PREFIX.length) : wfId);
  const nowIso = () => new Date().toISOString();
  const s: PlanningState = {
    cycle,
    workflowId: wfId,
    step: 'adjust',
    status: 'running',
    startedAt: nowIso(),
    planFile: input.planFile ?? null,
    period: null,
    approvers: [],
    escalateTo: [],
    deadline: null,
    expiresAt: null,
    escalatedAt: null,
    report: null,
    summary: null,
    carried: null,
    decision: null,
  };
  let recorded = false;
  setHandler(planningStateQuery, () => s);
  setHandler(
    planningDecisionUpdate,
    async (d) => {
      // Two updates validated in the same task: only the first one wins.
      const problem = decisionProblem(s, d);
      if (problem) throw ApplicationFailure.nonRetryable(problem, 'InvalidDecision');
      s.decision = { decision: d.decision, by: d.by, ...(d.comments?.trim() ? { comments: d.comments.trim() } : {}), at: nowIso(), late: s.status === 'escalated' };
      // Answer once the decision is in the ledger, so the caller knows it counts.
      await condition(() => recorded);
      return { cycle, status: s.status, decision: s.decision };
    },
    {
      validator: (d) => {
        const problem = decisionProblem(s, d);
        if (problem) throw new Error(problem);
      },
      description: 'Approve the published plan or request changes (with comments); only the plan approvers may decide.',
    },
  );

  const step = (x: PlanningStep) => {
    s.step = x;
    upsertSearchAttributes([{ key: SA.PlanningStep, value: x }]);
  };

  step('adjust');
  const adjust = await acts.planningAdjust({ cycle, workflowId: wfId, planFile: input.planFile, periodId: input.periodId, at: nowIso() });
  s.planFile = adjust.planFile;
  s.period = { id: adjust.period.id, from: adjust.window.from, to: adjust.window.to };
  s.approvers = adjust.approval.approvers;
  s.escalateTo = adjust.approval.escalateTo;
  s.carried = adjust.carried;

  step('augment');
  const augment = await acts.planningAugment({ planFile: adjust.planFile, window: adjust.window });

  step('analyze');
  const analyze = await acts.planningAnalyze({ planFile: adjust.planFile, window: adjust.window });

  step('align');
  const published = await acts.planningAlign({ cycle, workflowId: wfId, at: nowIso(), reportsDir: input.reportsDir, adjust, augment, analyze });
  s.report = published.files;
  s.summary = published.summary;
  const deadlineMs = adjust.approval.deadlineMs;
  s.deadline = new Date(Date.now() + deadlineMs).toISOString();
  s.status = 'awaiting-decision';

  const decided = () => s.decision !== null;
  // The state decides, not the condition's result: a decision and the timer can land in the same activation.
  await condition(decided, deadlineMs, { summary: `approval deadline (${adjust.approval.deadline}) for plan ${cycle}` });
  if (!decided()) {
    s.status = 'escalated';
    s.escalatedAt = nowIso();
    s.expiresAt = new Date(Date.now() + deadlineMs).toISOString();
    await acts.planningEscalate({
      cycle,
      workflowId: wfId,
      at: s.escalatedAt,
      level: 'escalated',
      notify: s.escalateTo,
      approvers: s.approvers,
      deadline: adjust.approval.deadline,
      report: published.files,
      summary: published.summary,
    });
    await condition(decided, deadlineMs, { summary: `plan ${cycle} expires without a decision` });
    if (!decided()) {
      s.status = 'expired';
      await acts.planningEscalate({
        cycle,
        workflowId: wfId,
        at: nowIso(),
        level: 'expired',
        notify: [...s.escalateTo, ...s.approvers],
        approvers: s.approvers,
        deadline: adjust.approval.deadline,
        report: published.files,
        summary: published.summary,
      });
    }
  }

  if (s.decision) {
    await acts.planningRecordDecision({ cycle, workflowId: wfId, decision: s.decision, approvers: s.approvers, report: published.files, periodId: adjust.period.id });
    s.status = s.decision.decision === 'approve' ? 'approved' : 'changes-requested';
    recorded = true;
  }
  step('done');
  await condition(allHandlersFinished);
  return { cycle, status: s.status, decision: s.decision, report: s.report };
}
