// How the suite talks to the ingest API: signed POSTs as a CRM sends them, answered with status and media type
// (never thrown), and an open-loop pacer so a slow or failing system cannot slow the offered load down.
import { setTimeout as sleep } from 'node:timers/promises';
import { SIGNATURE_HEADER, sign, TIMESTAMP_HEADER } from '../src/events/signature.ts';
import type { CloudEvent } from '../bench/traffic.ts';

export interface Target {
  apiUrl: string;
  secret: string;
}

export interface Answer {
  /** 0: no HTTP answer (connection refused or reset). */
  status: number;
  contentType: string;
  retryAfter: string | null;
  body: string;
  sentAt: number;
  answeredAt: number;
}

export const isProblem = (a: Pick<Answer, 'contentType'>) => a.contentType.split(';')[0]!.trim().toLowerCase() === 'application/problem+json';

/** POSTs one event (or a batch) to /v1/events, signed with the run's secret. */
export async function postEvent(t: Target, event: CloudEvent | CloudEvent[]): Promise<Answer> {
  const body = JSON.stringify(event);
  const ts = String(Math.floor(Date.now() / 1000));
  const contentType = Array.isArray(event) ? 'application/cloudevents-batch+json' : 'application/cloudevents+json';
  const headers = { 'content-type': contentType, [TIMESTAMP_HEADER]: ts, [SIGNATURE_HEADER]: sign(t.secret, ts, body) };
  const sentAt = performance.now();
  try {
    const res = await fetch(`${t.apiUrl}/v1/events`, { method: 'POST', headers, body, signal: AbortSignal.timeout(30_000) });
    const text = await res.text();
    return { status: res.status, contentType: res.headers.get('content-type') ?? '', retryAfter: res.headers.get('retry-after'), body: text, sentAt, answeredAt: performance.now() };
  } catch (e) {
    return { status: 0, contentType: '', retryAfter: null, body: (e as Error).message, sentAt, answeredAt: performance.now() };
  }
}

/** GET /healthz with the health token, so the rules check shows its diagnostics. */
export async function health(
  t: Target & { healthToken: string },
): Promise<{ status: number; body: { status?: string; checks?: Record<string, { status: string; detail?: string; diagnostics?: { file?: string; line?: number; message?: string }[] }> } }> {
  try {
    const res = await fetch(`${t.apiUrl}/healthz`, { headers: { authorization: `Bearer ${t.healthToken}` }, signal: AbortSignal.timeout(10_000) });
    return { status: res.status, body: (await res.json()) as never };
  } catch {
    return { status: 0, body: {} };
  }
}

/**
 * Calls `fire(i)` for i < n at `rate` per second, arrival i due at t0 + i/rate whatever earlier ones are doing;
 * resolves with every arrival's result once all have settled.
 */
export async function paced<T>(rate: number, n: number, fire: (i: number) => Promise<T>): Promise<T[]> {
  const out: Promise<T>[] = [];
  const t0 = performance.now();
  for (let i = 0; i < n; i++) {
    const wait = t0 + (i * 1000) / rate - performance.now();
    if (wait >= 1) await sleep(wait);
    out.push(fire(i));
  }
  return Promise.all(out);
}

/** Runs `fn` over `items` with at most `limit` at a time. */
export async function pool<T, R>(items: readonly T[], limit: number, fn: (item: T, i: number) => Promise<R>): Promise<R[]> {
  const out = new Array<R>(items.length);
  let next = 0;
  const lanes = Array.from({ length: Math.min(limit, items.length) }, async () => {
    while (next < items.length) {
      const i = next++;
      out[i] = await fn(items[i]!, i);
    }
  });
  await Promise.all(lanes);
  return out;
}
