/** Shapes the account workflow shares with its activities and clients. Pure types: bundled into workflow code. */
import type { EventTypeOf } from '../../src/events/catalog.ts';
import type { RunningClock } from '../clock.ts';
import type { DecisionRecord, FlywheelStage, IgnoredEvent, RecordFailure } from '../lead/types.ts';

/** Events a customer's CRM sends about the account (validated CloudEvents, trimmed). */
export type AccountCrmEventType = EventTypeOf<'account'>;

/**
 * Events Flywheel itself sends to the account: the sales -> CS hand-off from a won lead, and the news that a lead
 * this account referred was won. They travel on the same signal so ordering and de-duplication are one mechanism.
 */
export type AccountInternalEventType = 'handoff.received' | 'referral.won';

export interface AccountEvent {
  key: string;
  id: string;
  source: string;
  type: AccountCrmEventType | AccountInternalEventType;
  subject: string;
  time: string;
  data: Record<string, unknown>;
}

/** What a won lead hands to customer success (the data of a `handoff.received` event). */
export interface HandoffPayload {
  leadId: string;
  opportunityId: string;
  arr: number;
  currency?: string;
  salesOwner: string | null;
  tier: string | null;
  company: string | null;
  domain: string | null;
  region: string | null;
  /** The context sales recorded on the won opportunity (champion, goals, contract dates, ...). */
  context: Record<string, unknown>;
  referredBy: string | null;
}

export type AccountStatus = 'awaiting-handoff' | 'onboarding' | 'active' | 'churned';

/** The sales -> CS kickoff clock and where it stands. */
export type KickoffClock = RunningClock;

export interface CsAssignment {
  owner: string | null;
  queue: string;
  strategy: string;
  decision: DecisionRecord;
}

export interface HandoffCheck {
  missing: string[];
  required: string[];
  notify: string[];
  decision: DecisionRecord;
}

export interface HealthResult {
  score: number;
  band: 'green' | 'yellow' | 'red';
  signals: string[];
  playbook: { id: string; description?: string; assignTo: string; notify: string[]; within: string } | null;
  decision: DecisionRecord;
}

export interface RenewalPlan {
  contractEnd: string;
  /** When the contract ends (renewal due): past it without a renewal, the account is overdue. */
  dueAt: string;
  reminders: { offset: string; at: string }[];
  /** Offsets that were already past when the plan was made (a short or late-recorded contract). */
  passed: string[];
  notify: string[];
  rule: string | null;
  decision: DecisionRecord;
}

export interface Referral {
  leadId: string;
  eventId: string;
  submittedAt: string;
  company: string | null;
  status: 'submitted' | 'won';
  arr: number | null;
  wonAt: string | null;
}

export interface AccountState {
  accountId: string;
  stage: FlywheelStage;
  status: AccountStatus;
  name: string | null;
  domain: string | null;
  region: string | null;
  tier: string | null;
  arr: number;
  currency: string | null;
  salesOwner: string | null;
  csOwner: string | null;
  csQueue: string | null;
  /** Who owns the customer's first 30 days (the CS owner at the hand-off), and until when. */
  onboarding: { owner: string | null; until: string; completed: boolean } | null;
  wonAt: string | null;
  handoffs: { opportunityId: string; leadId: string; at: string; arr: number; missing: string[] }[];
  context: Record<string, unknown>;
  kickoff: KickoffClock | null;
  kickoffHeldAt: string | null;
  breachedCsms: string[];
  reassignments: number;
  /** Kickoff clocks started so far: keys each one's ledger rows. */
  clocks: number;
  contract: { start: string | null; end: string | null };
  renewal: (Omit<RenewalPlan, 'decision'> & { sent: string[]; overdue: boolean }) | null;
  /** The latest report (kept so renewal rules can read its signals) and how the health rules scored it. */
  health: { score: number; band: HealthResult['band']; signals: string[]; at: string; playbook: string | null; report?: Record<string, unknown> } | null;
  referrals: Referral[];
  /** ARR of won deals this account referred: customer-sourced pipeline. */
  referredArr: number;
  churn: { at: string; reason: string } | null;
  /** A churned account keeps answering late events until then (a won deal before that brings it back). */
  closesAt: string | null;
  /** Steps that failed for good (bad data, bad rules), with their cause; the account went on with later events. */
  failures?: RecordFailure[];
  /** Set on a closed account revived by a late event: when its record closed. */
  closedAt?: string | null;
  /**
   * An existing customer brought in by `account.imported` (issue 14): it started in its real state, with no
   * hand-off check, kickoff clock or onboarding period. Absent on accounts won inside Flywheel.
   */
  imported?: boolean;
  importedAt?: string | null;
  importedFrom?: string | null;
  seq: number;
  rulesRevision: string | null;
  decisions: DecisionRecord[];
  ignored: IgnoredEvent[];
  seen: string[];
  /** Digests of every older applied key (see LeadState.seenDigests). */
  seenDigests?: number[];
  /** CRM events that arrived before the hand-off, applied once the account exists. */
  early: AccountEvent[];
  runs: number;
}

export interface AccountWorkflowInput {
  accountId: string;
  carried?: AccountState;
  pending?: AccountEvent[];
  /** History events after which the run continues as new (default 2,000); tests lower it. */
  historyBudget?: number;
  /** How long a churned account records late events before completing (default 30 days). */
  closedGraceMs?: number;
}

/** What an `account.imported` event carries (validated against account.imported.schema.json). */
export interface ImportedAccountData {
  name?: string;
  domain?: string;
  region?: string;
  tier?: string;
  arr: number;
  currency?: string;
  contractStart?: string;
  contractEnd?: string;
  csOwner?: string;
  salesOwner?: string;
  health?: { score?: number; band?: 'green' | 'yellow' | 'red' };
  importedFrom?: string;
}

/** What the importAccount activity settled: the CS owner as given (placed), or null when routing must pick one. */
export interface ImportedAccountResult {
  /** The given CS owner, recorded in the assignment store; null when none was given or the rep is unknown. */
  owner: string | null;
  queue: string | null;
  /** Why the given owner was not kept (unknown rep), for the record. */
  ownerRefused: string | null;
  /** The health: band as given, else the health rules' band for the given score; null without either. */
  health: { score: number; band: 'green' | 'yellow' | 'red'; scoreGiven: boolean } | null;
}

/** The slice of an account's state that its activities decide on (sent with each call). */
export type AccountSnapshot = Pick<AccountState, 'accountId' | 'name' | 'domain' | 'region' | 'tier' | 'arr' | 'salesOwner' | 'csOwner' | 'contract' | 'context'> & {
  healthBand: string | null;
};
