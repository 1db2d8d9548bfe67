import { STATUS_CODES } from 'node:http';
import type { Duplex } from 'node:stream';
import type { FastifyError, FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { LIMITS, MAX_PARAM_LENGTH } from '../limits.ts';
import { problem, sendProblem, type Problem, type ProblemSlug } from './problem.ts';

/**
 * Every answer fastify or Node's HTTP parser would write on their own, as problem+json instead: a client (a CRM, a
 * proxy) parses one error format, and an unknown one is easily retried forever.
 */
export function registerProblemHandlers(app: FastifyInstance): void {
  const routes = routeTable(app);
  // HTTP/1.1 requires a Host header. Node's own check answers a bare 400 before fastify sees the request, so the
  // server turns it off (app.ts) and the same rule is enforced here, as problem+json.
  app.addHook('onRequest', async (req, reply) => {
    if (req.raw.httpVersion === '1.1' && req.headers.host === undefined) {
      reply.header('connection', 'close');
      return sendProblem(reply, problem('bad-request', 400, { instance: req.url, detail: 'an HTTP/1.1 request needs a Host header' }));
    }
  });
  app.setErrorHandler((err: FastifyError, req, reply) => {
    const instance = req.url;
    if (err.validation) {
      const errors = err.validation.map((v) => ({ pointer: v.instancePath || '/', detail: v.message ?? 'invalid' }));
      return sendProblem(reply, problem('validation-error', 400, { instance, detail: `${errors.length} invalid field(s)`, errors }));
    }
    const status = err.statusCode ?? 500;
    if (status === 413) return sendProblem(reply, problem('payload-too-large', 413, { instance, detail: `bodies are limited to ${app.initialConfig.bodyLimit} bytes` }));
    if (status >= 400 && status < 500) return sendProblem(reply, problem(slugFor(status), status, { instance, detail: err.message }));
    req.log.error({ err }, 'unhandled error');
    return sendProblem(reply, problem('internal-error', 500, { instance }));
  });

  app.setNotFoundHandler((req, reply) => {
    // A route of this method that found nothing (callNotFound) is a 404; only another method's path is a 405.
    const allowed = routes.methodsFor(req.url);
    if (allowed.length > 0 && !allowed.includes(req.method)) {
      reply.header('allow', allowed.join(', '));
      return sendProblem(reply, problem('method-not-allowed', 405, { instance: req.url, detail: `${req.method} is not allowed here; allowed: ${allowed.join(', ')}` }));
    }
    return sendProblem(reply, problem('not-found', 404, { instance: req.url, detail: `no route for ${req.method} ${req.url}` }));
  });
}

/** fastify's `frameworkErrors`: errors raised before a route is found (malformed escapes, over-long parameters). */
export function frameworkErrors(err: FastifyError, req: FastifyRequest, reply: FastifyReply): FastifyReply {
  const instance = req.url;
  if (err.code === 'FST_ERR_MAX_PARAM_LENGTH') {
    const detail = `a path segment is longer than ${MAX_PARAM_LENGTH} characters as sent; ids have at most ${LIMITS.idLength} characters`;
    return sendProblem(reply, problem('uri-too-long', 414, { instance, detail }));
  }
  if (err.code === 'FST_ERR_BAD_URL') {
    return sendProblem(reply, problem('bad-request', 400, { instance, detail: 'the URL is malformed: a percent-escape is incomplete or not UTF-8' }));
  }
  req.log.error({ err }, 'framework error');
  return sendProblem(reply, problem('internal-error', 500, { instance }));
}

/**
 * fastify's `clientErrorHandler`, the server's `clientError` listener: Node's HTTP parser refused the request
 * (headers too large, a malformed request line, a timeout), so there is no request object; the answer is written on
 * the socket, as Node's own default does, when nothing has been written on it yet.
 */
export function clientErrorHandler(this: FastifyInstance, err: NodeJS.ErrnoException, socket: Duplex): void {
  if (err.code === 'ECONNRESET' || socket.destroyed) return;
  const p = clientProblem(err.code);
  this.log.debug({ err }, 'client error');
  const written = (socket as Duplex & { bytesWritten?: number }).bytesWritten ?? 0;
  if (socket.writable && written === 0) {
    const body = JSON.stringify(p);
    socket.write(`HTTP/1.1 ${p.status} ${STATUS_CODES[p.status]}\r\nContent-Type: application/problem+json\r\nContent-Length: ${Buffer.byteLength(body)}\r\nConnection: close\r\n\r\n${body}`);
  }
  socket.destroy(err);
}

function clientProblem(code: string | undefined): Problem {
  if (code === 'HPE_HEADER_OVERFLOW') {
    return problem('header-fields-too-large', 431, { detail: "the request line and header fields together exceed the server's limit (16 KiB)" });
  }
  if (code === 'ERR_HTTP_REQUEST_TIMEOUT') return problem('request-timeout', 408, { detail: 'the request was not received in time' });
  return problem('bad-request', 400, { detail: `the request is not valid HTTP/1.1${code ? ` (${code})` : ''}` });
}

function slugFor(status: number): ProblemSlug {
  const slugs: Record<number, ProblemSlug> = {
    400: 'validation-error',
    404: 'not-found',
    405: 'method-not-allowed',
    408: 'request-timeout',
    414: 'uri-too-long',
    415: 'unsupported-media-type',
    431: 'header-fields-too-large',
  };
  return slugs[status] ?? 'bad-request';
}

/** The registered paths and their methods, so an existing path asked with another method answers 405, not 404. */
function routeTable(app: FastifyInstance): { methodsFor(url: string): string[] } {
  const routes: { pattern: RegExp; methods: string[] }[] = [];
  app.addHook('onRoute', (r) => {
    const source = r.url
      .split('/')
      .map((seg) => (seg.startsWith(':') ? '[^/]+' : seg === '*' ? '.*' : seg.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')))
      .join('/');
    routes.push({ pattern: new RegExp(`^${source}$`), methods: [r.method].flat() });
  });
  return {
    methodsFor(url) {
      const path = url.split('?')[0]!;
      return [...new Set(routes.filter((r) => r.pattern.test(path)).flatMap((r) => r.methods))].sort();
    },
  };
}
