import { createHash, timingSafeEqual } from 'node:crypto';
import type { FastifyRequest } from 'fastify';

/**
 * A shared secret compared in constant time: both sides are hashed first, so digests have one length whatever was
 * sent and the comparison takes the same time for every wrong token.
 */
export function sharedToken(secret: string): (given: unknown) => boolean {
  const expected = digest(secret);
  return (given) => typeof given === 'string' && timingSafeEqual(digest(given), expected);
}

/** The token of an `Authorization: Bearer <token>` header, or undefined. */
export function bearerToken(req: FastifyRequest): string | undefined {
  return /^Bearer +(\S+) *$/i.exec(req.headers.authorization ?? '')?.[1];
}

function digest(s: string): Buffer {
  return createHash('sha256').update(s, 'utf8').digest();
}
