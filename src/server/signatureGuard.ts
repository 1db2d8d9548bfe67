import type { FastifyReply, FastifyRequest } from 'fastify';
import { SIGNATURE_HEADER, TIMESTAMP_HEADER, verifySignature } from '../events/signature.ts';
import { problem, sendProblem } from './problem.ts';

export interface SignatureAuth {
  secret: string;
  toleranceSeconds: number;
}

const single = (v: string | string[] | undefined) => (typeof v === 'string' ? v : undefined);

/**
 * A preHandler that answers 401 unless the request carries a valid HMAC. `signed` says which bytes were signed:
 * the raw body for POSTs; for bodiless reads the request target, so a captured signature cannot read another lead.
 */
export function signatureGuard(auth: SignatureAuth, signed: (req: FastifyRequest) => Buffer = rawBodyOf) {
  return async (req: FastifyRequest, reply: FastifyReply) => {
    const check = verifySignature({
      secret: auth.secret,
      body: signed(req),
      timestamp: single(req.headers[TIMESTAMP_HEADER]),
      signature: single(req.headers[SIGNATURE_HEADER]),
      toleranceSeconds: auth.toleranceSeconds,
      nowMs: Date.now(),
    });
    if (check.ok) return;
    reply.header('www-authenticate', `Flywheel-HMAC-SHA256 headers="${TIMESTAMP_HEADER} ${SIGNATURE_HEADER}"`);
    return sendProblem(reply, problem('unauthorized', 401, { instance: req.url, detail: check.reason }));
  };
}

export const rawBodyOf = (req: FastifyRequest): Buffer => (Buffer.isBuffer(req.body) ? req.body : Buffer.alloc(0));
export const requestTargetOf = (req: FastifyRequest): Buffer => Buffer.from(req.url, 'utf8');
