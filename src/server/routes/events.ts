import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { CrmEvent } from '../../events/catalog.ts';
import { validateBatch, validateEvent } from '../../events/validate.ts';
import { recordReceipts } from '../../ingest/receipts.ts';
import { DeliveryError, type DeliveryResult, type EventSink } from '../../ingest/temporalSink.ts';
import type { Ledger } from '../../ledger/types.ts';
import { classifyDeliveryFailure } from '../deliveryFailure.ts';
import { problem, sendProblem } from '../problem.ts';
import { acceptRawBodies, CLOUDEVENTS_BATCH_JSON, CLOUDEVENTS_JSON, jsonBodyParser, mediaTypeOf, PLAIN_JSON } from '../rawBody.ts';
import { signatureGuard } from '../signatureGuard.ts';

export interface IngestOptions {
  sink: EventSink;
  ledger: Ledger;
  /** Unset only in `flywheel dev` or with `serve --insecure-no-signature`: then events are not authenticated. */
  secret?: string;
  toleranceSeconds: number;
}

export const EVENT_MEDIA_TYPES = [CLOUDEVENTS_JSON, CLOUDEVENTS_BATCH_JSON, PLAIN_JSON] as const;

export interface AcceptedEvent {
  id: string;
  source: string;
  type: string;
  workflowId: string;
  /** null when the receipt store could not be asked; the event itself was accepted by Temporal. */
  duplicate: boolean | null;
}

export function registerEventRoutes(app: FastifyInstance, opts: IngestOptions): void {
  void app.register(async (scope) => {
    acceptRawBodies(scope, EVENT_MEDIA_TYPES);
    const parseJson = jsonBodyParser(scope);
    const preHandler = opts.secret ? signatureGuard({ secret: opts.secret, toleranceSeconds: opts.toleranceSeconds }) : [];

    scope.post('/v1/events', { preHandler }, async (req, reply) => {
      const instance = req.url;
      if (!Buffer.isBuffer(req.body)) {
        return sendProblem(reply, problem('unsupported-media-type', 415, { instance, detail: `send a body as ${EVENT_MEDIA_TYPES.join(', ')}` }));
      }
      const parsed = await parseJson(req, req.body);
      if (!parsed.ok) return invalid(reply, instance, parsed.detail, [{ pointer: '', detail: parsed.detail }]);

      const batch = mediaTypeOf(req) === CLOUDEVENTS_BATCH_JSON;
      const body = parsed.value;
      if (batch && !Array.isArray(body)) {
        return invalid(reply, instance, `${CLOUDEVENTS_BATCH_JSON} must be a JSON array of events`, [{ pointer: '', detail: 'must be an array' }]);
      }
      if (!batch && (typeof body !== 'object' || body === null || Array.isArray(body))) {
        const detail = `a single event must be a JSON object${Array.isArray(body) ? `; send arrays as ${CLOUDEVENTS_BATCH_JSON}` : ''}`;
        return invalid(reply, instance, detail, [{ pointer: '', detail: 'must be an object' }]);
      }

      const errors = batch ? validateBatch(body as unknown[]) : validateEvent(body);
      if (errors.length > 0) {
        const bad = batch ? [...new Set(errors.map((e) => e.pointer.split('/')[1]).filter((i) => i !== undefined && i !== ''))] : [];
        const which = bad.length > 0 ? `; invalid event(s) at index ${bad.join(', ')}; nothing of the batch was delivered` : '';
        return invalid(reply, instance, `${errors.length} invalid field(s)${which}`, errors);
      }
      const events = (batch ? body : [body]) as CrmEvent[];

      let delivered: DeliveryResult[];
      try {
        delivered = await opts.sink.deliver(events);
      } catch (e) {
        return notDelivered(req, reply, e, opts.ledger, events, batch);
      }
      const duplicates = await receipts(req, opts.ledger, delivered);
      return reply.code(202).send({ accepted: summarise(delivered, duplicates) });
    });
  });
}

function invalid(reply: FastifyReply, instance: string, detail: string, errors: { pointer: string; detail: string }[]) {
  return sendProblem(reply, problem('validation-error', 400, { instance, detail, errors }));
}

/**
 * Names what Temporal took before it failed: those are safe, and a redelivery of the whole request is deduplicated.
 * Only Temporal being unavailable is a 503 with Retry-After; an event Temporal cannot carry is the caller's (422),
 * since retrying it would fail forever, and anything else is ours (500).
 */
async function notDelivered(req: FastifyRequest, reply: FastifyReply, e: unknown, ledger: Ledger, events: CrmEvent[], batch: boolean) {
  const accepted = e instanceof DeliveryError ? e.accepted : [];
  const failed = e instanceof DeliveryError ? e.failed : [];
  const kind = classifyDeliveryFailure(e);
  // Temporal's message can name internal addresses: it goes to the log, not to the caller.
  req.log.error({ err: e, kind, failed: failed.map((f) => f.workflowId) }, 'Temporal did not accept events');
  const duplicates = await receipts(req, ledger, accepted);
  const workflows = [...new Set(failed.map((f) => f.workflowId))].join(', ') || 'this request';
  const lists = {
    accepted: summarise(accepted, duplicates),
    failed: failed.map((f) => ({ id: f.event.id, source: f.event.source, type: f.event.type, workflowId: f.workflowId })),
  };
  const instance = req.url;
  if (kind === 'caller') {
    // The events are valid by the schema and the limits, so this is a gap in the validation: say which event.
    const errors = failed.map((f) => ({
      pointer: batch ? `/${events.indexOf(f.event)}` : '',
      detail: 'Temporal cannot encode this event (e.g. a value it cannot serialise or a string that is not valid Unicode)',
    }));
    return sendProblem(
      reply,
      problem('undeliverable-event', 422, {
        instance,
        detail: `Temporal refused the content of the event(s) for ${workflows}; those in "accepted" were delivered. Fix the event: a retry fails the same way.`,
        errors,
        ...lists,
      }),
    );
  }
  if (kind === 'unavailable') {
    reply.header('retry-after', '5');
    return sendProblem(
      reply,
      problem('temporal-unavailable', 503, {
        instance,
        detail: `Temporal did not accept the event(s) for ${workflows}; those in "accepted" were delivered. Retry the whole request: repeats are ignored.`,
        ...lists,
      }),
    );
  }
  return sendProblem(
    reply,
    problem('internal-error', 500, { instance, detail: `the event(s) for ${workflows} were not delivered, for a reason the server's log names; those in "accepted" were delivered`, ...lists }),
  );
}

/** Receipts are informational (the workflow dedups on its own), so a ledger outage must not fail an accepted event. */
async function receipts(req: FastifyRequest, ledger: Ledger, delivered: DeliveryResult[]): Promise<(boolean | null)[]> {
  try {
    return await recordReceipts(ledger, delivered);
  } catch (err) {
    req.log.error({ err }, 'could not write ingest receipts; duplicate flags are unknown');
    return delivered.map(() => null);
  }
}

function summarise(delivered: DeliveryResult[], duplicates: (boolean | null)[]): AcceptedEvent[] {
  return delivered.map((d, i) => ({ id: d.event.id, source: d.event.source, type: d.event.type, workflowId: d.workflowId, duplicate: duplicates[i] ?? null }));
}
