import { setTimeout as sleep } from 'node:timers/promises';
import type { CrmEvent } from '../events/catalog.ts';
import { sign, SIGNATURE_HEADER, TIMESTAMP_HEADER } from '../events/signature.ts';

export interface DeliveryStats {
  /** Requests answered 202, redeliveries included. */
  events: number;
  /** Events sent a second time with the same id, as a CRM does when it missed an answer. */
  redelivered: number;
  /** Answers with `duplicate: true`: the API recognised the redelivery. */
  acknowledgedDuplicates: number;
  /** Touches sent before their lead's lead.created. */
  outOfOrder: number;
  /** 503s and network errors retried. */
  retries: number;
  /** 4xx answers: the generator produced something the API refuses (a bug worth seeing). */
  rejected: number;
  /** Planned events that would have fallen after the end of the window, so were never sent. */
  notSent: number;
}

export class CrmRejected extends Error {}

/**
 * Posts CloudEvents to the ingest API the way an external CRM does: one event per request, signed with the ingest
 * secret when one is set, retried on 503 (the API says repeats are harmless). A few requests at a time, like a
 * webhook dispatcher.
 */
export class CrmClient {
  readonly stats: DeliveryStats = { events: 0, redelivered: 0, acknowledgedDuplicates: 0, outOfOrder: 0, retries: 0, rejected: 0, notSent: 0 };
  private active = 0;
  private readonly waiting: (() => void)[] = [];

  constructor(
    private readonly api: string,
    private readonly secret: string | undefined,
    private readonly maxConcurrent = 16,
  ) {}

  async send(event: CrmEvent, opts: { redelivery?: boolean } = {}): Promise<void> {
    const body = JSON.stringify(event);
    await this.slot();
    try {
      for (let attempt = 0; ; attempt++) {
        const res = await this.post(body).catch((e: Error) => e);
        if (!(res instanceof Error) && res.status === 202) {
          const answer = (await res.json()) as { accepted: { duplicate: boolean | null }[] };
          this.stats.events++;
          if (opts.redelivery) this.stats.redelivered++;
          if (answer.accepted[0]?.duplicate === true) this.stats.acknowledgedDuplicates++;
          return;
        }
        if (!(res instanceof Error) && res.status !== 503) {
          this.stats.rejected++;
          throw new CrmRejected(`${event.type} ${event.id} for ${event.subject}: HTTP ${res.status} ${await res.text()}`);
        }
        if (!(res instanceof Error)) await res.text().catch(() => '');
        if (attempt >= 4) throw res instanceof Error ? res : new Error(`${event.type} ${event.id}: HTTP 503 after ${attempt + 1} attempts`);
        this.stats.retries++;
        await sleep(500 * (attempt + 1));
      }
    } finally {
      this.release();
    }
  }

  private post(body: string): Promise<Response> {
    const headers: Record<string, string> = { 'content-type': 'application/cloudevents+json' };
    if (this.secret) {
      const ts = String(Math.floor(Date.now() / 1000));
      headers[TIMESTAMP_HEADER] = ts;
      headers[SIGNATURE_HEADER] = sign(this.secret, ts, body);
    }
    return fetch(`${this.api}/v1/events`, { method: 'POST', headers, body, signal: AbortSignal.timeout(15_000) });
  }

  private async slot(): Promise<void> {
    if (this.active < this.maxConcurrent) {
      this.active++;
      return;
    }
    await new Promise<void>((resolve) => this.waiting.push(resolve));
  }

  private release(): void {
    const next = this.waiting.shift();
    if (next) next();
    else this.active--;
  }
}
