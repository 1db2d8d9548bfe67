import type { Kind } from './kinds.ts';

/** Outcome of an `icp` rule: the ideal-customer-profile tier (A best, D outside the profile). */
export interface IcpOutcome {
  tier: 'A' | 'B' | 'C' | 'D';
  reason?: string;
}

/** Outcome of a `disqualification` rule; every matching rule adds one reason. */
export interface DisqualificationOutcome {
  code: string;
  reason: string;
  /** A later lead.updated re-opens the closed lead for a new decision (e.g. "too small" can grow); default false. */
  reopenable?: boolean;
}

/** Outcome of a `qualification` rule: MQL status and the fields sales needs before accepting the lead. */
export interface QualificationOutcome {
  status: 'mql' | 'nurture' | 'disqualified';
  reason?: string;
  /** Facts paths (e.g. `lead.phone`) that must hold a value before the hand-off to sales. */
  requiredFields?: string[];
}

/** Outcome of a `data-quality` rule: one problem with one field. */
export interface DataQualityOutcome {
  field: string;
  severity: 'block' | 'warn';
  message: string;
}

/** Outcome of a `routing` rule. Queue members and strategy (round robin, pool) come from config. */
export type RoutingOutcome =
  ({ strategy: 'account-owner'; fallbackQueue: string; reason?: string } & HoldPolicy) | ({ strategy: 'queue'; queue: string; fallbackQueue?: string; reason?: string } & HoldPolicy);

/**
 * What a routing rule says about the time nobody can take the lead. `outOfHours`: when none of the queue's members
 * is in working hours, `overflow` (default) tries the overflow chain and fallback queue, `hold` waits for the
 * queue, `follow-the-sun` tries the members of `followTheSun` queues whose hours are open. A lead nobody can take
 * is held; after `maxHold` (wall-clock) the `holdNotify` recipients (default the queue's manager) are told once.
 */
export interface HoldPolicy {
  outOfHours?: 'hold' | 'overflow' | 'follow-the-sun';
  followTheSun?: string[];
  maxHold?: string;
  holdNotify?: Recipient[];
}

export type Handoff = 'marketing-to-sales' | 'sales-to-cs';

/** Who is told: the record's owner, the owner's manager, a rep id or a team id from the config. */
export type Recipient = 'owner' | 'manager' | (string & {});

/** Outcome of an `sla` rule. Durations are business time on `calendar` ('owner' = the owner's calendar). */
export interface SlaOutcome {
  handoff: Handoff;
  target: string;
  /** A share of the target (`75%`) or a duration (`3h`) after which the owner is warned. */
  warnAt: string;
  calendar: 'owner' | (string & {});
  escalation: {
    notify: Recipient[];
    reassign: boolean;
    maxReassignments?: number;
    /** After the last reassignment: the owner queue's overflow, or a queue id. */
    then?: 'overflow' | (string & {});
  };
  /** Which pause reasons (from CRM events) may stop this clock; absent: the clock cannot be paused. */
  pause?: { reasons: string[]; maxPause?: string };
  reason?: string;
}

/** Outcome of a `health` rule: a signal that moves the account's score. */
export interface HealthSignal {
  signal: string;
  points: number;
  note?: string;
}

export type HealthBand = 'green' | 'yellow' | 'red';

export interface Playbook {
  id: string;
  description?: string;
  /** 'account-owner', or a queue id. */
  assignTo: 'account-owner' | (string & {});
  fallbackQueue?: string;
  notify?: Recipient[];
  within: string;
}

export interface HealthScoring {
  base: number;
  min: number;
  max: number;
  bands: { green: number; yellow: number };
  playbooks: { red: Playbook; yellow?: Playbook; green?: Playbook };
}

/**
 * Outcome of a `recycling` rule: how long the lead of a lost deal waits before it goes back to marketing
 * nurture. The cooldown is wall-clock time: a day is 24 hours (unlike SLA targets, where it is a working day).
 */
export interface RecyclingOutcome {
  cooldown: string;
  reason?: string;
}

