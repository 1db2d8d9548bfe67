/**
 * Bounded bookkeeping both record workflows (lead and account) keep in their state: ignored events, recent
 * decisions. Bounds keep a long-lived record's state, and so each continue-as-new payload, small. Pure.
 */
import type { DecisionRecord, IgnoredEvent } from '../lead/types.ts';

export const RECORD_LIMITS = { decisions: 40, ignored: 40 } as const;

export function pushBounded<T>(list: T[], item: T, max: number): void {
  list.push(item);
  if (list.length > max) list.splice(0, list.length - max);
}

/** Records why an event had no effect (bounded), for the `state` query. */
export function ignore(s: { ignored: IgnoredEvent[] }, e: { id: string; type: string }, reason: string, at: string): IgnoredEvent {
  const item = { eventId: e.id, type: e.type, at, reason };
  pushBounded(s.ignored, item, RECORD_LIMITS.ignored);
  return item;
}

/** Keeps the last decisions (bounded) and the rules revision they were made at. */
export function recordDecisions(s: { decisions: DecisionRecord[]; rulesRevision: string | null }, ds: DecisionRecord[], max: number = RECORD_LIMITS.decisions): void {
  for (const d of ds) {
    pushBounded(s.decisions, d, max);
    s.rulesRevision = d.revision;
  }
}
