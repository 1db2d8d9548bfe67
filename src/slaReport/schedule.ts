import type { Client, ScheduleOptions } from '@temporalio/client';
import { upsertSchedule } from '../temporal/schedules.ts';
import { SLA_REPORT_SCHEDULE_ID, SLA_REPORT_SCHEDULED_WORKFLOW_ID, slaReportWorkflowId, slaReportWorkflowType } from '../../workflows/definitions.ts';
import type { SlaReportInput } from '../../workflows/slaReport/types.ts';
import type { LoadedConfig } from '../config/types.ts';
import { slaReportSettings, type SlaReportSettings } from './settings.ts';

export interface SlaReportScheduleOptions {
  scheduleId?: string;
  /** Passed to every scheduled run (reports folder, recipients); the time zone is the settings' anyway. */
  input?: SlaReportInput;
  /** Runs are `sla-report:<runPrefix>-<scheduled time>`; default `scheduled` (tests: one prefix per file). */
  runPrefix?: string;
  /** Overrides the cron (tests: a schedule that fires soon). */
  spec?: ScheduleOptions['spec'];
}

/**
 * The Schedule that publishes the weekly SLA report (reports.slaWeekly: cron in its time zone). Overlap SKIP and a
 * day's catch-up window, like the planning Schedule: a server down at 08:00 on Monday still reports that morning.
 * The run's anchor is its scheduled time, so the week does not depend on when the worker got to it.
 */
export async function ensureSlaReportSchedule(
  client: Client,
  settings: Pick<SlaReportSettings, 'schedule' | 'timezone'>,
  taskQueue: string,
  opts: SlaReportScheduleOptions = {},
): Promise<{ scheduleId: string; created: boolean }> {
  const scheduleId = opts.scheduleId ?? SLA_REPORT_SCHEDULE_ID;
  const spec: ScheduleOptions['spec'] = opts.spec ?? { cronExpressions: [settings.schedule], timezone: settings.timezone };
  const action = {
    type: 'startWorkflow' as const,
    workflowType: slaReportWorkflowType,
    workflowId: opts.runPrefix ? slaReportWorkflowId(opts.runPrefix) : SLA_REPORT_SCHEDULED_WORKFLOW_ID,
    taskQueue,
    args: [{ timezone: settings.timezone, ...opts.input } satisfies SlaReportInput],
  };
  return upsertSchedule(client, scheduleId, { spec, action, note: `weekly hand-off SLA report (${settings.schedule} ${settings.timezone})` });
}

/** `flywheel dev` at every start: the Schedule from reports.slaWeekly; a failure only warns, the stack runs on. */
export async function ensureSlaReportScheduleAtStart(loaded: LoadedConfig, client: Client, taskQueue: string): Promise<void> {
  try {
    await ensureSlaReportSchedule(client, slaReportSettings(loaded), taskQueue);
  } catch (e) {
    process.stderr.write(`warning: the weekly SLA report Schedule was not set up: ${(e as Error).message}\n`);
  }
}
