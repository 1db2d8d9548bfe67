import { sign, SIGNATURE_HEADER, TIMESTAMP_HEADER } from '../events/signature.ts';

export interface WebhookResult {
  delivered: boolean;
  status?: number;
  skipped?: string;
}

/** The CRM refused the request itself (a 4xx other than 408 and 429): sending it again cannot succeed. */
export class WebhookRejectedError extends Error {
  constructor(
    message: string,
    readonly status: number,
  ) {
    super(message);
    this.name = 'WebhookRejectedError';
  }
}

/** 408 (timeout) and 429 (rate limit) are the CRM asking to try again later; other 4xx answers are final. */
const retryableStatus = (status: number) => status >= 500 || status === 408 || status === 429;

/**
 * Outbound webhooks to the CRM (assignments, escalations), signed like inbound events so the CRM can verify them.
 * Non-2xx answers throw: a refused request as WebhookRejectedError (not retried), the rest so the calling activity
 * retries with backoff within its bounded retry policy.
 */
export class WebhookSender {
  constructor(
    private readonly url: string | undefined,
    private readonly secret: string | undefined,
    private readonly timeoutMs = 5_000,
  ) {}

  async send(type: string, payload: Record<string, unknown>, idempotencyKey: string): Promise<WebhookResult> {
    if (!this.url) return { delivered: false, skipped: 'no crmWebhook url configured' };
    const body = JSON.stringify({ type, ...payload });
    const ts = String(Math.floor(Date.now() / 1000));
    const headers: Record<string, string> = { 'content-type': 'application/json', 'idempotency-key': idempotencyKey, [TIMESTAMP_HEADER]: ts };
    if (this.secret) headers[SIGNATURE_HEADER] = sign(this.secret, ts, body);
    const res = await fetch(this.url, { method: 'POST', headers, body, signal: AbortSignal.timeout(this.timeoutMs) });
    if (!res.ok && !retryableStatus(res.status)) throw new WebhookRejectedError(`CRM webhook ${this.url} refused the request: ${res.status}`, res.status);
    if (!res.ok) throw new Error(`CRM webhook ${this.url} answered ${res.status}`);
    return { delivered: true, status: res.status };
  }
}
