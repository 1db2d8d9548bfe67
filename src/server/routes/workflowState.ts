import { WorkflowNotFoundError, type Client } from '@temporalio/client';
import type { QueryDefinition } from '@temporalio/common';
import type { FastifyInstance } from 'fastify';
import { accountStateQuery, accountWorkflowId, leadStateQuery, leadWorkflowId } from '../../../workflows/definitions.ts';
import { problem, sendProblem } from '../problem.ts';
import { requestTargetOf, signatureGuard, type SignatureAuth } from '../signatureGuard.ts';

export interface StateReadOptions {
  client: Client;
  /** State holds contact and contract data: when the API has an ingest secret, reads must be signed with it too. */
  auth?: SignatureAuth;
  /** A query needs a worker to answer; without one it would hang, so the read gives up after this long. */
  timeoutMs?: number;
}

const READS = [
  { path: '/v1/leads/:id', noun: 'lead', workflowId: leadWorkflowId, query: leadStateQuery },
  { path: '/v1/accounts/:id', noun: 'account', workflowId: accountWorkflowId, query: accountStateQuery },
] as const;

/** GET a lead's or an account's current state, answered by its workflow's `state` query. */
export function registerStateRoutes(app: FastifyInstance, opts: StateReadOptions): void {
  const timeoutMs = opts.timeoutMs ?? 10_000;
  const preHandler = opts.auth ? signatureGuard(opts.auth, requestTargetOf) : [];
  for (const read of READS) {
    app.get<{ Params: { id: string } }>(read.path, { preHandler }, async (req, reply) => {
      const workflowId = read.workflowId(req.params.id);
      try {
        const handle = opts.client.workflow.getHandle(workflowId);
        const state = await opts.client.withDeadline(Date.now() + timeoutMs, () => handle.query(read.query as QueryDefinition<unknown>));
        return reply.send(state);
      } catch (e) {
        if (e instanceof WorkflowNotFoundError) {
          return sendProblem(reply, problem('not-found', 404, { instance: req.url, detail: `no workflow ${workflowId}: Flywheel has not received an event for this ${read.noun}` }));
        }
        req.log.error({ err: e, workflowId }, `${read.noun} state query failed`);
        return sendProblem(reply, problem('temporal-unavailable', 503, { instance: req.url, detail: `Temporal did not answer the state query for ${workflowId}` }));
      }
    });
  }
}
