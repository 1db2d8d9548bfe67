import { createHmac, timingSafeEqual } from 'node:crypto';

export const SIGNATURE_HEADER = 'x-flywheel-signature';
export const TIMESTAMP_HEADER = 'x-flywheel-timestamp';

/** `sha256=<hex>` of HMAC-SHA256(secret, `${timestamp}.${body}`): binding the timestamp stops replays of old bodies. */
export function sign(secret: string, timestamp: string, body: string | Buffer): string {
  const mac = createHmac('sha256', secret);
  mac.update(`${timestamp}.`);
  mac.update(body);
  return `sha256=${mac.digest('hex')}`;
}

export type SignatureCheck = { ok: true } | { ok: false; reason: string };

export function verifySignature(opts: { secret: string; body: Buffer; timestamp: string | undefined; signature: string | undefined; toleranceSeconds: number; nowMs: number }): SignatureCheck {
  if (!opts.timestamp || !opts.signature) return { ok: false, reason: `missing ${TIMESTAMP_HEADER} or ${SIGNATURE_HEADER} header` };
  if (!/^\d{1,12}$/.test(opts.timestamp)) return { ok: false, reason: `${TIMESTAMP_HEADER} must be Unix seconds` };
  const skew = Math.abs(opts.nowMs / 1000 - Number(opts.timestamp));
  if (skew > opts.toleranceSeconds) return { ok: false, reason: `timestamp is ${Math.round(skew)} s away from now (tolerance ${opts.toleranceSeconds} s)` };
  const expected = Buffer.from(sign(opts.secret, opts.timestamp, opts.body));
  const given = Buffer.from(opts.signature);
  // Length check first: timingSafeEqual throws on unequal lengths, and length is not secret.
  if (given.length !== expected.length || !timingSafeEqual(given, expected)) return { ok: false, reason: 'signature does not match' };
  return { ok: true };
}
