import type { Client } from '@temporalio/client';
import { CliError } from './errors.ts';

/**
 * Runs `fn` with a client from Temporal's environment config and closes it after. The client loads lazily so
 * `flywheel --help` stays fast. `explain` turns a verb's own expected failures into a CliError (exit 1 with the
 * message); anything it returns undefined for is rethrown as it is.
 */
export async function withTemporalClient<T>(fn: (client: Client) => Promise<T>, explain: (e: unknown) => Promise<string | undefined> = async () => undefined): Promise<T> {
  const { connectClient, describeTarget, targetFromEnvironment } = await import('../temporal/connection.ts');
  const target = targetFromEnvironment();
  const client = await connectClient(target).catch((e: Error) => {
    throw new CliError(`cannot reach Temporal at ${describeTarget(target)}: ${e.message}`);
  });
  try {
    return await fn(client);
  } catch (e) {
    const message = await explain(e);
    if (message !== undefined) throw new CliError(message);
    throw e;
  } finally {
    await client.connection.close();
  }
}
