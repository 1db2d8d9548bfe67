import { ScheduleOverlapPolicy, WorkflowExecutionAlreadyStartedError, WorkflowNotFoundError, WorkflowUpdateFailedError, type Client } from '@temporalio/client';
import type { GrowthPlan } from '../plan/types.ts';
import { PLANNING_ID_PREFIX, planningDecisionUpdate, planningStateQuery, planningWorkflowId, planningWorkflowType } from '../../workflows/definitions.ts';
import type { PlanningCycleInput, PlanningDecisionInput, PlanningDecisionResult, PlanningState } from '../../workflows/planning/types.ts';
import { ensurePlanningSchedule, type PlanningScheduleOptions } from './schedule.ts';

/** A problem the operator can act on (no such cycle, decision refused, cycle still running). */
export class PlanningCommandError extends Error {
  override name = 'PlanningCommandError';
}

/** `2027-01` and `planning:2027-01` both name the cycle 2027-01. */
export const cycleOf = (idOrCycle: string) => (idOrCycle.startsWith(PLANNING_ID_PREFIX) ? idOrCycle.slice(PLANNING_ID_PREFIX.length) : idOrCycle);

export interface RunCycleOptions {
  taskQueue: string;
  plan: Pick<GrowthPlan, 'cadence' | 'name'>;
  /** Start planning:<cycle> directly instead of triggering the schedule. */
  cycle?: string;
  /** Input of a directly started cycle. */
  input?: PlanningCycleInput;
  /** The schedule's options, including the input every scheduled cycle gets (plan file, reports folder). */
  schedule?: PlanningScheduleOptions;
  /** How long to wait for the triggered run to show up on the schedule. */
  timeoutMs?: number;
}

export interface RunCycleResult {
  scheduleId: string;
  scheduleCreated: boolean;
  /** The cycle that started, or the one still running when the trigger was skipped. */
  cycle: string;
  workflowId: string;
  started: boolean;
  how: 'schedule' | 'direct';
}

/**
 * `flywheel plan run`: makes sure the Schedule exists (plan cadence), then starts a cycle now: by triggering the
 * schedule with its SKIP overlap policy (a cycle that is still waiting for its decision is not doubled), or, given a
 * cycle id, by starting planning:<cycle> directly.
 */
export async function runPlanningCycle(client: Client, opts: RunCycleOptions): Promise<RunCycleResult> {
  const ensured = await ensurePlanningSchedule(client, opts.plan, opts.taskQueue, opts.schedule);
  const base = { scheduleId: ensured.scheduleId, scheduleCreated: ensured.created };
  if (opts.cycle !== undefined) {
    const cycle = cycleOf(opts.cycle);
    const workflowId = planningWorkflowId(cycle);
    try {
      await client.workflow.start(planningWorkflowType, { workflowId, taskQueue: opts.taskQueue, args: [{ ...opts.input, cycle }] });
    } catch (e) {
      if (e instanceof WorkflowExecutionAlreadyStartedError) throw new PlanningCommandError(`cycle ${cycle} is already running (${workflowId})`);
      throw e;
    }
    return { ...base, cycle, workflowId, started: true, how: 'direct' };
  }
  const handle = client.schedule.getHandle(ensured.scheduleId);
  const before = (await handle.describe()).info;
  await handle.trigger(ScheduleOverlapPolicy.SKIP);
  const deadline = Date.now() + (opts.timeoutMs ?? 15_000);
  while (Date.now() < deadline) {
    const info = (await handle.describe()).info;
    if (info.numActionsTaken > before.numActionsTaken) {
      const workflowId = info.recentActions.at(-1)!.action.workflow.workflowId;
      return { ...base, cycle: cycleOf(workflowId), workflowId, started: true, how: 'schedule' };
    }
    if (info.numActionsSkippedOverlap > before.numActionsSkippedOverlap) {
      const running = info.runningActions[0]?.workflow.workflowId ?? 'unknown';
      return { ...base, cycle: cycleOf(running), workflowId: running, started: false, how: 'schedule' };
    }
    await new Promise((r) => setTimeout(r, 200));
  }
  throw new PlanningCommandError(`triggered schedule ${ensured.scheduleId}, but no cycle started within ${Math.round((opts.timeoutMs ?? 15_000) / 1000)} s`);
}

/** Queries a cycle until `done` holds (bounded per query and overall). */
export async function waitForCycle(client: Client, cycle: string, done: (s: PlanningState) => boolean, timeoutMs: number): Promise<PlanningState> {
  const handle = client.workflow.getHandle(planningWorkflowId(cycleOf(cycle)));
  const deadline = Date.now() + timeoutMs;
  let last: PlanningState | undefined;
  while (Date.now() < deadline) {
    try {
      last = await client.withDeadline(Date.now() + 10_000, () => handle.query(planningStateQuery));
      if (done(last)) return last;
    } catch (e) {
      if (e instanceof WorkflowNotFoundError) throw new PlanningCommandError(`no planning cycle ${cycle}`);
    }
    await new Promise((r) => setTimeout(r, 500));
  }
  throw new PlanningCommandError(`cycle ${cycle} is still at step ${last?.step ?? 'unknown'} (${last?.status ?? 'no answer'}) after ${Math.round(timeoutMs / 1000)} s`);
}

/** `flywheel plan approve`: the `decide` update; a refusal by the validator becomes a PlanningCommandError. */
export async function decidePlanningCycle(client: Client, cycle: string, decision: PlanningDecisionInput): Promise<PlanningDecisionResult> {
  const id = planningWorkflowId(cycleOf(cycle));
  try {
    return await client.workflow.getHandle(id).executeUpdate(planningDecisionUpdate, { args: [decision] });
  } catch (e) {
    if (e instanceof WorkflowUpdateFailedError) throw new PlanningCommandError(`decision refused: ${e.cause?.message ?? e.message}`);
    if (e instanceof WorkflowNotFoundError) throw new PlanningCommandError(await whyNotRunning(client, id));
    throw e;
  }
}

/** An update to a closed workflow is "not found": tell a finished cycle (and how it ended) from a missing one. */
async function whyNotRunning(client: Client, workflowId: string): Promise<string> {
  const handle = client.workflow.getHandle(workflowId);
  const d = await handle.describe().catch(() => null);
  if (!d) return `no planning cycle ${cycleOf(workflowId)}: there is no workflow ${workflowId}`;
  const s = await client.withDeadline(Date.now() + 5_000, () => handle.query(planningStateQuery)).catch(() => null);
  const how = s?.decision ? `${s.status}: ${s.decision.decision} by ${s.decision.by} at ${s.decision.at}` : (s?.status ?? d.status.name.toLowerCase());
  return `cycle ${cycleOf(workflowId)} has already ended (${how})`;
}
