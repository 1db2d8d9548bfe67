import type { Client } from '@temporalio/client';
import { EVENT_TYPES, eventKey, workflowIdFor, type CrmEvent } from '../events/catalog.ts';
import { deliver, type Delivery } from '../temporal/deliver.ts';
import type { AccountEvent } from '../../workflows/account/types.ts';
import type { LeadEvent } from '../../workflows/lead/types.ts';

/** One event that Temporal accepted: its signal is durably in the workflow's history. */
export interface DeliveryResult {
  event: CrmEvent;
  key: string;
  workflowId: string;
}

/** Where validated events go. The API answers 202 only once `deliver` resolved. */
export interface EventSink {
  deliver(events: CrmEvent[]): Promise<DeliveryResult[]>;
}

/** Temporal refused or did not answer; `accepted` lists what was delivered before that, in batch order. */
export class DeliveryError extends Error {
  constructor(
    readonly accepted: DeliveryResult[],
    readonly failed: { event: CrmEvent; workflowId: string; reason: string }[],
    options: { cause: unknown },
  ) {
    super(`Temporal did not accept ${failed.length} event(s): ${failed[0]?.reason ?? 'unknown error'}`, options);
    this.name = 'DeliveryError';
  }
}

export interface TemporalSinkOptions {
  /** Bounds each signalWithStart including the client's own retries, so a CRM webhook gets an answer before it times out. */
  timeoutMs?: number;
  /** How many workflows are signalled at once; events of one lead or account always go one after another. */
  concurrency?: number;
}

export class TemporalEventSink implements EventSink {
  private readonly timeoutMs: number;
  private readonly concurrency: number;

  constructor(
    private readonly client: Client,
    private readonly taskQueue: string,
    opts: TemporalSinkOptions = {},
  ) {
    this.timeoutMs = opts.timeoutMs ?? 10_000;
    this.concurrency = Math.max(1, opts.concurrency ?? 16);
  }

  async deliver(events: CrmEvent[]): Promise<DeliveryResult[]> {
    const byWorkflow = new Map<string, number[]>();
    events.forEach((e, i) => {
      const id = workflowIdFor(e);
      const indexes = byWorkflow.get(id);
      if (indexes) indexes.push(i);
      else byWorkflow.set(id, [i]);
    });
    const done: (DeliveryResult | undefined)[] = new Array(events.length);
    const failed: { index: number; reason: string; error: unknown }[] = [];
    const queue = [...byWorkflow.values()];

    // One workflow's events go strictly in batch order: the next is sent only after Temporal took the previous one.
    // After the first failure no new signal starts, so "accepted" is exactly what Temporal has.
    const lane = async () => {
      for (let indexes = queue.shift(); indexes && failed.length === 0; indexes = queue.shift()) {
        for (const i of indexes) {
          if (failed.length > 0) return;
          try {
            done[i] = await this.signal(events[i]!);
          } catch (error) {
            failed.push({ index: i, reason: (error as Error).message, error });
            return;
          }
        }
      }
    };
    await Promise.all(Array.from({ length: Math.min(this.concurrency, queue.length) }, lane));

    const accepted = done.filter((d): d is DeliveryResult => d !== undefined);
    if (failed.length === 0) return accepted;
    const f = failed.map(({ index, reason }) => ({ event: events[index]!, workflowId: workflowIdFor(events[index]!), reason }));
    throw new DeliveryError(accepted, f, { cause: failed[0]!.error });
  }

  private async signal(e: CrmEvent): Promise<DeliveryResult> {
    const key = eventKey(e);
    const base = { key, id: e.id, source: e.source, subject: e.subject, time: e.time, data: e.data };
    const target: Delivery =
      EVENT_TYPES[e.type].entity === 'account'
        ? { entity: 'account', id: e.subject, event: { ...base, type: e.type } as AccountEvent }
        : { entity: 'lead', id: e.subject, event: { ...base, type: e.type } as LeadEvent };
    const { workflowId } = await this.client.withDeadline(Date.now() + this.timeoutMs, () => deliver(this.client, this.taskQueue, target));
    return { event: e, key, workflowId };
  }
}
