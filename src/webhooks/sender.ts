import { sign, SIGNATURE_HEADER, TIMESTAMP_HEADER } from '../events/signature.ts';

export interface WebhookResult {
  delivered: boolean;
  status?: number;
  skipped?: string;
}

/**
 * Outbound webhooks to the CRM (assignments, escalations), signed like inbound events so the CRM can verify them.
 * Non-2xx answers throw, so the calling activity retries with backoff.
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
    if (!res.ok) throw new Error(`CRM webhook ${this.url} answered ${res.status}`);
    return { delivered: true, status: res.status };
  }
}
