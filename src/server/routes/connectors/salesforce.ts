import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { FlywheelConfig } from '../../../config/types.ts';
import { deliverCrmEvents, deliveryFailureAnswer, InvalidEventsError, type DeliveredEvent } from '../../../connectors/deliver.ts';
import { notificationEvents } from '../../../connectors/salesforce/notificationEvents.ts';
import { ackEnvelope, faultEnvelope, parseOutboundMessage, sameOrganization } from '../../../connectors/salesforce/outboundMessage.ts';
import { DeliveryError, type EventSink } from '../../../ingest/temporalSink.ts';
import type { Ledger } from '../../../ledger/types.ts';
import { problem, type Problem } from '../../problem.ts';
import { acceptRawBodies } from '../../rawBody.ts';
import { sharedToken } from '../../sharedToken.ts';

export const OUTBOUND_MESSAGE_PATH = '/v1/connectors/salesforce/outbound-message';
/** Salesforce posts text/xml; the others are accepted for SOAP clients and hand tests. */
export const SOAP_MEDIA_TYPES = ['text/xml', 'application/xml', 'application/soap+xml'] as const;

export interface SalesforceRouteOptions {
  /** The configuration with `connections.salesforce` (organization id, prefixes, field maps, opportunity stages). */
  config: FlywheelConfig;
  sink: EventSink;
  ledger: Ledger;
  /**
   * The shared token of the endpoint URL (`?token=...`), from the environment variable the configuration names
   * (`connections.salesforce.outboundMessageTokenEnv`). Outbound Messages are not signed: with a token set, a request
   * without it is refused. Unset, only the OrganizationId check (and the network) stands between the endpoint and
   * anyone who knows the org id.
   */
  token?: string;
}

/**
 * POST /v1/connectors/salesforce/outbound-message: Outbound Messages from a Flow in, Flywheel events to Temporal,
 * then the SOAP Ack. The Ack is sent only after Temporal has every event (EventSink.deliver resolved), so a message
 * Salesforce considers delivered is never lost; anything short of that is a SOAP fault, and Salesforce retries.
 * Every answer is SOAP (the caller is Salesforce, and its delivery monitor shows a fault's faultstring); a fault's
 * `detail` carries the problem details (RFC 9457, XML form). Only a body that is not XML at all (another media
 * type) is answered by the framework, as problem+json 415.
 */
export function registerSalesforceRoutes(app: FastifyInstance, opts: SalesforceRouteOptions): void {
  const sf = opts.config.connections?.salesforce;
  if (!sf) throw new Error('connections.salesforce is not configured');
  const expected = opts.token ? sharedToken(opts.token) : null;

  void app.register(async (scope) => {
    acceptRawBodies(scope, SOAP_MEDIA_TYPES);
    // The token is part of the URL, and fastify's request log lines print URLs: with a token, this route's own
    // lines are kept out of the log (errors are still logged, by path only).
    const logLevel = expected ? 'warn' : 'info';

    scope.post(OUTBOUND_MESSAGE_PATH, { logLevel }, async (req, reply) => {
      const instance = OUTBOUND_MESSAGE_PATH;
      if (expected) {
        const given = (req.query as Record<string, unknown>).token;
        if (!expected(given)) {
          return fault(reply, 'Client', problem('unauthorized', 401, { instance, detail: 'the endpoint URL lacks the right token (?token=...); nothing was delivered' }));
        }
      }
      const parsed = parseOutboundMessage(req.body as Buffer);
      if (!parsed.ok) return fault(reply, 'Client', problem('bad-request', 400, { instance, detail: `${parsed.detail}; nothing was delivered` }));
      const message = parsed.message;
      if (!sameOrganization(message.organizationId, sf.organizationId)) {
        req.log.warn({ organizationId: message.organizationId }, 'Outbound Message of another Salesforce org refused');
        return fault(reply, 'Client', problem('forbidden', 403, { instance, detail: `messages of organization ${message.organizationId} are not accepted here; nothing was delivered` }));
      }

      const { events, ignored, problems } = notificationEvents(message, opts.config);
      if (problems.length > 0) req.log.warn({ problems }, 'Outbound Message field values left out of the facts');
      if (ignored.length > 0) req.log.info({ ignored }, 'Outbound Message notifications acknowledged and not used');
      let delivered: DeliveredEvent[];
      try {
        delivered = await deliverCrmEvents({ sink: opts.sink, ledger: opts.ledger, log: req.log }, events);
      } catch (e) {
        return notDelivered(req, reply, e);
      }
      req.log.info(
        { actionId: message.actionId, delivered: delivered.map((d) => ({ id: d.id, type: d.type, workflowId: d.workflowId, duplicate: d.duplicate })), ignored: ignored.length },
        'Outbound Message acknowledged',
      );
      return reply.code(200).type('text/xml; charset=utf-8').send(ackEnvelope());
    });
  });
}

/** Temporal down: 503 + Retry-After (Salesforce retries on its own schedule); anything else: 500. Both are faults. */
function notDelivered(req: FastifyRequest, reply: FastifyReply, e: unknown): FastifyReply {
  const answer = deliveryFailureAnswer(e, OUTBOUND_MESSAGE_PATH);
  const failed = e instanceof DeliveryError ? e.failed.map((f) => f.workflowId) : undefined;
  const fields = e instanceof InvalidEventsError ? e.errors.map((x) => `${x.pointer} ${x.detail}`) : undefined;
  req.log.error({ err: e instanceof InvalidEventsError ? { message: 'invalid events' } : e, kind: answer.kind, failed, fields }, 'Outbound Message not delivered to Temporal');
  if (answer.retryAfterSeconds !== undefined) reply.header('retry-after', String(answer.retryAfterSeconds));
  return fault(reply, 'Server', answer.problem);
}

function fault(reply: FastifyReply, code: 'Client' | 'Server', p: Problem): FastifyReply {
  return reply
    .code(p.status)
    .type('text/xml; charset=utf-8')
    .send(faultEnvelope(code, { type: p.type, title: p.title, status: p.status, detail: p.detail }));
}
