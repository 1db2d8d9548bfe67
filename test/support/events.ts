import { randomUUID } from 'node:crypto';
import { sign, SIGNATURE_HEADER, TIMESTAMP_HEADER } from '../../src/events/signature.ts';

export const TEST_SECRET = 'test-ingest-secret-not-real';

/** A fresh lead id per test, so tests never share a workflow on the shared dev server. */
export const newLeadId = () => `L-${randomUUID()}`;

export function leadEvent(subject: string, type = 'lead.touched', data: Record<string, unknown> = { by: 'anna-schmidt', channel: 'email' }) {
  return { specversion: '1.0', id: randomUUID(), source: '/crm/test', type, subject, time: '2026-11-23T09:00:00Z', data };
}

export function signedHeaders(body: string, opts: { secret?: string; atMs?: number } = {}): Record<string, string> {
  const ts = String(Math.floor((opts.atMs ?? Date.now()) / 1000));
  return { [TIMESTAMP_HEADER]: ts, [SIGNATURE_HEADER]: sign(opts.secret ?? TEST_SECRET, ts, body) };
}
