import type { LeadEvent, LeadState } from './types.ts';

/** Bounds that keep a long-lived lead's state (and so its history payloads) small. */
export const LEAD_LIMITS = { seen: 200, early: 50, failures: 20 } as const;

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

/** A lost lead back in nurture after its cooldown: the last hand-off's owner, deal and breaches no longer apply. */
export function resetForRecycling(s: LeadState): void {
  s.recycleAt = null;
  s.owner = null;
  s.pool = null;
  s.handoffAt = null;
  s.firstMeetingAt = null;
  s.timeToFirstMeetingMs = null;
  s.opportunity = null;
  s.breachedReps = [];
  s.reassignments = 0;
}
