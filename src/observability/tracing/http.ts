import { context, propagation, ROOT_CONTEXT, SpanKind, SpanStatusCode, trace, type Context, type Span } from '@opentelemetry/api';
import { ATTR_HTTP_REQUEST_METHOD, ATTR_HTTP_RESPONSE_STATUS_CODE, ATTR_HTTP_ROUTE, ATTR_URL_SCHEME } from '@opentelemetry/semantic-conventions';
import type { FastifyInstance, FastifyRequest } from 'fastify';
import { activeTracing } from './provider.ts';

/**
 * A server span per HTTP request, continuing the caller's W3C `traceparent`, and active while the route's handler
 * runs so the Temporal client's span (signal-with-start) becomes its child. Only the method, route template and
 * status are recorded: never the path's ids, query, headers or body (personal data). Nothing is registered when
 * tracing is off.
 */
// Load balancers' probes and Prometheus' scrapes come every few seconds and would drown the traces that matter.
const UNTRACED = new Set(['/healthz', '/metrics']);

export function registerHttpTracing(app: FastifyInstance): void {
  if (!activeTracing()) return;
  const tracer = trace.getTracer('flywheel-http');
  const spans = new WeakMap<FastifyRequest, { span: Span; ctx: Context }>();

  app.addHook('onRequest', (req, _reply, done) => {
    const route = req.routeOptions.url;
    if (route && UNTRACED.has(route)) return done();
    const parent = propagation.extract(ROOT_CONTEXT, req.headers);
    const span = tracer.startSpan(
      route ? `${req.method} ${route}` : req.method,
      { kind: SpanKind.SERVER, attributes: { [ATTR_HTTP_REQUEST_METHOD]: req.method, [ATTR_URL_SCHEME]: req.protocol, ...(route ? { [ATTR_HTTP_ROUTE]: route } : {}) } },
      parent,
    );
    const ctx = trace.setSpan(parent, span);
    spans.set(req, { span, ctx });
    context.with(ctx, done);
  });
  // The body is read between onRequest and here, in the socket's async context: the span is made active again
  // for the rest of the chain, which fastify runs from this callback (route hooks, then the handler).
  app.addHook('preHandler', (req, _reply, done) => {
    const s = spans.get(req);
    if (s) context.with(s.ctx, done);
    else done();
  });
  const end = (req: FastifyRequest, status?: number) => {
    const s = spans.get(req);
    if (!s) return;
    spans.delete(req);
    if (status !== undefined) s.span.setAttribute(ATTR_HTTP_RESPONSE_STATUS_CODE, status);
    // Server spans mark only 5xx as errors (the client's 4xx is not the server's fault).
    if (status === undefined || status >= 500) s.span.setStatus({ code: SpanStatusCode.ERROR });
    s.span.end();
  };
  app.addHook('onResponse', (req, reply, done) => {
    end(req, reply.statusCode);
    done();
  });
  app.addHook('onRequestAbort', (req, done) => {
    end(req);
    done();
  });
}
