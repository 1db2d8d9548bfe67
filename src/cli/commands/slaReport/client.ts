import type { Client } from '@temporalio/client';
import { withTemporalClient } from '../../temporalClient.ts';

/** A Temporal client for the `sla-report` verbs: a refused week or a failed run becomes the CLI's exit 1 with why. */
export function withSlaClient<T>(fn: (client: Client) => Promise<T>): Promise<T> {
  return withTemporalClient(fn, async (e) => {
    const { SlaReportCommandError } = await import('../../../slaReport/run.ts');
    if (e instanceof SlaReportCommandError) return e.message;
    const { WorkflowFailedError } = await import('@temporalio/client');
    if (e instanceof WorkflowFailedError) return `the report failed: ${(e.cause?.cause as Error | undefined)?.message ?? e.cause?.message ?? e.message}`;
    return undefined;
  });
}
