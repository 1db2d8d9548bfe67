import { ApplicationFailure } from '@temporalio/common';

/**
 * HubSpot answers, as activity failures: a 429 waits as long as HubSpot asked (Retry-After, else the window of the
 * limit it names), any other 4xx is final (the request itself is wrong: bad token, missing scope, unknown property or
 * owner, no such record), and 5xx answers or network failures are retried with the activity's backoff.
 */

/** What @hubspot/api-client throws for a non-2xx answer (each generated API module has its own ApiException class). */
interface HubSpotApiError {
  code: number;
  body: unknown;
  headers: Record<string, string>;
}

function apiError(e: unknown): HubSpotApiError | null {
  const x = e as Partial<HubSpotApiError> | null;
  return x && typeof x === 'object' && typeof x.code === 'number' && x.code >= 100 && x.code <= 599 && typeof x.headers === 'object' ? (x as HubSpotApiError) : null;
}

/** The retryable failure type of a rate-limited call; a 4xx refusal is `CrmRejected` (activities/failures.ts). */
export const RATE_LIMITED = 'CrmRateLimited';
export const REJECTED = 'CrmRejected';

/** HubSpot's rate-limit policies and the window each one rolls over (its 429 body names the policy). */
const POLICY_WINDOW_MS: Record<string, number> = {
  TEN_SECONDLY_ROLLING: 10_000,
  SECONDLY: 1_000,
  // The daily limit resets at midnight in the portal's time zone, which Flywheel does not know: try again hourly.
  DAILY: 3_600_000,
};
/** A 429 that names neither a Retry-After nor a known policy waits one ten-second window. */
const DEFAULT_WAIT_MS = 10_000;
/** Never park a notification longer than this on one answer. */
const MAX_WAIT_MS = 3_600_000;

/**
 * The limit a 429 names. Its body carries `policyName`, but the SDK keeps only the fields of its Error model, so the
 * message ("You have reached your ten_secondly_rolling limit.") is read too.
 */
function policyOf(body: unknown): string | null {
  const b = body as { policyName?: unknown; message?: unknown } | null;
  if (typeof b?.policyName === 'string') return b.policyName.toUpperCase();
  const m = typeof b?.message === 'string' ? b.message.toLowerCase() : '';
  if (m.includes('ten_secondly_rolling')) return 'TEN_SECONDLY_ROLLING';
  if (m.includes('secondly')) return 'SECONDLY';
  if (m.includes('daily')) return 'DAILY';
  return null;
}

/** How long a 429 asks to wait: Retry-After (seconds or an HTTP date), else the named policy's window. */
export function retryAfterMs(headers: Record<string, string> | undefined, body: unknown, now = Date.now()): number {
  const header = headers?.['retry-after'] ?? Object.entries(headers ?? {}).find(([k]) => k.toLowerCase() === 'retry-after')?.[1];
  let ms: number | null = null;
  if (header !== undefined && header.trim() !== '') {
    const v = header.trim();
    if (/^\d+(\.\d+)?$/.test(v)) ms = Math.ceil(Number(v) * 1000);
    else if (!Number.isNaN(Date.parse(v))) ms = Math.max(0, Date.parse(v) - now);
  }
  if (ms === null) {
    const policy = policyOf(body);
    ms = policy ? (POLICY_WINDOW_MS[policy] ?? DEFAULT_WAIT_MS) : DEFAULT_WAIT_MS;
  }
  return Math.min(Math.max(ms, 1_000), MAX_WAIT_MS);
}

/** HubSpot's own words about a refusal (status, category, message), bounded; never headers, never the token. */
function describe(body: unknown): string {
  if (body === null || body === undefined) return '';
  if (typeof body === 'string') return body.slice(0, 300);
  const b = body as { category?: unknown; message?: unknown; errors?: unknown };
  const parts = [typeof b.category === 'string' ? b.category : null, typeof b.message === 'string' ? b.message : null].filter(Boolean);
  return (parts.length ? parts.join(': ') : JSON.stringify(body)).slice(0, 300);
}

/** The failure an activity should throw for an error of a HubSpot call; `what` names the call, e.g. "PATCH contact 51". */
export function hubspotFailure(e: unknown, what: string): Error {
  if (e instanceof ApplicationFailure) return e;
  const api = apiError(e);
  if (!api) {
    const err = e as { name?: string; message?: string; code?: unknown };
    const code = typeof err?.code === 'string' ? ` (${err.code})` : '';
    // A network failure or a body that is not JSON: plain Error, so the activity retries it with backoff.
    return new Error(`HubSpot ${what} failed: ${err?.name ?? 'Error'}${code}: ${String(err?.message ?? e).slice(0, 300)}`);
  }
  const said = describe(api.body);
  const message = `HubSpot ${what} answered ${api.code}${said ? `: ${said}` : ''}`;
  if (api.code === 429) {
    const wait = retryAfterMs(api.headers, api.body);
    return ApplicationFailure.create({ type: RATE_LIMITED, message: `${message} (retrying in ${Math.round(wait / 1000)} s)`, nonRetryable: false, nextRetryDelay: wait });
  }
  if (api.code >= 500 || api.code === 408) return new Error(message);
  return ApplicationFailure.create({ type: REJECTED, message, nonRetryable: true });
}

/** Runs one HubSpot call, translating its failure (see hubspotFailure). */
export async function call<T>(what: string, fn: () => Promise<T>): Promise<T> {
  try {
    return await fn();
  } catch (e) {
    throw hubspotFailure(e, what);
  }
}
