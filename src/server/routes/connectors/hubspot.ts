import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { deliverCrmEvents, sendDeliveryFailure, type DeliveredEvent } from '../../../connectors/deliver.ts';
import type { HubSpotInboundOptions } from '../../../connectors/hubspot/inbound.ts';
import { HubSpotReadError } from '../../../connectors/hubspot/reader.ts';
import { verifyHubSpotSignature } from '../../../connectors/hubspot/signature.ts';
import { ignoredRows, parseWebhookBatch, resolveBatch, senderProblems, type ResolvedBatch } from '../../../connectors/hubspot/webhook.ts';
import { problem, sendProblem } from '../../problem.ts';
import { acceptRawBodies, jsonBodyParser, PLAIN_JSON } from '../../rawBody.ts';

export const HUBSPOT_WEBHOOK_PATH = '/v1/connectors/hubspot/webhook';

/**
 * POST /v1/connectors/hubspot/webhook: HubSpot's webhook subscriptions (a JSON array of events, signed with
 * X-HubSpot-Signature-v3). Verified, read through HubSpot's CRM API, delivered to Temporal like POST /v1/events, and
 * answered 202 only once Temporal has every event; anything else is problem+json and acknowledges nothing:
 * - 401: missing, wrong or stale signature (HubSpot does not redeliver a 401: it was not HubSpot)
 * - 400: not a batch of subscription events; 403: events of another app or portal (HubSpot does not redeliver)
 * - 503 + Retry-After: HubSpot's API or Temporal or the ledger did not answer, or the connector lacks its secret or
 *   token; HubSpot delivers the batch again (its retries), and what was delivered before is applied once.
 */
export function registerHubSpotWebhookRoute(app: FastifyInstance, opts: HubSpotInboundOptions): void {
  void app.register(async (scope) => {
    acceptRawBodies(scope, [PLAIN_JSON]);
    const parseJson = jsonBodyParser(scope);

    scope.post(HUBSPOT_WEBHOOK_PATH, async (req, reply) => {
      const instance = req.url;
      if (!Buffer.isBuffer(req.body)) {
        return sendProblem(reply, problem('unsupported-media-type', 415, { instance, detail: `HubSpot posts ${PLAIN_JSON}` }));
      }
      if (!opts.clientSecret) {
        reply.header('retry-after', '300');
        return sendProblem(
          reply,
          problem('crm-unavailable', 503, {
            instance,
            detail: `the HubSpot connector has no client secret (${opts.clientSecretEnv} is not set), so it cannot verify webhooks; HubSpot will deliver them again`,
          }),
        );
      }
      const check = verifyHubSpotSignature({
        secret: opts.clientSecret,
        method: req.method,
        uri: requestUri(req, opts.hubspot.publicUrl),
        body: req.body,
        headers: req.headers,
        versions: opts.versions,
        toleranceSeconds: opts.toleranceSeconds,
        nowMs: (opts.now ?? Date.now)(),
      });
      if (!check.ok) {
        req.log.warn({ reason: check.reason }, 'HubSpot webhook refused: signature');
        reply.header('www-authenticate', 'HubSpot-Signature-v3');
        return sendProblem(reply, problem('unauthorized', 401, { instance, detail: check.reason }));
      }

      const parsed = await parseJson(req, req.body);
      if (!parsed.ok) return sendProblem(reply, problem('validation-error', 400, { instance, detail: parsed.detail, errors: [{ pointer: '', detail: parsed.detail }] }));
      const batch = parseWebhookBatch(parsed.value);
      if (!batch.ok) return sendProblem(reply, problem('validation-error', 400, { instance, detail: batch.detail, errors: batch.errors }));
      const foreign = senderProblems(batch.events, opts.hubspot);
      if (foreign.length > 0) {
        const fields = [...new Set(foreign.map((f) => f.pointer.split('/').pop()))].join(' and ');
        return sendProblem(
          reply,
          problem('forbidden', 403, {
            instance,
            detail: `events of another HubSpot ${fields === 'appId' ? 'app' : fields === 'portalId' ? 'portal' : 'app or portal'} (${fields}); nothing of the batch was applied`,
            errors: foreign,
          }),
        );
      }
      if (!opts.reader) {
        reply.header('retry-after', '300');
        return sendProblem(
          reply,
          problem('crm-unavailable', 503, {
            instance,
            detail: `the HubSpot connector has no access token (${opts.accessTokenEnv} is not set), so it cannot read the records; HubSpot will deliver the batch again`,
          }),
        );
      }

      let resolved: ResolvedBatch;
      try {
        resolved = await resolveBatch(batch.events, { config: opts.config, reader: opts.reader, knownLeads: (ids) => knownLeads(opts, ids) });
      } catch (e) {
        return notResolved(req, reply, e);
      }

      if (resolved.dropped.length > 0) req.log.warn({ dropped: resolved.dropped.slice(0, 50) }, 'HubSpot values left out by the field mapping (record, fact and property names only)');
      let delivered: DeliveredEvent[];
      try {
        delivered = await deliverCrmEvents({ sink: opts.sink, ledger: opts.ledger, log: req.log }, resolved.events);
      } catch (e) {
        return sendDeliveryFailure(req, reply, e);
      }
      try {
        if (resolved.ignored.length > 0) await opts.ledger.record(ignoredRows(resolved.ignored));
      } catch (err) {
        // The events are in Temporal; HubSpot's redelivery is deduplicated, and records the ignored ones then.
        req.log.error({ err }, 'could not record ignored HubSpot events');
        reply.header('retry-after', '5');
        return sendProblem(
          reply,
          problem('ledger-unavailable', 503, { instance, detail: 'the events were delivered, but the ignored ones could not be recorded; deliver the batch again (repeats are applied once)' }),
        );
      }
      return reply.code(202).send({
        accepted: delivered.map((d) => ({ id: d.id, source: d.source, type: d.type, workflowId: d.workflowId, duplicate: d.duplicate })),
        ignored: resolved.ignored.map((i) => ({ id: i.identity, subscriptionType: i.event.subscriptionType, objectId: String(i.event.objectId), kind: i.kind, reason: i.reason })),
      });
    });
  });
}

