import { WorkflowNotFoundError, type Client } from '@temporalio/client';
import type { FastifyInstance } from 'fastify';
import { leadStateQuery, leadWorkflowId } from '../../../workflows/definitions.ts';
import { problem, sendProblem } from '../problem.ts';
import { requestTargetOf, signatureGuard, type SignatureAuth } from '../signatureGuard.ts';

export interface LeadsOptions {
  client: Client;
  /** Lead state holds contact data: when the API has an ingest secret, reads must be signed with it too. */
  auth?: SignatureAuth;
  /** A query needs a worker to answer; without one it would hang, so the read gives up after this long. */
  timeoutMs?: number;
}

export function registerLeadRoutes(app: FastifyInstance, opts: LeadsOptions): void {
  const timeoutMs = opts.timeoutMs ?? 10_000;
  const preHandler = opts.auth ? signatureGuard(opts.auth, requestTargetOf) : [];
  app.get<{ Params: { id: string } }>('/v1/leads/:id', { preHandler }, async (req, reply) => {
    const workflowId = leadWorkflowId(req.params.id);
    try {
      const handle = opts.client.workflow.getHandle(workflowId);
      const state = await opts.client.withDeadline(Date.now() + timeoutMs, () => handle.query(leadStateQuery));
      return reply.send(state);
    } catch (e) {
      if (e instanceof WorkflowNotFoundError) {
        return sendProblem(reply, problem('not-found', 404, { instance: req.url, detail: `no workflow ${workflowId}: Flywheel has not received an event for this lead` }));
      }
      req.log.error({ err: e, workflowId }, 'lead state query failed');
      return sendProblem(reply, problem('temporal-unavailable', 503, { instance: req.url, detail: `Temporal did not answer the state query for ${workflowId}` }));
    }
  });
}
