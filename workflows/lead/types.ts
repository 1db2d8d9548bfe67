/** Shapes the lead workflow shares with its activities and clients. Pure types: bundled into workflow code. */
import type { EventTypeOf } from '../../src/events/catalog.ts';
import type { ClockStatus, HandoffClock, RunningClock } from '../clock.ts';

export type FlywheelStage = 'Attract' | 'Engage' | 'Delight' | 'Closed';

export type LeadStatus = 'new' | 'nurture' | 'blocked-data' | 'held' | 'assigned' | 'working' | 'meeting' | 'opportunity' | 'won' | 'lost' | 'disqualified';

export type SlaStatus = ClockStatus;

/** A CRM event as the workflow receives it: the validated CloudEvent, trimmed to what the lifecycle needs. */
export interface LeadEvent {
  key: string;
  id: string;
  source: string;
  type: EventTypeOf<'lead'>;
  subject: string;
  time: string;
  data: Record<string, unknown>;
}

/** One rules decision as recorded in the workflow: which rules fired, on what inputs, at which revision. */
export interface DecisionRecord {
  at: string;
  kind: string;
  matched: string[];
  outcome: unknown;
  revision: string;
  inputs: Record<string, unknown>;
}

export interface AttractResult {
  decisions: DecisionRecord[];
  blockedBy: string[];
  /** reopenable: every disqualifying reason's rule says a later update may re-open the closed lead. */
  disqualified: { reasons: string[]; reopenable: boolean } | null;
  tier: string | null;
  status: 'mql' | 'nurture' | 'disqualified' | 'blocked-data';
  missingFields: string[];
  revision: string;
}

export interface AssignmentRequest {
  leadId: string;
  lead: Record<string, unknown>;
  tier: string | null;
  /** Workflow time of the decision: availability and working hours are judged at this instant. */
  at: string;
  /** Reps who already breached this lead's SLA: never picked again. */
  exclude: string[];
  /** Distinguishes each (re)assignment so a retried activity returns the same rep. */
  attempt: number;
  /** Force the overflow queue of the previous queue (after the last allowed reassignment). */
  overflowFrom?: string;
  reason: 'handoff' | 'sla-breach' | 'overflow' | 'recycled';
  /** Set when a held lead is routed again: when it was first held (its place in the queue's line). */
  heldSince?: string;
}

/** Why a candidate could not take the lead, and when they could (null: not foreseeable, e.g. at capacity). */
export interface HoldCandidate {
  rep: string;
  queue: string;
  reason: 'outside-hours' | 'out-of-office' | 'at-capacity' | 'inactive' | 'excluded';
  availableAt: string | null;
}

/** A lead nobody could take: where it waits, why, and when it will be routed again. */
export interface HoldInfo {
  /** The queue the lead waits for (the one the routing rule chose). */
  queue: string;
  /** When it was first held: leads held in one queue are placed in this order. */
  since: string;
  candidates: HoldCandidate[];
  /** The earliest moment a candidate can take it; null: only freed capacity (a route signal) can. */
  nextRouteAt: string | null;
  /** since + the rule's maxHold; null when the rule sets none. */
  maxHoldAt: string | null;
  /** Who is told at maxHoldAt (resolved like SLA recipients; default the queue's manager). */
  notify: string[];
  rule: string | null;
}

export interface Assignment {
  owner: string | null;
  /** For pool queues: the pool the lead waits in until a member claims it with a touch. */
  pool: string | null;
  queue: string;
  strategy: 'account-owner' | 'weighted-round-robin' | 'pool' | 'overflow' | 'follow-the-sun' | 'held' | 'imported';
  reason: string;
  decision: DecisionRecord;
  /** Set when nobody could take the lead: it is held (owner and pool are null). */
  held: HoldInfo | null;
}

/** The marketing -> sales first-touch clock with the decision that set it. */
export interface SlaClock extends HandoffClock {
  handoff: 'marketing-to-sales';
  decision: DecisionRecord;
}

/** A step that failed for good: which event and activity, and why. */
export interface RecordFailure {
  at: string;
  eventId: string | null;
  eventType: string | null;
  activity: string;
  type: string;
  message: string;
}

export interface IgnoredEvent {
  eventId: string;
  type: string;
  at: string;
  reason: string;
}

export interface LeadState {
  leadId: string;
  stage: FlywheelStage;
  status: LeadStatus;
  lead: Record<string, unknown>;
  leadUpdatedAt: string | null;
  tier: string | null;
  owner: string | null;
  pool: string | null;
  queue: string | null;
  breachedReps: string[];
  reassignments: number;
  /** Placements made so far (hand-off, reassignments, overflow, recycling): keys each one's ledger rows. */
  assignments: number;
  /** Sequence for ledger keys of this lead, carried across continue-as-new. */
  seq: number;
  sla: (SlaClock & RunningClock & { timeToFirstTouchMs?: number }) | null;
  /** The fields a blocked lead is missing, and how often marketing was told (absent before this existed). */
  blocked?: { missing: string[]; since: string; notices: number } | null;
  /** Steps that failed for good (bad data, bad rules), with their cause; the lead went on with later events. */
  failures?: RecordFailure[];
  /** Set on a record that closed and was revived by a late event: what the closed record said. */
  closedAt?: string | null;
  /** Set while nobody can take the lead (status held); absent on leads recorded before holding existed. */
  hold?: (HoldInfo & { toldAt: string | null; reason?: AssignmentRequest['reason']; overflowFrom?: string }) | null;
  /** Set on a lead taken over by `lead.imported` (issue 14): metrics do not count it as a new lead. */
  imported?: boolean;
  importedAt?: string | null;
  handoffAt: string | null;
  firstMeetingAt: string | null;
  timeToFirstMeetingMs: number | null;
  opportunity: { id: string; amount: number; currency?: string; createdAt: string } | null;
  closedReason: string | null;
  recycleAt: string | null;
  rulesRevision: string | null;
  decisions: DecisionRecord[];
  ignored: IgnoredEvent[];
  /** Keys of the latest events applied (bounded), so CRM redelivery has no second effect. */
  seen: string[];
  /** Digests of every older applied key, so redelivery is recognised for the record's whole life. */
  seenDigests?: number[];
  /** Events that arrived before the lead existed, applied once it does. */
  early: LeadEvent[];
  runs: number;
}

export interface LeadWorkflowInput {
  leadId: string;
  /** Set by continue-as-new: the state carried into the new run. */
  carried?: LeadState;
  /** Events received but not yet handled when the previous run continued as new. */
  pending?: LeadEvent[];
  /** How long a closed lead records late events before completing (default 7 days). */
  closedGraceMs?: number;
  /** History events after which the run continues as new (default 2,000); tests lower it. */
  historyBudget?: number;
}

/** What a lead workflow returns when it completes. */
export interface LeadOutcome {
  leadId: string;
  status: LeadState['status'];
  reason: string | null;
  owner: string | null;
}
