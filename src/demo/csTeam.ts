import type { FlywheelConfig } from '../config/types.ts';
import type { EventType } from '../events/catalog.ts';
import { customerPlan, healthReport, referral, STREAMS, type CustomerPlan } from './customers.ts';
import type { DemoLead } from './leads.ts';
import type { Outbox, Sender } from './outbox.ts';
import { rng, type Rng } from './random.ts';
import type { SalesPlan } from './salesTeam.ts';
import type { KickoffClockRow } from './delight.ts';
import type { SendWindow } from './window.ts';

export interface CustomerSuccessOptions {
  seed: number;
  config: FlywheelConfig;
  window: SendWindow;
  outbox: Outbox;
  /** A customer referred a company: the sales team should work that lead when its SLA clock starts. */
  onReferral(lead: DemoLead): void;
}

export interface Customer {
  lead: DemoLead;
  plan: CustomerPlan;
  sender: Sender;
  health: Rng;
  /** What the customer pays now, as the CRM knows it: the deal, plus any upsell. */
  arr: number;
  contractEnd: number;
  kickoffHeld: boolean;
  churned: boolean;
}

const DAY_MS = 86_400_000;

/**
 * Customer success and its customers after a won deal: the CSM holds the kickoff when the ledger shows the
 * customer was assigned to them (as a CSM sees it in the CRM), and each customer reports health, sometimes buys
 * more, sometimes refers a company, and decides near the contract end: renew, renew bigger, shrink or leave. All
 * of it as account events (subject: the account id) through the same CRM outbox, one account's events in order.
 */
export class CustomerSuccess {
  referralsSent = 0;
  private readonly customers = new Map<string, Customer>();

  constructor(private readonly o: CustomerSuccessOptions) {}

  /** The hand-off context of a deal being won now, and the contract it signs (ending a short time from now). */
  sign(lead: DemoLead, sales: SalesPlan): { handoff: Record<string, unknown>; customer: Customer } {
    const plan = customerPlan(this.o.seed, lead.no);
    const now = Date.now();
    const customer: Customer = {
      lead,
      plan,
      sender: { subject: lead.accountId, idPrefix: `evt-${lead.accountId}`, flaky: rng(this.o.seed, lead.no, STREAMS.redelivery), events: 0 },
      health: rng(this.o.seed, lead.no, STREAMS.health),
      arr: sales.amount,
      contractEnd: now + plan.contract * this.o.window.ms,
      kickoffHeld: false,
      churned: false,
    };
    const handoff: Record<string, unknown> = {
      champion: `${lead.person.first} ${lead.person.last} (${lead.person.title})`,
      goals: sales.goals,
      ...(plan.withoutSuccessCriteria ? {} : { successCriteria: sales.successCriteria }),
      contractStart: new Date(now).toISOString(),
      // A date-time: a demo contract lasts well under a minute, so a date would end after the demo does.
      contractEnd: new Date(customer.contractEnd).toISOString(),
    };
    return { handoff, customer };
  }

  /** The won deal was accepted: plan the customer's life until its contract ends (what falls past the window is not sent). */
  onboard(c: Customer): void {
    this.customers.set(c.lead.accountId, c);
    const { plan } = c;
    const w = this.o.window;
    const won = Date.now();
    const length = c.contractEnd - won;
    plan.health.forEach((band, i) => w.at(won + length * (0.2 + (0.55 * (i + 0.5)) / plan.health.length), () => this.send(c, 'account.health_reported', healthReport(band, c.health))));
    const upsell = plan.midExpansion;
    if (upsell !== null) w.at(won + length * 0.55, () => this.expand(c, upsell));
    if (plan.refers) w.at(won + plan.referAfter * w.ms, () => this.refer(c));
    w.at(won + length * plan.decideAt, () => this.decide(c));
  }

  /** A CSM got a new customer (or took one over after a breach): they hold the kickoff, or let it slip. */
  onKickoffClock(k: KickoffClockRow): void {
    const c = this.customers.get(k.accountId);
    if (!c || c.kickoffHeld) return;
    const behaviour = k.clock === 0 ? c.plan.kickoff : 'prompt';
    const x = c.plan.kickoffAt;
    // Late stays clear of both ends: the warning should have fired, and the breach timer must not win the race.
    const when = behaviour === 'prompt' ? k.startedAt + (0.1 + 0.5 * x) * (k.warnAt - k.startedAt) : behaviour === 'late' ? k.warnAt + (0.2 + 0.6 * x) * (k.deadline - k.warnAt) : null;
    const by = k.owner ?? this.queueMember(k.queue, c);
    if (when === null || !by) return;
    this.o.window.at(when, () => {
      if (c.churned || c.kickoffHeld) return;
      c.kickoffHeld = true;
      return this.send(c, 'account.kickoff_held', { heldBy: by, attendees: [by, `${c.lead.person.first} ${c.lead.person.last}`] });
    });
  }

  private async decide(c: Customer): Promise<void> {
    if (c.churned) return;
    const { plan } = c;
    if (plan.decision === 'churn') {
      c.churned = true;
      await this.send(c, 'account.churned', { reason: plan.churnReason });
      return;
    }
    if (plan.decision === 'contract') {
      const amount = Math.min(c.arr - 500, roundArr(c.arr * plan.change));
      if (amount > 0 && (await this.send(c, 'account.contracted', { amount, reason: 'fewer seats at renewal' }))) c.arr -= amount;
    }
    if (plan.decision === 'expand') c.arr = roundArr(c.arr * (1 + plan.change));
    // The renewed contract runs a year: its reminders are far beyond the demo.
    const start = new Date(c.contractEnd);
    await this.send(c, 'account.renewed', { arr: c.arr, contractStart: start.toISOString(), contractEnd: new Date(c.contractEnd + 365 * DAY_MS).toISOString().slice(0, 10) });
  }

  private async expand(c: Customer, share: number): Promise<void> {
    if (c.churned) return;
    const amount = roundArr(c.arr * share);
    if (await this.send(c, 'account.expanded', { amount, reason: 'another team signed up' })) c.arr += amount;
  }

  private async refer(c: Customer): Promise<void> {
    if (c.churned) return;
    const r = referral(this.o.seed, c.lead.no);
    // Known to the sales team before the lead exists, so its first SLA clock is worked like any other.
    this.o.onReferral(r.lead);
    this.referralsSent++;
    await this.send(c, 'referral.submitted', r.data);
  }

  private send(c: Customer, type: EventType, data: Record<string, unknown>): Promise<boolean> {
    return this.o.outbox.send(c.sender, type, data);
  }

  private queueMember(queue: string | null, c: Customer): string | null {
    const members = this.o.config.queues?.find((q) => q.id === queue)?.members ?? [];
    return members.length > 0 ? rng(this.o.seed, c.lead.no, STREAMS.queue).pick(members) : null;
  }
}

/** ARR moves in steps of EUR 500, like the deals; never below one step. */
const roundArr = (x: number) => Math.max(500, Math.round(x / 500) * 500);
