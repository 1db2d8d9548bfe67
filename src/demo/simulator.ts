import { setMaxListeners } from 'node:events';
import { setTimeout as sleep } from 'node:timers/promises';
import type { FlywheelConfig } from '../config/types.ts';
import type { CrmEvent, EventType } from '../events/catalog.ts';
import type { Ledger } from '../ledger/types.ts';
import { arrivalTimes } from './arrivals.ts';
import { CrmClient } from './crmClient.ts';
import { generateLead, type DemoLead } from './leads.ts';
import { rng, type Rng } from './random.ts';
import { salesPlan, touchTime, type SalesPlan } from './salesTeam.ts';
import { clocksSince, type ClockRow } from './summary.ts';

export interface SimulatorOptions {
  api: string;
  /** The ingest secret; requests are signed with it when set, as a real CRM's would be. */
  secret?: string;
  ledger: Ledger;
  config: FlywheelConfig;
  leads: number;
  windowMs: number;
  seed: number;
  signal: AbortSignal;
}

const SOURCE = '/crm/northwind';
/** Leads arrive in the first 60 % of the window, so late arrivals still have time to be worked. */
const ARRIVAL_SHARE = 0.6;
/** Share of events a flaky CRM sends twice. */
const REDELIVERY = 0.05;
const POLL_MS = 250;

interface Tracked {
  lead: DemoLead;
  plan: SalesPlan;
  /** Redelivery draws, consumed in the lead's (sequential) event order, so they are reproducible too. */
  flaky: Rng;
  events: number;
}

/**
 * A CRM and its sales team: leads arrive over the window, and the team works each new SLA clock it sees in the
 * ledger (as reps would see the assignment in their CRM) according to the lead's plan. Everything goes through
 * the ingest API. Events for one lead are sent one after another; different leads go concurrently. Nothing is
 * sent after the window closes.
 */
export class Simulator {
  readonly crm: CrmClient;
  leadsSent = 0;
  /** The first few refusals or delivery failures, for the operator. */
  readonly problems: string[] = [];
  private readonly start = Date.now();
  private readonly end: number;
  private readonly tracked = new Map<string, Tracked>();
  private readonly chains = new Map<string, Promise<boolean>>();
  private readonly tasks = new Set<Promise<unknown>>();
  private readonly latestClock = new Map<string, number>();
  private readonly seenClocks = new Set<number>();
  private readonly pipelines = new Set<string>();
  private readonly lost = new Set<string>();

  constructor(private readonly o: SimulatorOptions) {
    this.crm = new CrmClient(o.api, o.secret);
    this.end = this.start + o.windowMs;
    // Every planned event waits on the same signal (so Ctrl-C cancels them all): hundreds of listeners is expected.
    setMaxListeners(0, o.signal);
  }

  get elapsedMs(): number {
    return Date.now() - this.start;
  }

  /** Resolves once the window has closed and every request started inside it has been answered. */
  async run(): Promise<void> {
    arrivalTimes(this.o.seed, this.o.leads, this.o.windowMs * ARRIVAL_SHARE).forEach((t, i) =>
      this.at(this.start + t, () => this.arrive(generateLead(this.o.seed, i + 1))),
    );
    const watching = this.watchClocks();
    await this.until(this.end);
    while (this.tasks.size > 0) await Promise.allSettled([...this.tasks]);
    await watching;
  }

  private arrive(lead: DemoLead): void {
    const tr: Tracked = { lead, plan: salesPlan(this.o.seed, lead.no, lead.segment), flaky: rng(this.o.seed, lead.no, 3), events: 0 };
    this.tracked.set(lead.id, tr);
    this.leadsSent++;
    if (lead.touchBeforeCreate) {
      this.crm.stats.outOfOrder++;
      void this.deliver(lead, 'lead.touched', { by: this.likelyRep(lead), channel: 'email' });
    }
    void this.deliver(lead, 'lead.created', lead.data);
    const update = lead.update;
    if (update) this.at(Date.now() + tr.plan.steps[2] * this.o.windowMs, () => void this.deliver(lead, 'lead.updated', update.data));
  }

  /** The sales team notices a new clock (hand-off, reassignment, overflow or recycling) and plans the touch. */
  private onClock(c: ClockRow): void {
    const tr = this.tracked.get(c.leadId);
    if (!tr) return;
    this.latestClock.set(c.leadId, Math.max(this.latestClock.get(c.leadId) ?? 0, c.clock));
    const behaviour = c.clock === 0 ? tr.plan.first : this.lost.has(c.leadId) ? tr.plan.recycled : tr.plan.reassigned;
    const when = touchTime(tr.plan, behaviour, c);
    const by = c.owner ?? this.poolMember(c, tr.lead);
    if (when === null || !by) return;
    const mayProgress = (behaviour === 'prompt' || behaviour === 'late') && !this.lost.has(c.leadId);
    this.at(when, async () => {
      // The rep works from a stale view if the lead moved on meanwhile: the workflow ignores that touch.
      const current = (this.latestClock.get(c.leadId) ?? 0) === c.clock;
      const ok = await this.deliver(tr.lead, 'lead.touched', { by, channel: tr.plan.channel });
      if (ok && current && mayProgress && !this.pipelines.has(c.leadId)) {
        this.pipelines.add(c.leadId);
        await this.pipeline(tr, by);
      }
    });
  }

