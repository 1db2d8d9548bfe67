import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { Payload, PayloadCodec } from '@temporalio/common';
import { problem, sendProblem, type FieldError } from '../problem.ts';
import { bearerToken, sharedToken } from '../sharedToken.ts';
import { operatorTokenOptionsFromEnvironment, operatorTokenVerifier, type OperatorCheck } from '../operatorToken.ts';

export const CODEC_TOKEN_ENV = 'FLYWHEEL_CODEC_TOKEN';
export const CODEC_ORIGINS_ENV = 'FLYWHEEL_CODEC_ORIGINS';
/** Most payloads a single call may carry: the UI sends one history event's worth at a time. */
const MAX_PAYLOADS = 1_000;

export interface CodecEndpointOptions {
  codec: PayloadCodec;
  /** The bearer token an operator's UI (or `temporal` CLI) presents. */
  token?: string;
  /** Checks the SSO access token the Web UI forwards (src/server/operatorToken.ts): each operator by name. */
  operators?: (token: string) => Promise<OperatorCheck>;
  /** Browser origins allowed to call it (the Temporal Web UI's), exact matches. */
  origins: string[];
  /**
   * `flywheel dev` only (see src/runtime/devCodec.ts): its own Web UI's loopback origins, whose calls from this
   * machine need no token, because that UI cannot send one. `flywheel serve` never sets it.
   */
  devUiOrigins?: string[];
  /** One line per call that was let through: how the caller was admitted, never what was decoded. */
  audit?: (entry: CodecAuditEntry) => void;
}

export interface CodecAuditEntry {
  op: 'encode' | 'decode';
  via: 'token' | 'dev-ui' | 'sso';
  /** With `sso`: the token's subject (digested when it looks like an e-mail address). */
  operator?: string;
  namespace?: string;
  payloads: number;
}

/**
 * From the environment: undefined unless the payload keys' codec is there with a shared token, SSO operators
 * (FLYWHEEL_CODEC_JWKS_URL and its companions), or both. Incomplete SSO settings throw: the server does not start.
 */
export function codecEndpointFromEnvironment(codec: PayloadCodec | undefined, env: NodeJS.ProcessEnv = process.env): CodecEndpointOptions | undefined {
  const token = env[CODEC_TOKEN_ENV]?.trim() || undefined;
  const sso = operatorTokenOptionsFromEnvironment(env);
  if (!codec || (!token && !sso)) return undefined;
  return { codec, token, operators: sso && operatorTokenVerifier(sso), origins: codecOriginsFromEnvironment(env) };
}

/** FLYWHEEL_CODEC_ORIGINS: comma-separated, a trailing slash ignored. */
export function codecOriginsFromEnvironment(env: NodeJS.ProcessEnv = process.env): string[] {
  return (env[CODEC_ORIGINS_ENV] ?? '')
    .split(',')
    .map((s) => s.trim().replace(/\/+$/, ''))
    .filter(Boolean);
}

interface JsonPayload {
  metadata?: Record<string, string>;
  data?: string;
}

/**
 * Temporal's codec-server convention at /v1/codec/encode and /v1/codec/decode: `{ payloads: [...] }` in and out,
 * bytes as base64 (proto3 JSON). The Web UI calls /decode from the operator's browser, so the UI's origin gets CORS
 * (preflight included) and every call needs `Authorization: Bearer <token>`; without it nothing is decoded. The one
 * exception is `flywheel dev`'s own Web UI (devUiOrigins), which has no way to send a token.
 */
