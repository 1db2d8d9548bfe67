import type { FastifyReply, FastifyRequest } from 'fastify';
import type { CrmEvent } from '../events/catalog.ts';
import { validateBatch, type FieldError } from '../events/validate.ts';
import { recordReceipts } from '../ingest/receipts.ts';
import { DeliveryError, type DeliveryResult, type EventSink } from '../ingest/temporalSink.ts';
import type { Ledger } from '../ledger/types.ts';
import { classifyDeliveryFailure, type DeliveryFailureKind } from '../server/deliveryFailure.ts';
import { problem, sendProblem, type Problem } from '../server/problem.ts';

/**
 * The one path from a CRM connector into Flywheel, the same as `POST /v1/events`: validate every event (the whole
 * batch or nothing), hand them to Temporal (EventSink.deliver resolves only once Temporal has each signal), then
 * record ingest receipts. A connector acknowledges its CRM only after `deliverCrmEvents` resolved.
 */

export interface DeliverDeps {
  sink: EventSink;
  ledger: Ledger;
  /** Receipt failures are logged here (they never fail an accepted event). */
  log?: { error(obj: unknown, msg?: string): void };
}

/** What Temporal accepted, per event in batch order; `duplicate` is null when the receipt store did not answer. */
export interface DeliveredEvent {
  id: string;
  source: string;
  type: string;
  subject: string;
  workflowId: string;
  key: string;
  duplicate: boolean | null;
}

/** The connector built events the schema refuses: a bug in a mapping, nothing was delivered. */
export class InvalidEventsError extends Error {
  constructor(readonly errors: FieldError[]) {
    super(
      `${errors.length} invalid field(s) in the events built from the CRM: ${errors
        .slice(0, 3)
        .map((e) => `${e.pointer} ${e.detail}`)
        .join('; ')}`,
    );
    this.name = 'InvalidEventsError';
  }
}

/**
 * Validates, delivers and records receipts. Resolves with every event's result (an empty list delivers nothing);
 * throws InvalidEventsError before anything is delivered, or the sink's DeliveryError (which names what Temporal
 * took before it failed; receipts for those are recorded first, so a redelivery reports them as duplicates).
 */
export async function deliverCrmEvents(deps: DeliverDeps, events: CrmEvent[]): Promise<DeliveredEvent[]> {
  if (events.length === 0) return [];
  const errors = validateBatch(events);
  if (errors.length > 0) throw new InvalidEventsError(errors);
  let delivered: DeliveryResult[];
  try {
    delivered = await deps.sink.deliver(events);
  } catch (e) {
    if (e instanceof DeliveryError && e.accepted.length > 0) await receipts(deps, e.accepted);
    throw e;
  }
  const duplicates = await receipts(deps, delivered);
  return delivered.map((d, i) => ({
    id: d.event.id,
    source: d.event.source,
    type: d.event.type,
    subject: d.event.subject,
    workflowId: d.workflowId,
    key: d.key,
    duplicate: duplicates[i] ?? null,
  }));
}

/** Receipts are informational (the workflow dedups on its own), so a ledger outage must not fail an accepted event. */
async function receipts(deps: DeliverDeps, delivered: DeliveryResult[]): Promise<(boolean | null)[]> {
  try {
    return await recordReceipts(deps.ledger, delivered);
  } catch (err) {
    deps.log?.error({ err }, 'could not write ingest receipts; duplicate flags are unknown');
    return delivered.map(() => null);
  }
}

/** How a connector route answers a failed delivery: status, problem and, for 503, a Retry-After in seconds. */
export interface DeliveryFailureAnswer {
  kind: DeliveryFailureKind | 'invalid';
  problem: Problem;
  retryAfterSeconds?: number;
}

/**
 * The answer to a CRM whose events were not (all) delivered. Temporal unavailable: 503 + Retry-After so the CRM
 * redelivers (repeats are deduplicated by the events' ids). Events Temporal cannot carry, or events our own mapping
 * built invalid: the CRM cannot fix either by retrying, but acknowledging would lose them, so they are 500 and
 * logged; the operator fixes the mapping and the CRM's redelivery then succeeds.
 */
export function deliveryFailureAnswer(e: unknown, instance: string): DeliveryFailureAnswer {
  if (e instanceof InvalidEventsError) {
    return {
      kind: 'invalid',
      problem: problem('internal-error', 500, {
        instance,
        detail: 'the events built from the CRM records are not valid Flywheel events (the field mapping needs a fix; the server log names the fields); nothing was delivered',
      }),
    };
  }
  const accepted = e instanceof DeliveryError ? e.accepted.map((d) => ({ id: d.event.id, source: d.event.source, type: d.event.type, workflowId: d.workflowId })) : [];
  const failed = e instanceof DeliveryError ? e.failed.map((f) => ({ id: f.event.id, source: f.event.source, type: f.event.type, workflowId: f.workflowId })) : [];
  const kind = classifyDeliveryFailure(e);
  if (kind === 'unavailable') {
    return {
      kind,
      retryAfterSeconds: 5,
      problem: problem('temporal-unavailable', 503, {
        instance,
        detail: 'Temporal did not accept the events; those in "accepted" were delivered. The whole request may be retried: repeats are ignored.',
        accepted,
        failed,
      }),
    };
  }
  if (kind === 'caller') {
    return {
      kind,
      problem: problem('undeliverable-event', 500, { instance, detail: 'Temporal refused the content of an event built from the CRM records; the server log names it', accepted, failed }),
    };
  }
  return {
    kind,
    problem: problem('internal-error', 500, { instance, detail: 'the events were not delivered, for a reason the server log names; those in "accepted" were delivered', accepted, failed }),
  };
}

/** Logs and sends `deliveryFailureAnswer` (a route's catch block). Never logs event data (it may be personal). */
export function sendDeliveryFailure(req: FastifyRequest, reply: FastifyReply, e: unknown): FastifyReply {
  const answer = deliveryFailureAnswer(e, req.url);
  const fields = e instanceof InvalidEventsError ? e.errors.map((x) => x.pointer + ' ' + x.detail) : undefined;
  req.log.error({ err: e instanceof InvalidEventsError ? { message: 'invalid events' } : e, kind: answer.kind, fields }, 'CRM events were not delivered');
  if (answer.retryAfterSeconds !== undefined) reply.header('retry-after', String(answer.retryAfterSeconds));
  return sendProblem(reply, answer.problem);
}
