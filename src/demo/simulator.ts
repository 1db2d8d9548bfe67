import { setMaxListeners } from 'node:events';
import type { FlywheelConfig } from '../config/types.ts';
import type { EventType } from '../events/catalog.ts';
import type { Ledger } from '../ledger/types.ts';
import { arrivalTimes } from './arrivals.ts';
import { CrmClient } from './crmClient.ts';
import { CustomerSuccess } from './csTeam.ts';
import { kickoffClocksSince } from './delight.ts';
import { generateLead, type DemoLead } from './leads.ts';
import { Outbox, type Sender } from './outbox.ts';
import { rng } from './random.ts';
import { referralPlan, salesPlan, touchTime, type SalesPlan } from './salesTeam.ts';
import { clocksSince, type ClockRow } from './summary.ts';
import { SendWindow } from './window.ts';

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

/**
 * Leads arrive in the first 40 % of the window: late arrivals still have time to be worked, and most deals are won
 * early enough for their short contracts to come up for renewal before the window closes.
 */
const ARRIVAL_SHARE = 0.4;
const POLL_MS = 250;

interface Tracked {
  lead: DemoLead;
  plan: SalesPlan;
  sender: Sender;
}

/**
 * A CRM, its sales team and its customers: leads arrive over the window, and the team works each new SLA clock it
 * sees in the ledger (as reps would see the assignment in their CRM) according to the lead's plan. Won deals become
 * customers, whom customer success and the customers themselves carry on with (csTeam.ts); a customer's referral
 * becomes a lead the team works like any other. Everything goes through the ingest API. Events for one lead or
 * account are sent one after another; different ones go concurrently. Nothing is sent after the window closes.
 */
export class Simulator {
  readonly crm: CrmClient;
  readonly window: SendWindow;
  leadsSent = 0;
  private readonly outbox: Outbox;
  private readonly customers: CustomerSuccess;
  private readonly tracked = new Map<string, Tracked>();
  private readonly latestClock = new Map<string, number>();
  private readonly seenClocks = new Set<number>();
  private readonly seenKickoffs = new Set<number>();
  private readonly pipelines = new Set<string>();
  private readonly lost = new Set<string>();

  constructor(private readonly o: SimulatorOptions) {
    this.crm = new CrmClient(o.api, o.secret);
    this.window = new SendWindow(o.windowMs, o.signal, this.crm.stats);
    this.outbox = new Outbox(this.crm, this.window);
    this.customers = new CustomerSuccess({
      seed: o.seed,
      config: o.config,
      window: this.window,
      outbox: this.outbox,
      onReferral: (lead) => this.follow(lead, referralPlan(o.seed, lead.no, lead.segment)),
    });
    // Every planned event waits on the same signal (so Ctrl-C cancels them all): hundreds of listeners is expected.
    setMaxListeners(0, o.signal);
  }

  get elapsedMs(): number {
    return this.window.elapsedMs;
  }

  /** The first few refusals or delivery failures, for the operator. */
  get problems(): string[] {
    return this.outbox.problems;
  }

  get referralsSent(): number {
    return this.customers.referralsSent;
  }

  /** Resolves once the window has closed and every request started inside it has been answered. */
  async run(): Promise<void> {
    const w = this.window;
    arrivalTimes(this.o.seed, this.o.leads, this.o.windowMs * ARRIVAL_SHARE).forEach((t, i) => w.at(w.start + t, () => this.arrive(generateLead(this.o.seed, i + 1))));
    const watching = this.watchLedger();
    await w.until(w.end);
    await w.drain();
    await watching;
  }

  /** Sales will work this lead when its clocks start: one from the CRM, or one a customer referred. */
  private follow(lead: DemoLead, plan: SalesPlan): Tracked {
    const tr: Tracked = { lead, plan, sender: { subject: lead.id, idPrefix: `evt-${lead.no}`, flaky: rng(this.o.seed, lead.no, 3), events: 0 } };
    this.tracked.set(lead.id, tr);
    return tr;
  }

  private arrive(lead: DemoLead): void {
    const tr = this.follow(lead, salesPlan(this.o.seed, lead.no, lead.segment));
    this.leadsSent++;
    if (lead.touchBeforeCreate) {
      this.crm.stats.outOfOrder++;
      void this.deliver(lead, 'lead.touched', { by: this.likelyRep(lead), channel: 'email' });
    }
    void this.deliver(lead, 'lead.created', lead.data);
    const update = lead.update;
    if (update) this.window.at(Date.now() + tr.plan.steps[2] * this.o.windowMs, () => void this.deliver(lead, 'lead.updated', update.data));
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
    this.window.at(when, async () => {
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
    const { handoff, customer } = this.customers.sign(lead, plan);
    const won = await this.deliver(lead, 'opportunity.won', { opportunityId, accountId: lead.accountId, amount: plan.amount, arr: plan.amount, currency: 'EUR', handoff });
    if (won) this.customers.onboard(customer);
  }

  /** Sends one event of the lead's, after its previous one was accepted; false when it could not be delivered. */
  private deliver(lead: DemoLead, type: EventType, data: Record<string, unknown>): Promise<boolean> {
    return this.outbox.send(this.tracked.get(lead.id)!.sender, type, data);
  }

  /** Waits `fraction` of the window; false (and counted as not sent) when that would pass the window's end. */
  private pause(fraction: number): Promise<boolean> {
    return this.window.pause(fraction * this.o.windowMs);
  }

  /**
   * Polls the ledger for new first-touch clocks (for the sales team) and new CS assignments with their kickoff
   * clocks (for customer success), re-reading a margin of rows so one that committed late is still seen.
   */
  private async watchLedger(): Promise<void> {
    let high = 0;
    let highKickoff = 0;
    const w = this.window;
    while (Date.now() < w.end && !this.o.signal.aborted) {
      try {
        for (const c of await clocksSince(this.o.ledger, Math.max(0, high - 200))) {
          high = Math.max(high, c.id);
          if (this.seenClocks.has(c.id)) continue;
          this.seenClocks.add(c.id);
          this.onClock(c);
        }
        for (const k of await kickoffClocksSince(this.o.ledger, Math.max(0, highKickoff - 200))) {
          highKickoff = Math.max(highKickoff, k.id);
          if (this.seenKickoffs.has(k.id)) continue;
          this.seenKickoffs.add(k.id);
          this.customers.onKickoffClock(k);
        }
      } catch (e) {
        this.outbox.problem(`reading the ledger: ${(e as Error).message}`);
      }
      await w.until(Math.min(w.end, Date.now() + POLL_MS));
    }
  }

  private poolMember(c: ClockRow, lead: DemoLead): string | null {
    const members = this.o.config.queues?.find((q) => q.id === c.pool)?.members ?? [];
    return members.length > 0 ? rng(this.o.seed, lead.no, 5 + c.clock).pick(members) : null;
  }

  /** Who would plausibly have touched a lead of this size and region (the early, out-of-order touch). */
  private likelyRep(lead: DemoLead): string {
    const queue = lead.segment === 'enterprise' ? (lead.region === 'na' || lead.region === 'latam' ? 'enterprise-na' : 'enterprise-emea') : lead.segment === 'mid-market' ? 'mid-market' : 'smb-pool';
    const members = this.o.config.queues?.find((q) => q.id === queue)?.members ?? this.o.config.reps.map((r) => r.id);
    return rng(this.o.seed, lead.no, 4).pick(members);
  }
}
