import Fastify, { type FastifyError, type FastifyInstance } from 'fastify';
import { problem, sendProblem } from './problem.ts';
import { registerDevSinkRoutes, type DevSinkOptions } from './routes/devSink.ts';
import { registerEventRoutes, type IngestOptions } from './routes/events.ts';
import { registerHealthRoutes, type HealthChecks } from './routes/health.ts';
import { registerOpenApiRoutes } from './routes/openapi.ts';
import { registerProblemRoutes } from './routes/problems.ts';
import { registerStateRoutes, type StateReadOptions } from './routes/workflowState.ts';

export const MAX_BODY_BYTES = 1024 * 1024;

export interface AppOptions {
  checks: HealthChecks;
  bodyLimitBytes?: number;
  logger?: boolean;
  /** POST /v1/events. */
  ingest?: IngestOptions;
  /** GET /v1/leads/:id and /v1/accounts/:id; reads are signed with the ingest secret when there is one. */
  reads?: Omit<StateReadOptions, 'auth'>;
  /** The stand-in CRM of `flywheel dev` at /v1/dev/crm-sink; never in production. */
  devSink?: boolean | DevSinkOptions;
}

/** The ingest API. Every error leaves as RFC 9457 problem+json, including the ones fastify raises itself. */
export function buildApp(opts: AppOptions): FastifyInstance {
  const app = Fastify({
    bodyLimit: Math.min(opts.bodyLimitBytes ?? MAX_BODY_BYTES, MAX_BODY_BYTES),
    logger: opts.logger ? { level: 'info', redact: ['req.headers.authorization', 'req.headers["x-flywheel-signature"]'] } : false,
    return503OnClosing: true,
  });

  app.setErrorHandler((err: FastifyError, req, reply) => {
    const instance = req.url;
    if (err.code === 'FST_ERR_CTP_BODY_TOO_LARGE' || err.statusCode === 413) {
      return sendProblem(reply, problem('payload-too-large', 413, { instance, detail: `bodies are limited to ${app.initialConfig.bodyLimit} bytes` }));
    }
    if (err.code === 'FST_ERR_CTP_INVALID_MEDIA_TYPE' || err.statusCode === 415) {
      return sendProblem(reply, problem('unsupported-media-type', 415, { instance, detail: err.message }));
    }
    if (err.validation) {
      const errors = err.validation.map((v) => ({ pointer: v.instancePath || '/', detail: v.message ?? 'invalid' }));
      return sendProblem(reply, problem('validation-error', 400, { instance, detail: `${errors.length} invalid field(s)`, errors }));
    }
    if (err.statusCode && err.statusCode >= 400 && err.statusCode < 500) {
      return sendProblem(reply, problem('validation-error', err.statusCode, { instance, detail: err.message }));
    }
    req.log.error({ err }, 'unhandled error');
    return sendProblem(reply, problem('internal-error', 500, { instance }));
  });

  app.setNotFoundHandler((req, reply) =>
    sendProblem(reply, problem('not-found', 404, { instance: req.url, detail: `no route for ${req.method} ${req.url}` })),
  );

  registerHealthRoutes(app, opts.checks);
  registerProblemRoutes(app);
  registerOpenApiRoutes(app, { devSink: Boolean(opts.devSink), bodyLimitBytes: app.initialConfig.bodyLimit ?? MAX_BODY_BYTES });
  if (opts.ingest) registerEventRoutes(app, opts.ingest);
  if (opts.reads) {
    const { secret, toleranceSeconds } = opts.ingest ?? {};
    registerStateRoutes(app, { ...opts.reads, auth: secret && toleranceSeconds ? { secret, toleranceSeconds } : undefined });
  }
  if (opts.devSink) registerDevSinkRoutes(app, opts.devSink === true ? {} : opts.devSink);
  return app;
}