function notResolved(req: FastifyRequest, reply: FastifyReply, e: unknown): FastifyReply {
  const instance = req.url;
  if (e instanceof HubSpotReadError) {
    req.log.warn({ status: e.status, reason: e.message }, 'HubSpot read failed; the webhook batch is refused for redelivery');
    reply.header('retry-after', String(e.retryAfterSeconds));
    return sendProblem(reply, problem('crm-unavailable', 503, { instance, detail: `${e.message}; nothing of the batch was applied, HubSpot will deliver it again` }));
  }
  req.log.error({ err: e }, 'could not resolve a HubSpot webhook batch');
  reply.header('retry-after', '5');
  return sendProblem(reply, problem('ledger-unavailable', 503, { instance, detail: 'the ledger did not answer while the batch was resolved; nothing of the batch was applied' }));
}

/** Lead ids Flywheel already has rows for (company changes reach those leads only). */
async function knownLeads(opts: HubSpotInboundOptions, ids: string[]): Promise<Set<string>> {
  const rows = await opts.ledger.query<{ lead_id: string }>('SELECT DISTINCT lead_id FROM ledger_events WHERE lead_id = ANY($1::text[])', [ids]);
  return new Set(rows.map((r) => r.lead_id));
}

const first = (v: string | string[] | undefined): string | undefined => (Array.isArray(v) ? v[0] : v)?.split(',')[0]?.trim() || undefined;

/**
 * The URL HubSpot called, as its v2/v3 signatures cover it. With `publicUrl` (the target URL configured in the
 * HubSpot app): that URL, with the query string the request arrived with. Without it: rebuilt from the request,
 * through X-Forwarded-Proto / X-Forwarded-Host when a proxy in front sets them, else the Host header.
 */
export function requestUri(req: FastifyRequest, publicUrl?: string): string {
  const target = req.raw.url ?? req.url;
  const q = target.indexOf('?');
  if (publicUrl) {
    const [base = publicUrl, own] = publicUrl.split('?', 2);
    return `${base}${q >= 0 ? target.slice(q) : own !== undefined ? `?${own}` : ''}`;
  }
  const encrypted = (req.raw.socket as { encrypted?: boolean }).encrypted === true;
  const proto = first(req.headers['x-forwarded-proto']) ?? (encrypted ? 'https' : 'http');
  const host = first(req.headers['x-forwarded-host']) ?? req.headers.host ?? 'localhost';
  return `${proto}://${host}${target}`;
}
