import { ActivityFailure, proxyActivities, workflowInfo } from '@temporalio/workflow';
import type { FlywheelActivities } from '../../activities/index.ts';
import { TEMPORAL_SCHEDULED_START_TIME } from '../../src/temporal/searchAttributes.ts';
import type { SlaReportInput, SlaReportOutcome } from './types.ts';

const acts = proxyActivities<FlywheelActivities>({
  // The report reads a week of the ledger. Bounded: a report that cannot be written in ten tries is a page, not a loop;
  // a broken setting (unknown time zone) fails at once, non-retryable.
  startToCloseTimeout: '5 minutes',
  retry: { initialInterval: '1 second', maximumInterval: '1 minute', maximumAttempts: 10 },
});

// Temporal appends the scheduled time to a scheduled run's workflow id: sla-report:scheduled-2027-03-29T06:00:00Z.
const SCHEDULED_SUFFIX = /-(\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}Z)$/;

/** The week's anchor: given, else the Schedule's scheduled time, else the id's time, else the workflow's start. */
function anchorOf(input: SlaReportInput): string {
  if (input.anchor) return input.anchor;
  const info = workflowInfo();
  const scheduled = info.typedSearchAttributes.get(TEMPORAL_SCHEDULED_START_TIME);
  if (scheduled) return scheduled.toISOString();
  return SCHEDULED_SUFFIX.exec(info.workflowId)?.[1] ?? info.startTime.toISOString();
}

/**
 * The weekly hand-off SLA report, started by the `flywheel-sla-report` Schedule: publish the previous complete week
 * (report.{md,json,html}), then tell the managers. A failed notice does not undo the published report: the outcome
 * says who was not told and why.
 */
export async function slaWeeklyReport(input: SlaReportInput = {}): Promise<SlaReportOutcome> {
  const workflowId = workflowInfo().workflowId;
  const anchor = anchorOf(input);
  const published = await acts.slaReportPublish({ ...input, anchor, workflowId, at: new Date().toISOString() });
  let notified: string[] = [];
  let notifyError: string | null = null;
  try {
    notified = await acts.slaReportNotify({ ...published, workflowId, notify: input.notify });
  } catch (e) {
    if (!(e instanceof ActivityFailure)) throw e;
    notifyError = e.cause?.message ?? e.message;
  }
  return { anchor, ...published, notified, notifyError };
}
