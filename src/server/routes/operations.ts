import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { Client } from '@temporalio/client';
import type { FlywheelConfig } from '../../config/types.ts';
import type { Ledger } from '../../ledger/types.ts';
import { buildOperationsModel, type OperationsContext } from '../ops/model.ts';
import { renderOperationsPage } from '../ops/html.ts';
import { readOperationsInput, type OperationsReadDeps } from '../ops/read.ts';
import { problem, sendProblem } from '../problem.ts';
import { bearerToken, sharedToken } from '../sharedToken.ts';

export const OPS_TOKEN_ENV = 'FLYWHEEL_OPS_TOKEN';
export const TEMPORAL_UI_URL_ENV = 'FLYWHEEL_TEMPORAL_UI_URL';

export interface OperationsPageOptions {
  ledger: Pick<Ledger, 'query'>;
  client?: Client;
  rules?: OperationsReadDeps['rules'];
  config: Pick<FlywheelConfig, 'organisation' | 'reps' | 'queues'>;
  /** The Temporal Web UI every row links to (the dev server's UI in `flywheel dev`); absent: no links. */
  temporalUiUrl?: string;
  /** When set, every request needs it: `Authorization: Bearer <token>`, or Basic with it as the password. */
  token?: string;
  /** The page's clock (default the wall clock; a time-skipping test passes the server's). */
  now?: () => number | Promise<number>;
}

/** The page's settings from the environment: its token and the Temporal UI address. */
export function operationsFromEnvironment(env: NodeJS.ProcessEnv = process.env): Pick<OperationsPageOptions, 'token' | 'temporalUiUrl'> {
  return { token: env[OPS_TOKEN_ENV]?.trim() || undefined, temporalUiUrl: env[TEMPORAL_UI_URL_ENV]?.trim() || undefined };
}

/** The password of an `Authorization: Basic` header (a browser's login prompt; the user name is ignored). */
function basicPassword(req: FastifyRequest): string | undefined {
  const b64 = /^Basic +(\S+) *$/i.exec(req.headers.authorization ?? '')?.[1];
  if (!b64) return undefined;
  const text = Buffer.from(b64, 'base64').toString('utf8');
  const colon = text.indexOf(':');
  return colon < 0 ? undefined : text.slice(colon + 1);
}

/**
 * GET /operations (the page) and GET /v1/operations (its data as JSON): the live SLA board, load, routing share and
 * rules revisions. Ids, owners and times only, but still an operator's view: with a token, nothing without it.
 */
export function registerOperationsRoutes(app: FastifyInstance, opts: OperationsPageOptions): void {
  const matches = opts.token ? sharedToken(opts.token) : undefined;
  const guard = async (req: FastifyRequest, reply: FastifyReply) => {
    if (!matches || matches(bearerToken(req)) || matches(basicPassword(req))) return;
    reply.header('www-authenticate', 'Basic realm="Flywheel operations", charset="UTF-8"');
    return sendProblem(reply, problem('unauthorized', 401, { instance: req.url, detail: `the operations page needs the token from ${OPS_TOKEN_ENV} (Bearer, or Basic as the password)` }));
  };
  const context: OperationsContext = {
    timezone: opts.config.organisation.timezone,
    reps: opts.config.reps.map(({ id, team, weight, capacity, active }) => ({ id, team, weight, capacity, active })),
    queues: (opts.config.queues ?? []).map(({ id, team, strategy, members }) => ({ id, team, strategy, members })),
    temporalUi: opts.temporalUiUrl ? { url: opts.temporalUiUrl, namespace: opts.client?.options.namespace ?? 'default' } : null,
  };
  const model = async (req: FastifyRequest, reply: FastifyReply) => {
    try {
      const now = await (opts.now ?? Date.now)();
      const input = await readOperationsInput({ ledger: opts.ledger, client: opts.client, rules: opts.rules, timezone: context.timezone }, now);
      return buildOperationsModel(input, context);
    } catch (e) {
      req.log.error({ err: e }, 'operations read failed');
      await sendProblem(reply, problem('ledger-unavailable', 503, { instance: req.url, detail: 'the ledger did not answer the operations read' }));
      return undefined;
    }
  };
  app.get('/v1/operations', { preHandler: guard }, async (req, reply) => {
    const m = await model(req, reply);
    if (m) return reply.header('cache-control', 'no-store').send(m);
  });
  app.get('/operations', { preHandler: guard }, async (req, reply) => {
    const m = await model(req, reply);
    if (m) return reply.header('cache-control', 'no-store').type('text/html; charset=utf-8').send(renderOperationsPage(m));
  });
}
