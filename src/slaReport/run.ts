import { WorkflowExecutionAlreadyStartedError, type Client } from '@temporalio/client';
import { slaReportWorkflowId, slaReportWorkflowType } from '../../workflows/definitions.ts';
import type { SlaReportInput, SlaReportOutcome } from '../../workflows/slaReport/types.ts';
import { anchorOf, type ReportWeek } from './week.ts';

/** A problem the operator can act on (that week's report is still being written, no worker answered in time). */
export class SlaReportCommandError extends Error {
  override name = 'SlaReportCommandError';
}

/**
 * `flywheel sla-report run`: starts `sla-report:<week>` now, anchored at the end of that week so it reports exactly
 * it, and waits for the outcome. A finished run of the same week may be repeated (the files are rewritten).
 */
export async function runSlaReportNow(client: Client, opts: { taskQueue: string; week: ReportWeek; input?: SlaReportInput; timeoutMs: number }): Promise<SlaReportOutcome> {
  const workflowId = slaReportWorkflowId(opts.week.week);
  let handle;
  try {
    handle = await client.workflow.start(slaReportWorkflowType, {
      workflowId,
      taskQueue: opts.taskQueue,
      args: [{ ...opts.input, anchor: anchorOf(opts.week), timezone: opts.week.timezone } satisfies SlaReportInput],
      workflowExecutionTimeout: opts.timeoutMs,
    });
  } catch (e) {
    if (e instanceof WorkflowExecutionAlreadyStartedError) throw new SlaReportCommandError(`the report of ${opts.week.week} is being written right now (${workflowId})`);
    throw e;
  }
  return handle.result();
}
