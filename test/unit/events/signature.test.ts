import { describe, expect, it } from 'vitest';
import { sign, verifySignature } from '../../../src/events/signature.ts';

const secret = 'test-secret-not-real';
const body = Buffer.from('{"specversion":"1.0"}');
const now = Date.parse('2026-11-22T12:00:00Z');
const ts = String(now / 1000);

describe('HMAC signatures', () => {
  it('accepts a signature over timestamp and body', () => {
    expect(verifySignature({ secret, body, timestamp: ts, signature: sign(secret, ts, body), toleranceSeconds: 300, nowMs: now })).toEqual({ ok: true });
  });

  it('rejects a changed body, a wrong secret, and a missing header', () => {
    const sig = sign(secret, ts, body);
    expect(verifySignature({ secret, body: Buffer.from('{}'), timestamp: ts, signature: sig, toleranceSeconds: 300, nowMs: now }).ok).toBe(false);
    expect(verifySignature({ secret: 'other', body, timestamp: ts, signature: sig, toleranceSeconds: 300, nowMs: now }).ok).toBe(false);
    expect(verifySignature({ secret, body, timestamp: ts, signature: undefined, toleranceSeconds: 300, nowMs: now })).toMatchObject({ ok: false, reason: expect.stringContaining('missing') });
    expect(verifySignature({ secret, body, timestamp: ts, signature: 'sha256=00', toleranceSeconds: 300, nowMs: now }).ok).toBe(false);
  });

  it('rejects a replay outside the tolerance even with a valid signature', () => {
    const old = String(now / 1000 - 301);
    const r = verifySignature({ secret, body, timestamp: old, signature: sign(secret, old, body), toleranceSeconds: 300, nowMs: now });
    expect(r).toMatchObject({ ok: false, reason: expect.stringContaining('tolerance') });
  });
});
