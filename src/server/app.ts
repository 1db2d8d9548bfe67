import Fastify, { type FastifyBaseLogger, type FastifyInstance } from 'fastify';
import { MAX_PARAM_LENGTH } from '../limits.ts';
import { clientErrorHandler, frameworkErrors, registerProblemHandlers } from './frameworkErrors.ts';
import { registerDevSinkRoutes, type DevSinkOptions } from './routes/devSink.ts';
import { registerEventRoutes, type IngestOptions } from './routes/events.ts';
import { registerHealthRoutes, type HealthChecks } from './routes/health.ts';
import { registerOpenApiRoutes } from './routes/openapi.ts';
import { registerProblemRoutes } from './routes/problems.ts';
import { registerStateRoutes, type StateReadOptions } from './routes/workflowState.ts';
import { registerDecisionRoutes, type DecisionReadOptions } from './routes/decisions.ts';
import { registerHubSpotWebhookRoute } from './routes/connectors/hubspot.ts';
import type { HubSpotInboundOptions } from '../connectors/hubspot/inbound.ts';
import { registerSalesforceRoutes, type SalesforceRouteOptions } from './routes/connectors/salesforce.ts';
import { registerCodecRoutes, type CodecEndpointOptions } from './routes/codec.ts';
import type { FlywheelMetrics } from '../observability/metrics/flywheelMetrics.ts';
import { registerMetricsRoutes } from '../observability/metrics/http.ts';
import { registerHttpTracing } from '../observability/tracing/http.ts';
import { registerOperationsRoutes, type OperationsPageOptions } from './routes/operations.ts';

export const MAX_BODY_BYTES = 1024 * 1024;

export interface AppOptions {
  checks: HealthChecks;
  bodyLimitBytes?: number;
  logger?: boolean;
  /** A JSON logger of its own (src/observability/logs.ts, redacting); takes the place of `logger`. */
  log?: FastifyBaseLogger;
  /** GET /metrics and the ingest counters (src/observability/metrics/). */
  metrics?: FlywheelMetrics;
  /** POST /v1/events. */
  ingest?: IngestOptions;
  /** GET /v1/leads/:id and /v1/accounts/:id; reads are signed with the ingest secret when there is one. */
  reads?: Omit<StateReadOptions, 'auth'>;
  /** GET /v1/leads/:id/decisions and /v1/accounts/:id/decisions, from the ledger; signed like `reads`. */
  decisions?: Omit<DecisionReadOptions, 'auth'>;
  /** POST /v1/connectors/hubspot/webhook, when connections.hubspot is configured (see hubspotInbound). */
  hubspot?: HubSpotInboundOptions;
  /** POST /v1/connectors/salesforce/outbound-message, when connections.salesforce is configured. */
  salesforce?: SalesforceRouteOptions;
  /** Temporal's codec-server endpoints (/v1/codec/decode, /encode) when payloads are encrypted and a token is set. */
  codec?: CodecEndpointOptions;
  /** The live operations page at /operations and its data at /v1/operations (docs/operations-page.md). */
  operations?: OperationsPageOptions;
  /** The stand-in CRM of `flywheel dev` at /v1/dev/crm-sink; never in production. */
  devSink?: boolean | DevSinkOptions;
}

/** The ingest API. Every error leaves as RFC 9457 problem+json, including the ones fastify raises itself. */
export function buildApp(opts: AppOptions): FastifyInstance {
  const app = Fastify({
    bodyLimit: Math.min(opts.bodyLimitBytes ?? MAX_BODY_BYTES, MAX_BODY_BYTES),
    ...(opts.log ? { loggerInstance: opts.log } : { logger: opts.logger ? { level: 'info', redact: ['req.headers.authorization', 'req.headers["x-flywheel-signature"]'] } : false }),
    // Ids are up to LIMITS.idLength characters, percent-encoded in the path: every accepted one must be readable.
    routerOptions: { maxParamLength: MAX_PARAM_LENGTH },
    frameworkErrors,
    clientErrorHandler,
    // Node's Host check answers without a body; registerProblemHandlers enforces it as problem+json instead.
    http: { requireHostHeader: false },
    return503OnClosing: true,
  });

  registerProblemHandlers(app);
  registerHttpTracing(app);
  // Before the routes: its ingest hook reaches their scopes.
  if (opts.metrics) registerMetricsRoutes(app, opts.metrics);

  registerHealthRoutes(app, opts.checks);
  registerProblemRoutes(app);
  registerOpenApiRoutes(app, {
    devSink: Boolean(opts.devSink),
    bodyLimitBytes: app.initialConfig.bodyLimit ?? MAX_BODY_BYTES,
    hubspot: Boolean(opts.hubspot),
    salesforce: Boolean(opts.salesforce),
    codec: Boolean(opts.codec),
    operations: Boolean(opts.operations),
    metrics: Boolean(opts.metrics),
  });
  if (opts.ingest) registerEventRoutes(app, opts.ingest);
  if (opts.reads) {
    const { secret, toleranceSeconds } = opts.ingest ?? {};
    registerStateRoutes(app, { ...opts.reads, auth: secret && toleranceSeconds ? { secret, toleranceSeconds } : undefined });
  }
  if (opts.decisions) {
    const { secret, toleranceSeconds } = opts.ingest ?? {};
    registerDecisionRoutes(app, { ...opts.decisions, auth: secret && toleranceSeconds ? { secret, toleranceSeconds } : undefined });
  }
  if (opts.hubspot) registerHubSpotWebhookRoute(app, opts.hubspot);
  if (opts.salesforce) registerSalesforceRoutes(app, opts.salesforce);
  if (opts.codec) registerCodecRoutes(app, opts.codec);
  if (opts.operations) registerOperationsRoutes(app, opts.operations);
  if (opts.devSink) registerDevSinkRoutes(app, opts.devSink === true ? {} : opts.devSink);
  return app;
}