  /** Meeting, opportunity, then won (with the hand-off context customer success needs) or lost. */
  private async pipeline({ lead, plan }: Tracked, by: string): Promise<void> {
    if (!plan.meeting || !(await this.pause(plan.steps[0]))) return;
    const scheduledFor = new Date(Date.now() + 2 * 86_400_000).toISOString();
    if (!(await this.deliver(lead, 'meeting.booked', { meetingId: `MTG-${lead.no}`, scheduledFor, by }))) return;
    if (!plan.opportunity || !(await this.pause(plan.steps[1]))) return;
    const opportunityId = `OPP-${lead.no}`;
    if (!(await this.deliver(lead, 'opportunity.created', { opportunityId, amount: plan.amount, currency: 'EUR', stage: 'discovery' }))) return;
    if (!(await this.pause(plan.steps[2]))) return;
    if (plan.outcome === 'lost') {
      this.lost.add(lead.id);
      await this.deliver(lead, 'opportunity.lost', { opportunityId, reason: plan.lostReason });
      return;
    }
    const start = new Date();
    const end = new Date(Date.UTC(start.getUTCFullYear() + 1, start.getUTCMonth(), start.getUTCDate() - 1));
    await this.deliver(lead, 'opportunity.won', {
      opportunityId,
      accountId: `ACC-${lead.no}`,
      amount: plan.amount,
      arr: plan.amount,
      currency: 'EUR',
      handoff: {
        champion: `${lead.person.first} ${lead.person.last} (${lead.person.title})`,
        goals: plan.goals,
        successCriteria: plan.successCriteria,
        contractStart: start.toISOString().slice(0, 10),
        contractEnd: end.toISOString().slice(0, 10),
      },
    });
  }

  /**
   * Sends one event after the lead's previous one was accepted; a few are sent again with the same id a moment
   * later, as a CRM that missed an answer would. Resolves false when the event could not be delivered.
   */
  private deliver(lead: DemoLead, type: EventType, data: Record<string, unknown>): Promise<boolean> {
    const tr = this.tracked.get(lead.id)!;
    const event: CrmEvent = { specversion: '1.0', id: `evt-${lead.no}-${++tr.events}`, source: SOURCE, type, subject: lead.id, time: new Date().toISOString(), data };
    const sent = this.enqueue(lead.id, () => this.crm.send(event));
    if (tr.flaky.chance(REDELIVERY)) {
      const again = Date.now() + 300 + tr.flaky.next() * 1200;
      void sent.then((ok) => ok && this.at(again, () => void this.enqueue(lead.id, () => this.crm.send(event, { redelivery: true }))));
    }
    return sent;
  }

  private enqueue(leadId: string, send: () => Promise<void>): Promise<boolean> {
    const prev = this.chains.get(leadId) ?? Promise.resolve(true);
    const next = prev.then(() =>
      send().then(
        () => true,
        (e: Error) => {
          if (this.problems.length < 5) this.problems.push(e.message);
          return false;
        },
      ),
    );
    this.chains.set(leadId, next);
    return this.track(next);
  }

  /** Runs fn at epoch ms `when`, if that is inside the window; counts it as not sent otherwise. */
  private at(when: number, fn: () => unknown): void {
    if (when > this.end) {
      this.crm.stats.notSent++;
      return;
    }
    void this.track(this.until(when).then((inTime) => (inTime ? fn() : undefined)));
  }

  /** Waits `fraction` of the window; false (and counted as not sent) when that would pass the window's end. */
  private async pause(fraction: number): Promise<boolean> {
    const when = Date.now() + fraction * this.o.windowMs;
    if (when > this.end) {
      this.crm.stats.notSent++;
      return false;
    }
    return this.until(when);
  }

  private async until(when: number): Promise<boolean> {
    try {
      await sleep(Math.max(0, when - Date.now()), undefined, { signal: this.o.signal });
      return true;
    } catch {
      return false;
    }
  }

  private track<T>(p: Promise<T>): Promise<T> {
    this.tasks.add(p);
    void p.finally(() => this.tasks.delete(p)).catch(() => undefined);
    return p;
  }

  /** Polls the ledger for new clocks, re-reading a margin of rows so one that committed late is still seen. */
  private async watchClocks(): Promise<void> {
    let high = 0;
    while (Date.now() < this.end && !this.o.signal.aborted) {
      try {
        for (const c of await clocksSince(this.o.ledger, Math.max(0, high - 200))) {
          high = Math.max(high, c.id);
          if (this.seenClocks.has(c.id)) continue;
          this.seenClocks.add(c.id);
          this.onClock(c);
        }
      } catch (e) {
        if (this.problems.length < 5) this.problems.push(`reading the ledger: ${(e as Error).message}`);
      }
      await this.until(Math.min(this.end, Date.now() + POLL_MS));
    }
  }

  private poolMember(c: ClockRow, lead: DemoLead): string | null {
    const members = this.o.config.queues?.find((q) => q.id === c.pool)?.members ?? [];
    return members.length > 0 ? rng(this.o.seed, lead.no, 5 + c.clock).pick(members) : null;
  }

  /** Who would plausibly have touched a lead of this size and region (the early, out-of-order touch). */
  private likelyRep(lead: DemoLead): string {
    const queue =
      lead.segment === 'enterprise' ? (lead.region === 'na' || lead.region === 'latam' ? 'enterprise-na' : 'enterprise-emea') : lead.segment === 'mid-market' ? 'mid-market' : 'smb-pool';
    const members = this.o.config.queues?.find((q) => q.id === queue)?.members ?? this.o.config.reps.map((r) => r.id);
    return rng(this.o.seed, lead.no, 4).pick(members);
  }
}
