import type { DecisionRecord, IgnoredEvent, LeadEvent, LeadState } from './types.ts';

/** Bounds that keep a long-lived lead's state (and so its history payloads) small. */
export const LIMITS = { seen: 200, decisions: 40, ignored: 40, early: 50 } as const;

export function initialState(leadId: string): LeadState {
  return {
    leadId,
    stage: 'Attract',
    status: 'new',
    lead: {},
    leadUpdatedAt: null,
    tier: null,
    owner: null,
    pool: null,
    queue: null,
    breachedReps: [],
    reassignments: 0,
    assignments: 0,
    seq: 0,
    sla: null,
    handoffAt: null,
    firstMeetingAt: null,
    timeToFirstMeetingMs: null,
    opportunity: null,
    closedReason: null,
    recycleAt: null,
    rulesRevision: null,
    decisions: [],
    ignored: [],
    seen: [],
    early: [],
    runs: 1,
  };
}

export function pushBounded<T>(list: T[], item: T, max: number): void {
  list.push(item);
  if (list.length > max) list.splice(0, list.length - max);
}

/** Remembers an applied event's key (bounded) so redelivery has no second effect; lead and account share it. */
export function remember(s: { seen: string[] }, e: { key: string }, max: number = LIMITS.seen): void {
  pushBounded(s.seen, e.key, max);
}

/** Records why an event had no effect (bounded), for the `state` query; shared by the lead and account workflows. */
export function ignore(s: { ignored: IgnoredEvent[] }, e: { id: string; type: string }, reason: string, at: string): IgnoredEvent {
  const item = { eventId: e.id, type: e.type, at, reason };
  pushBounded(s.ignored, item, LIMITS.ignored);
  return item;
}

/** Keeps the last decisions (bounded) and the rules revision they were made at; lead and account share it. */
export function recordDecisions(s: { decisions: DecisionRecord[]; rulesRevision: string | null }, ds: DecisionRecord[], max: number = LIMITS.decisions): void {
  for (const d of ds) {
    pushBounded(s.decisions, d, max);
    s.rulesRevision = d.revision;
  }
}

/**
 * Merges a lead.created/updated payload. An update older than the last one applied is stale (CRM webhooks
 * arrive out of order): its fields do not overwrite newer values.
 */
export function mergeLead(s: LeadState, e: LeadEvent): boolean {
  if (s.leadUpdatedAt !== null && Date.parse(e.time) < Date.parse(s.leadUpdatedAt)) return false;
  s.lead = { ...s.lead, ...e.data };
  s.leadUpdatedAt = e.time;
  return true;
}
