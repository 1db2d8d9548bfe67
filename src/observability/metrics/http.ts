import { createServer, type Server } from 'node:http';
import type { FastifyInstance, FastifyRequest } from 'fastify';
import { HUBSPOT_WEBHOOK_PATH } from '../../server/routes/connectors/hubspot.ts';
import { OUTBOUND_MESSAGE_PATH } from '../../server/routes/connectors/salesforce.ts';
import { entityOf } from '../logs.ts';
import { eventTypeLabel, OTHER, statusLabel, type FlywheelMetrics } from './flywheelMetrics.ts';

export const METRICS_PATH = '/metrics';

/** The routes CRM events arrive on, and their `route` label. */
const INGEST_ROUTES: Record<string, string> = { '/v1/events': 'events', [HUBSPOT_WEBHOOK_PATH]: 'hubspot', [OUTBOUND_MESSAGE_PATH]: 'salesforce' };

/**
 * GET /metrics (Prometheus text) and the ingest counter: every answer of an ingest route counts its events by type,
 * outcome and status, and logs one line naming the leads and accounts it concerned (ids only, never the events).
 * Added before the routes are registered, so the hook reaches the routes' own scopes.
 */
export function registerMetricsRoutes(app: FastifyInstance, metrics: FlywheelMetrics): void {
  app.get(METRICS_PATH, { logLevel: 'warn' }, async (_req, reply) => reply.type(metrics.contentType).send(await metrics.text()));
  app.addHook('onSend', async (req, reply, payload) => {
    const route = INGEST_ROUTES[req.routeOptions.url ?? ''];
    if (route) {
      const events = ingestOutcome(req, reply.statusCode, payload);
      for (const e of events) metrics.events.inc({ route, type: e.type, outcome: e.outcome, status: statusLabel(reply.statusCode) });
      const ids = events.flatMap((e) => (e.workflowId ? [entityOf(e.workflowId)] : []));
      req.log.info(
        { route, status: reply.statusCode, leadIds: ids.flatMap((i) => i.leadId ?? []), accountIds: ids.flatMap((i) => i.accountId ?? []) },
        `ingest: ${events.filter((e) => e.outcome === 'accepted').length} accepted, ${events.filter((e) => e.outcome === 'rejected').length} rejected`,
      );
    }
    return payload;
  });
}

interface Counted {
  type: string;
  outcome: 'accepted' | 'rejected';
  workflowId?: string;
}

/**
 * The events of one answer. An answer listing them (`accepted`, `failed`: 202 and partial deliveries) names each;
 * a refused CloudEvents request counts the events it sent (their types when readable); any other answer (a
 * connector's acknowledgement or refusal, whose CRM records have no Flywheel type yet) counts one `other`.
 */
export function ingestOutcome(req: FastifyRequest, status: number, payload: unknown): Counted[] {
  const answer = typeof payload === 'string' ? parseJson(payload) : undefined;
  const accepted = listOf(answer, 'accepted');
  const failed = listOf(answer, 'failed');
  if (accepted.length + failed.length > 0) {
    const entry = (outcome: Counted['outcome']) => (e: Record<string, unknown>) => ({
      type: eventTypeLabel(e.type),
      outcome,
      workflowId: typeof e.workflowId === 'string' ? e.workflowId : undefined,
    });
    return [...accepted.map(entry('accepted')), ...failed.map(entry('rejected'))];
  }
  const outcome = status < 300 ? 'accepted' : 'rejected';
  if (outcome === 'rejected' && req.routeOptions.url === '/v1/events' && Buffer.isBuffer(req.body)) {
    const sent = parseJson(req.body.toString('utf8'));
    const events = Array.isArray(sent) ? sent : sent && typeof sent === 'object' ? [sent] : [];
    if (events.length > 0) return events.map((e) => ({ type: eventTypeLabel((e as { type?: unknown } | null)?.type), outcome }));
  }
  return [{ type: OTHER, outcome }];
}

function parseJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return undefined;
  }
}

function listOf(answer: unknown, key: string): Record<string, unknown>[] {
  const list = (answer as Record<string, unknown> | undefined)?.[key];
  return Array.isArray(list) ? list.filter((e): e is Record<string, unknown> => typeof e === 'object' && e !== null) : [];
}

export const WORKER_METRICS_ADDRESS_ENV = 'FLYWHEEL_WORKER_METRICS_ADDRESS';
export const DEFAULT_WORKER_METRICS_ADDRESS = '127.0.0.1:9464';

/**
 * `flywheel worker` has no API: this serves its GET /metrics alone, on FLYWHEEL_WORKER_METRICS_ADDRESS
 * (host:port, default 127.0.0.1:9464; `off` serves nothing). Resolves once listening.
 */
export async function serveWorkerMetrics(metrics: FlywheelMetrics, env: NodeJS.ProcessEnv = process.env): Promise<{ url: string; close(): Promise<void> } | undefined> {
  const address = env[WORKER_METRICS_ADDRESS_ENV]?.trim() || DEFAULT_WORKER_METRICS_ADDRESS;
  if (address === 'off') return undefined;
  const at = address.lastIndexOf(':');
  const host = address.slice(0, at).replace(/^\[|\]$/g, '');
  const port = Number(address.slice(at + 1));
  if (at < 0 || !Number.isInteger(port) || port < 0 || port > 65535) throw new Error(`${WORKER_METRICS_ADDRESS_ENV} must be host:port or off, got ${JSON.stringify(address)}`);
  const server: Server = createServer((req, res) => {
    if (req.method !== 'GET' || req.url?.split('?')[0] !== METRICS_PATH) {
      res.writeHead(404, { 'content-type': 'text/plain' }).end('not found: GET /metrics\n');
      return;
    }
    metrics.text().then(
      (text) => res.writeHead(200, { 'content-type': metrics.contentType }).end(text),
      (e: Error) => res.writeHead(500, { 'content-type': 'text/plain' }).end(`metrics failed: ${e.message}\n`),
    );
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', (e: Error) => reject(new Error(`cannot serve the worker's metrics on ${address} (${e.message}): set ${WORKER_METRICS_ADDRESS_ENV} to a free host:port, or to off`)));
    server.listen(port, host, () => resolve());
  });
  const bound = server.address() as { address: string; port: number };
  const shown = bound.address.includes(':') ? `[${bound.address}]` : bound.address;
  return {
    url: `http://${shown}:${bound.port}${METRICS_PATH}`,
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}
