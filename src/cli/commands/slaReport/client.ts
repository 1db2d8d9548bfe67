import type { Client } from '@temporalio/client';
import { CliError } from '../../errors.ts';

/** Connects with Temporal's environment config; the client loads lazily so `flywheel --help` stays fast. */
export async function withSlaClient<T>(fn: (client: Client) => Promise<T>): Promise<T> {
  const { connectClient, describeTarget, targetFromEnvironment } = await import('../../../temporal/connection.ts');
  const target = targetFromEnvironment();
  const client = await connectClient(target).catch((e: Error) => {
    throw new CliError(`cannot reach Temporal at ${describeTarget(target)}: ${e.message}`);
  });
  try {
    return await fn(client);
  } catch (e) {
    const { SlaReportCommandError } = await import('../../../slaReport/run.ts');
    if (e instanceof SlaReportCommandError) throw new CliError(e.message);
    const { WorkflowFailedError } = await import('@temporalio/client');
    if (e instanceof WorkflowFailedError) throw new CliError(`the report failed: ${(e.cause?.cause as Error | undefined)?.message ?? e.cause?.message ?? e.message}`);
    throw e;
  } finally {
    await client.connection.close();
  }
}
