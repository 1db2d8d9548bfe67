/**
 * Pure steps both lead workflow versions take the same way: which timer a lead waits on, the owner's first touch
 * against its SLA clock, the order early events are applied in, the source on its rows. Bundled into workflow code.
 */
import { clockTimer, clockTimerSummary, holdTimer, meetClock, type ClockEffect } from '../../src/sla/clockMachine.ts';
import type { LeadEvent, LeadState } from './types.ts';

/** The one timer a lead waits on: recycling after a loss, a hold's next route or notice, or its SLA clock. */
export function leadTimer(s: LeadState): { at: number; summary: string } | null {
  if (s.status === 'lost' && s.recycleAt) return { at: Date.parse(s.recycleAt), summary: 'recycle to nurture after cooldown' };
  if (s.status === 'held' && s.hold) {
    const h = holdTimer(s.hold);
    return h && { at: h.at, summary: h.kind === 'route' ? `route again: held in ${s.hold.queue}` : `held in ${s.hold.queue} past the maximum hold: tell the manager` };
  }
  const t = clockTimer(s.sla);
  return t && { at: t.at, summary: clockTimerSummary(t.kind, 'SLA', s.owner ?? s.pool) };
}

/**
 * The owner's touch meets the running clock: the clock's rows to note, or null when there is no clock, the toucher
 * is not the owner, or the clock refuses (already met, breached). Sets the time to first touch on the clock.
 */
export function meetFirstTouch(s: LeadState, e: LeadEvent, by: string): Extract<ClockEffect, { kind: 'row' }>[] | null {
  const sla = s.sla;
  if (!sla || by !== s.owner) return null;
  const timeToFirstTouchMs = Date.parse(e.time) - Date.parse(s.handoffAt ?? sla.startedAt);
  const r = meetClock(sla, e.time, { timeToFirstTouchMs });
  if ('refused' in r) return null;
  sla.timeToFirstTouchMs = timeToFirstTouchMs;
  return r.filter((fx): fx is Extract<ClockEffect, { kind: 'row' }> => fx.kind === 'row');
}

/** Events kept before the lead existed, taken out of the state in the order they happened. */
export function takeEarly(s: LeadState): LeadEvent[] {
  if (s.status === 'new' || s.early.length === 0) return [];
  return s.early.splice(0).sort((a, b) => Date.parse(a.time) - Date.parse(b.time));
}

/** The lead's source on its ledger rows, so metrics can tell channels apart (marketing-sourced, referrals, ...). */
export function leadSource(s: LeadState): string | null {
  return typeof s.lead.source === 'string' ? s.lead.source : null;
}
