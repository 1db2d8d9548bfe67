import { isUtf8 } from 'node:buffer';
import type { FastifyInstance, FastifyRequest } from 'fastify';

export const CLOUDEVENTS_JSON = 'application/cloudevents+json';
export const CLOUDEVENTS_BATCH_JSON = 'application/cloudevents-batch+json';
export const PLAIN_JSON = 'application/json';

/**
 * In this encapsulated scope only these media types are accepted (anything else is 415), and their bodies reach
 * the handler as the exact bytes received: the HMAC is computed over those bytes, and a re-serialised object would
 * not match. Parsing waits until the signature is checked, so an unauthenticated caller learns nothing about it.
 */
export function acceptRawBodies(scope: FastifyInstance, mediaTypes: readonly string[]): void {
  scope.removeAllContentTypeParsers();
  scope.addContentTypeParser([...mediaTypes], { parseAs: 'buffer' }, (_req, body, done) => done(null, body));
}

/** `application/cloudevents+json; charset=utf-8` -> `application/cloudevents+json`. */
export function mediaTypeOf(req: FastifyRequest): string {
  return (req.headers['content-type'] ?? '').split(';')[0]!.trim().toLowerCase();
}

export type ParsedBody = { ok: true; value: unknown } | { ok: false; detail: string };

/**
 * Parses with fastify's own JSON parser (secure-json-parse), which rejects `__proto__` and `constructor.prototype`
 * keys instead of handing a prototype-poisoning object to the code after it. Bytes that are not UTF-8 are refused:
 * decoding would replace them with U+FFFD, and the event stored would not be the one the CRM sent (nor signed).
 */
export function jsonBodyParser(scope: FastifyInstance): (req: FastifyRequest, body: Buffer) => Promise<ParsedBody> {
  const parse = scope.getDefaultJsonParser('error', 'error');
  return (req, body) =>
    new Promise((resolve) => {
      if (!isUtf8(body)) {
        resolve({ ok: false, detail: 'body is not valid UTF-8' });
        return;
      }
      void parse(req, body.toString('utf8'), (err, value) => resolve(err ? { ok: false, detail: 'body is not valid JSON (or has a __proto__ or constructor.prototype key)' } : { ok: true, value }));
    });
}
