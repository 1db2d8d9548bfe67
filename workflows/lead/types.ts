/** Shapes the lead workflow shares with its activities and clients. Pure types: bundled into workflow code. */
import type { HandoffClock } from '../clock.ts';

export type FlywheelStage = 'Attract' | 'Engage' | 'Delight' | 'Closed';

export type LeadStatus =
  | 'new'
  | 'nurture'
  | 'blocked-data'
  | 'assigned'
  | 'working'
  | 'meeting'
  | 'opportunity'
  | 'won'
  | 'lost'
  | 'disqualified';

export type SlaStatus = 'none' | 'running' | 'warned' | 'breached' | 'met';

/** A CRM event as the workflow receives it: the validated CloudEvent, trimmed to what the lifecycle needs. */
export interface LeadEvent {
  key: string;
  id: string;
  source: string;
  type:
    | 'lead.created'
    | 'lead.updated'
    | 'lead.touched'
    | 'meeting.booked'
    | 'opportunity.created'
    | 'opportunity.won'
    | 'opportunity.lost';
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
  disqualified: { reasons: string[] } | null;
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
}

export interface Assignment {
  owner: string | null;
  /** For pool queues: the pool the lead waits in until a member claims it with a touch. */
  pool: string | null;
  queue: string;
  strategy: 'account-owner' | 'weighted-round-robin' | 'pool' | 'overflow' | 'unassigned';
  reason: string;
  decision: DecisionRecord;
}

/** The marketing -> sales first-touch clock with the decision that set it. */
export interface SlaClock extends HandoffClock {
  handoff: 'marketing-to-sales';
  decision: DecisionRecord;
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
  sla: (SlaClock & { status: SlaStatus; metAt?: string; timeToFirstTouchMs?: number }) | null;
  handoffAt: string | null;
  firstMeetingAt: string | null;
  timeToFirstMeetingMs: number | null;
  opportunity: { id: string; amount: number; currency?: string; createdAt: string } | null;
  closedReason: string | null;
  recycleAt: string | null;
  rulesRevision: string | null;
  decisions: DecisionRecord[];
  ignored: IgnoredEvent[];
  /** Keys of events already applied (bounded), so CRM redelivery has no second effect. */
  seen: string[];
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
