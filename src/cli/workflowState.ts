import type { QueryDefinition } from '@temporalio/common';
import { CliError } from './errors.ts';

const QUERY_TIMEOUT_MS = 15_000;

/**
 * Asks one workflow (Temporal from the environment) for its `state` query, turning "no such workflow" and "no worker
 * answered" into messages an operator can act on. Temporal's client loads only here, so `flywheel --help` stays fast.
 */
export async function queryWorkflowState<T>(noun: string, id: string, workflowId: string, query: QueryDefinition<T>): Promise<T> {
  const { connectClient, describeTarget, targetFromEnvironment } = await import('../temporal/connection.ts');
  const { WorkflowNotFoundError } = await import('@temporalio/client');
  const target = targetFromEnvironment();
  const client = await connectClient(target).catch((e: Error) => {
    throw new CliError(`cannot reach Temporal at ${describeTarget(target)}: ${e.message}`);
  });
  try {
    const handle = client.workflow.getHandle(workflowId);
    return await client
      .withDeadline(Date.now() + QUERY_TIMEOUT_MS, () => handle.query(query))
      .catch((e: Error) => {
        if (e instanceof WorkflowNotFoundError) throw new CliError(`no ${noun} ${id}: there is no workflow ${workflowId} in ${describeTarget(target)}`);
        throw new CliError(`the state query for ${workflowId} failed: ${e.message} (is a worker running?)`);
      });
  } finally {
    await client.connection.close();
  }
}
