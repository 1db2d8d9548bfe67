import { ScheduleAlreadyRunning, ScheduleNotFoundError, ScheduleOverlapPolicy, type Client, type ScheduleOptions } from '@temporalio/client';
import type { GrowthPlan } from '../plan/types.ts';
import { PLANNING_SCHEDULE_ID, PLANNING_SCHEDULED_WORKFLOW_ID, planningWorkflowId, planningWorkflowType } from '../../workflows/definitions.ts';
import type { PlanningCycleInput } from '../../workflows/planning/types.ts';

export interface PlanningScheduleOptions {
  scheduleId?: string;
  /** Passed to every scheduled cycle (plan file, reports folder). */
  input?: PlanningCycleInput;
  /** Cycle ids are `<cyclePrefix>-<scheduled time>`; default `scheduled` (tests: one prefix per file). */
  cyclePrefix?: string;
  /** Overrides the plan's cron (tests: a schedule that fires soon). */
  spec?: ScheduleOptions['spec'];
}

/**
 * The Schedule that starts planning cycles on the plan's cadence (cron in its time zone). Overlap policy SKIP: while
 * a cycle still waits for its decision, the next firing is skipped rather than run beside it. Each run's workflow id
 * is `planning:scheduled-<scheduled time>` (Temporal appends the time), so its cycle id is `scheduled-<time>`.
 * Creates the schedule, or updates it in place when it exists: safe to call on every deploy or `plan run`.
 */
export async function ensurePlanningSchedule(
  client: Client,
  plan: Pick<GrowthPlan, 'cadence' | 'name'>,
  taskQueue: string,
  opts: PlanningScheduleOptions = {},
): Promise<{ scheduleId: string; created: boolean }> {
  const scheduleId = opts.scheduleId ?? PLANNING_SCHEDULE_ID;
  const spec: ScheduleOptions['spec'] = opts.spec ?? { cronExpressions: [plan.cadence.schedule], timezone: plan.cadence.timezone };
  const action = {
    type: 'startWorkflow' as const,
    workflowType: planningWorkflowType,
    workflowId: opts.cyclePrefix ? planningWorkflowId(opts.cyclePrefix) : PLANNING_SCHEDULED_WORKFLOW_ID,
    taskQueue,
    args: [opts.input ?? {}],
  };
  const policies = { overlap: ScheduleOverlapPolicy.SKIP, catchupWindow: '1 day' };
  const handle = client.schedule.getHandle(scheduleId);
  try {
    await handle.describe();
  } catch (e) {
    if (!(e instanceof ScheduleNotFoundError)) throw e;
    try {
      await client.schedule.create({ scheduleId, spec, action, policies, state: { note: `growth plan ${plan.name}` } });
      return { scheduleId, created: true };
    } catch (err) {
      // Someone else created it between our describe and create: fall through to the update.
      if (!(err instanceof ScheduleAlreadyRunning)) throw err;
    }
  }
  await handle.update((prev) => ({ ...prev, spec, action, policies: { ...prev.policies, ...policies }, state: { ...prev.state, note: `growth plan ${plan.name}` } }));
  return { scheduleId, created: false };
}