/** Outcome of a `handoff` rule: context that must travel with a hand-off; every matching rule adds its fields. */
export interface HandoffOutcome {
  handoff: Handoff;
  /** Facts paths (e.g. `handoff.champion`, `account.arr`) that must hold a value for the hand-off to be complete. */
  requiredFields: string[];
  /** Who is told when a required field is missing (incomplete hand-off). */
  notify?: Recipient[];
  reason?: string;
}

/**
 * Outcome of a `cs-routing` rule: the customer-success owner of a new customer. Same shape as sales routing;
 * 'account-owner' means the account's current CS owner (account.csOwner).
 */
export type CsRoutingOutcome = RoutingOutcome;

/** Outcome of a `renewal` rule: reminders before the contract end. Durations are calendar time (a day is 24 h). */
export interface RenewalOutcome {
  /** Offsets before the contract end, earliest reminder first, e.g. [120d, 90d, 60d, 30d]. */
  reminders: string[];
  notify: Recipient[];
  reason?: string;
}

/** A field a hand-off needs, with the first rule that asked for it. */
export interface RequiredHandoffField {
  field: string;
  rule: string;
  reason?: string;
}

/** What a rule's `then` holds, per kind. */
export interface RuleOutcomes {
  icp: IcpOutcome;
  disqualification: DisqualificationOutcome;
  qualification: QualificationOutcome;
  'data-quality': DataQualityOutcome;
  routing: RoutingOutcome;
  sla: SlaOutcome;
  health: HealthSignal;
  recycling: RecyclingOutcome;
  handoff: HandoffOutcome;
  'cs-routing': CsRoutingOutcome;
  renewal: RenewalOutcome;
}

type WithRule<T> = T & { rule: string };

/** What `decide(kind)` returns as `outcome`: the winner for `first` sets, an aggregate for `collect` sets. */
export interface DecisionOutcomes {
  icp: IcpOutcome | null;
  disqualification: { disqualified: boolean; reasons: WithRule<DisqualificationOutcome>[] };
  qualification: QualificationOutcome | null;
  'data-quality': { blocking: boolean; issues: WithRule<DataQualityOutcome>[] };
  routing: RoutingOutcome | null;
  sla: SlaOutcome | null;
  health: { score: number; band: HealthBand; signals: WithRule<HealthSignal>[]; playbook: Playbook | null };
  recycling: RecyclingOutcome | null;
  /** Fields de-duplicated (the first rule that names a field wins); notify is the union in rule order. */
  handoff: { required: RequiredHandoffField[]; notify: Recipient[] };
  'cs-routing': CsRoutingOutcome | null;
  renewal: RenewalOutcome | null;
}

export type HitPolicy = 'first' | 'collect';

export interface Rule<K extends Kind = Kind> {
  id: string;
  description: string;
  when: unknown;
  then: RuleOutcomes[K];
}

/** A rule-set file as written (after schema validation). */
export interface RuleSetDoc<K extends Kind = Kind> {
  kind: K;
  version: 1;
  description?: string;
  hitPolicy: HitPolicy;
  noMatch?: { reason: string; outcome?: RuleOutcomes[K] };
  scoring?: HealthScoring;
  rules: Rule<K>[];
}

export interface Revision {
  /** Last commit that touched the rules folder; null outside Git or before the first commit. */
  commit: string | null;
  /** sha256 over the rule-set files (sorted by path) — what decisions depend on. */
  contentHash: string;
  /** The working tree differs from that commit under the rules folder (or is not committed at all). */
  dirty: boolean;
  /** `<commit12>+<hash8>[-dirty]`, `uncommitted+<hash8>-dirty`, or `nogit+<hash8>`. */
  id: string;
}

export type Facts = Record<string, unknown>;

export interface Decision<K extends Kind = Kind> {
  kind: K;
  outcome: DecisionOutcomes[K];
  /** Rule ids that matched, in rule order (at most one for `first` sets). */
  matched: string[];
  /** Set for `first` sets when no rule matched: the set's declared noMatch reason. */
  noMatch?: string;
  revision: Revision;
  /** Every facts path the evaluation read, with the value it saw (null when absent). */
  inputs: Record<string, unknown>;
}