export function registerCodecRoutes(app: FastifyInstance, opts: CodecEndpointOptions): void {
  const matches = opts.token ? sharedToken(opts.token) : () => false;
  const devUi = new Set(opts.devUiOrigins ?? []);
  const origins = new Set([...opts.origins, ...devUi]);
  const admit = async (req: FastifyRequest): Promise<Pick<CodecAuditEntry, 'via' | 'operator'> | Extract<OperatorCheck, { ok: false }>> => {
    const bearer = bearerToken(req);
    if (matches(bearer)) return { via: 'token' };
    // A browser cannot forge Origin, and only a process on this machine can reach a loopback peer address.
    if (devUi.has(req.headers.origin ?? '') && isLoopback(req.socket.remoteAddress)) return { via: 'dev-ui' };
    if (bearer && opts.operators) {
      const check = await opts.operators(bearer);
      return check.ok ? { via: 'sso', operator: check.operator } : check;
    }
    return { ok: false, status: 401, reason: 'needs Authorization: Bearer with the codec token or an operator access token' };
  };
  const audit = (entry: CodecAuditEntry, req: FastifyRequest) => (opts.audit ? opts.audit(entry) : req.log.info({ codec: entry }, `codec ${entry.op}`));
  const cors = (req: FastifyRequest, reply: FastifyReply) => {
    const origin = req.headers.origin;
    if (!origin || !origins.has(origin)) return;
    reply.header('access-control-allow-origin', origin);
    reply.header('access-control-allow-credentials', 'true');
    reply.header('vary', 'Origin');
  };
  for (const op of ['encode', 'decode'] as const) {
    const url = `/v1/codec/${op}`;
    app.options(url, async (req, reply) => {
      cors(req, reply);
      reply.header('access-control-allow-methods', 'POST, OPTIONS');
      reply.header('access-control-allow-headers', 'authorization, content-type, x-namespace');
      reply.header('access-control-max-age', '600');
      return reply.code(204).send();
    });
    app.post(url, async (req, reply) => {
      cors(req, reply);
      const admitted = await admit(req);
      if ('ok' in admitted) {
        req.log.warn({ codec: { op, refused: admitted.reason } }, `codec ${op} refused`);
        if (admitted.status === 403) return sendProblem(reply, problem('forbidden', 403, { instance: url, detail: admitted.reason }));
        reply.header('www-authenticate', 'Bearer');
        return sendProblem(reply, problem('unauthorized', 401, { instance: url, detail: `${url}: ${admitted.reason}` }));
      }
      const { payloads, errors } = readPayloads(req.body);
      if (errors.length > 0) return sendProblem(reply, problem('validation-error', 400, { instance: url, detail: `${errors.length} invalid field(s)`, errors }));
      const ns = req.headers['x-namespace'];
      audit({ op, ...admitted, namespace: typeof ns === 'string' ? ns.slice(0, 255) : undefined, payloads: payloads.length }, req);
      let out: Payload[];
      try {
        out = await (op === 'encode' ? opts.codec.encode(payloads) : opts.codec.decode(payloads));
      } catch (e) {
        // A payload this server cannot decrypt (unknown key id, tampered bytes): the caller's input, not a crash.
        return sendProblem(reply, problem('validation-error', 400, { instance: url, detail: (e as Error).message, errors: [{ pointer: '/payloads', detail: (e as Error).message }] }));
      }
      return reply.send({ payloads: out.map(toJson) });
    });
  }
}

function isLoopback(address: string | undefined): boolean {
  return !!address && (address === '::1' || /^(::ffff:)?127\./.test(address));
}

const BASE64 = /^[A-Za-z0-9+/]*={0,2}$/;

function readPayloads(body: unknown): { payloads: Payload[]; errors: FieldError[] } {
  const errors: FieldError[] = [];
  const list = (body as { payloads?: unknown } | null)?.payloads;
  if (!Array.isArray(list)) return { payloads: [], errors: [{ pointer: '/payloads', detail: 'must be an array of payloads' }] };
  if (list.length > MAX_PAYLOADS) return { payloads: [], errors: [{ pointer: '/payloads', detail: `at most ${MAX_PAYLOADS} payloads per call` }] };
  const payloads = list.map((raw, i): Payload => {
    const p = raw as JsonPayload | null;
    if (typeof p !== 'object' || p === null || Array.isArray(p)) {
      errors.push({ pointer: `/payloads/${i}`, detail: 'must be an object with metadata and data' });
      return {};
    }
    const metadata: Record<string, Uint8Array> = {};
    if (p.metadata !== undefined && (typeof p.metadata !== 'object' || p.metadata === null || Array.isArray(p.metadata))) {
      errors.push({ pointer: `/payloads/${i}/metadata`, detail: 'must map names to base64 strings' });
    } else {
      for (const [k, v] of Object.entries(p.metadata ?? {})) {
        if (typeof v === 'string' && BASE64.test(v)) metadata[k] = Buffer.from(v, 'base64');
        else errors.push({ pointer: `/payloads/${i}/metadata/${k.replace(/~/g, '~0').replace(/\//g, '~1')}`, detail: 'must be base64' });
      }
    }
    if (p.data !== undefined && (typeof p.data !== 'string' || !BASE64.test(p.data))) errors.push({ pointer: `/payloads/${i}/data`, detail: 'must be base64' });
    return { metadata, data: typeof p.data === 'string' ? Buffer.from(p.data, 'base64') : undefined };
  });
  return { payloads, errors };
}

function toJson(p: Payload): JsonPayload {
  const metadata = Object.fromEntries(Object.entries(p.metadata ?? {}).map(([k, v]) => [k, Buffer.from(v ?? new Uint8Array()).toString('base64')]));
  return { metadata, data: Buffer.from(p.data ?? new Uint8Array()).toString('base64') };
}
