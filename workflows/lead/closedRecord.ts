/**
 * A lead's permanent closed record and its revival, pure: what the `lead.closed` row keeps, and how a fresh run
 * takes it back when a late event arrives after the workflow completed.
 */
import type { ClosedRecord } from '../shared/closed.ts';
import type { LeadEvent, LeadState } from './types.ts';

type Snapshot = Partial<Pick<LeadState, 'stage' | 'tier' | 'queue' | 'lead' | 'opportunity' | 'handoffAt' | 'seq' | 'assignments'>>;

/** The data of the `lead.closed` row; `seq` and `assignments` let a revival go on numbering where this run stopped. */
export function closedRow(s: LeadState, reopenable: boolean): Record<string, unknown> {
  const snapshot: Snapshot = { stage: s.stage, tier: s.tier, queue: s.queue, lead: s.lead, opportunity: s.opportunity, handoffAt: s.handoffAt, seq: s.seq, assignments: s.assignments };
  return { status: s.status, reason: s.closedReason, owner: s.owner, tier: s.tier, reopenable, snapshot };
}

/**
 * Takes the closed record back into a fresh run's state. The lead re-opens (status stays `new`, so the event is
 * decided again) only when the rules made it reopenable and the event is a create or update; otherwise it is the
 * closed record again and the event is applied to that.
 */
export function restoreClosed(s: LeadState, closed: ClosedRecord, first: LeadEvent): 'closed' | 'reopened' {
  const snap = closed.snapshot as Snapshot;
  // Placements and clocks are keyed by these counters: a re-opened lead goes on from the closed record's.
  s.seq = snap.seq ?? 0;
  s.assignments = snap.assignments ?? 0;
  s.lead = snap.lead ?? {};
  s.tier = snap.tier ?? null;
  s.queue = snap.queue ?? null;
  s.owner = closed.owner;
  s.closedReason = closed.reason;
  s.closedAt = closed.closedAt;
  // A re-opened lead is routed afresh; the caller clears the owner once the re-opening is on record under it.
  if (closed.reopenable && (first.type === 'lead.updated' || first.type === 'lead.created')) return 'reopened';
  s.status = closed.status as LeadState['status'];
  s.stage = snap.stage ?? (s.status === 'won' ? 'Delight' : 'Closed');
  s.opportunity = snap.opportunity ?? null;
  s.handoffAt = snap.handoffAt ?? null;
  return 'closed';
}
