import type { CrmEvent, EventType } from '../events/catalog.ts';
import type { CrmClient } from './crmClient.ts';
import type { Rng } from './random.ts';
import type { SendWindow } from './window.ts';

const SOURCE = '/crm/northwind';
/** Share of events a flaky CRM sends twice. */
const REDELIVERY = 0.05;

/** One lead or account as the CRM sends about it: its own event ids and its own redelivery draws. */
export interface Sender {
  subject: string;
  /** Prefix of the CRM's event ids for this subject. */
  idPrefix: string;
  /** Redelivery draws, consumed in the subject's (sequential) event order, so they are reproducible too. */
  flaky: Rng;
  events: number;
}

/**
 * The CRM's webhook dispatcher: events about one lead or account go one after another (the next once the previous
 * was accepted), different subjects concurrently. A few are sent again with the same id a moment later, as a CRM
 * that missed an answer would.
 */
export class Outbox {
  /** The first few refusals or delivery failures, for the operator. */
  readonly problems: string[] = [];
  private readonly chains = new Map<string, Promise<boolean>>();

  constructor(
    readonly crm: CrmClient,
    private readonly window: SendWindow,
  ) {}

  /** Resolves false when the event could not be delivered. */
  send(s: Sender, type: EventType, data: Record<string, unknown>): Promise<boolean> {
    const event: CrmEvent = { specversion: '1.0', id: `${s.idPrefix}-${++s.events}`, source: SOURCE, type, subject: s.subject, time: new Date().toISOString(), data };
    const sent = this.enqueue(s.subject, () => this.crm.send(event));
    if (s.flaky.chance(REDELIVERY)) {
      const again = Date.now() + 300 + s.flaky.next() * 1200;
      void sent.then((ok) => ok && this.window.at(again, () => void this.enqueue(s.subject, () => this.crm.send(event, { redelivery: true }))));
    }
    return sent;
  }

  problem(message: string): void {
    if (this.problems.length < 5) this.problems.push(message);
  }

  private enqueue(subject: string, send: () => Promise<void>): Promise<boolean> {
    const prev = this.chains.get(subject) ?? Promise.resolve(true);
    const next = prev.then(() =>
      send().then(
        () => true,
        (e: Error) => {
          this.problem(e.message);
          return false;
        },
      ),
    );
    this.chains.set(subject, next);
    return this.window.track(next);
  }
}
