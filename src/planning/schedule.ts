import type { Client, ScheduleOptions } from '@temporalio/client';
import { upsertSchedule } from '../temporal/schedules.ts';
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
  return upsertSchedule(client, scheduleId, { spec, action, note: `growth plan ${plan.name}` });
}
