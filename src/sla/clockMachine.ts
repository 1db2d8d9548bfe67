/**
 * The hand-off clock as one pure state machine, for both hand-offs (marketing -> sales first touch in the lead
 * workflow, sales -> CS kickoff in the account workflow). Each transition changes the clock and returns the
 * effects the workflow carries out in order: ledger rows to note, an escalation to send, a reassignment or an
 * overflow to route. Nothing here does I/O or reads a clock of its own (times come in as arguments), so it is
 * bundled into workflow code and unit-tested without Temporal.
 *
 *   running --warnAt--> warned --deadline--> breached --(rules)--> reassigned | overflowed | stays breached
 *   running|warned --pause--> paused --resume/until--> running|warned (deadline moved by the paused business time)
 *   running|warned|paused --first touch / kickoff--> met;  running|warned|paused --churn--> cancelled (none)
 * `held` (nobody could take the lead) comes before any clock: see holdTimer.
 */
import type { ClockResume, ClockStatus, RunningClock } from '../../workflows/clock.ts';
import type { HoldInfo } from '../../workflows/lead/types.ts';
import { durationMs, MS_PER_DAY, parseDuration } from '../rules/durations.ts';
import type { ClockRowEvent } from './clockKeys.ts';
import { mayPause } from './pause.ts';

export type ClockRowType = 'sla.warned' | 'sla.breached' | 'sla.met' | 'sla.paused' | 'sla.resumed' | 'sla.cancelled';

export type ClockEffect =
  | { kind: 'row'; type: ClockRowType; event: ClockRowEvent; data: Record<string, unknown> }
  /** Tell the rule's recipients about the breach (after the breach row is on record). */
  | { kind: 'escalate'; breacher: string | null }
  /** Route again inside the same queue, excluding everyone who breached. */
  | { kind: 'reassign' }
  /** Route to the overflow: the owner queue's overflow ('overflow') or a named queue. */
  | { kind: 'overflow'; then: string };

export type Refusal = { refused: string };

/** Every clock row names its hand-off, so metrics can tell the two clocks apart without the entity columns. */
const row = (c: RunningClock, type: ClockRowType, event: ClockRowEvent, data: Record<string, unknown>): ClockEffect => ({ kind: 'row', type, event, data: { handoff: c.handoff, ...data } });

const ticking = (s: ClockStatus): s is 'running' | 'warned' => s === 'running' || s === 'warned';

/** Whether the clock is still counting or paused (open), as opposed to met, breached or closed. */
export function isOpen(c: RunningClock | null | undefined): boolean {
  return !!c && (ticking(c.status) || c.status === 'paused');
}

/** The next moment the clock needs its workflow: the warning, the deadline, or the end of a pause. */
export function clockTimer(c: RunningClock | null | undefined): { at: number; kind: 'warn' | 'deadline' | 'resume' } | null {
  if (!c) return null;
  if (c.status === 'running') return { at: Date.parse(c.warnAt), kind: 'warn' };
  if (c.status === 'warned') return { at: Date.parse(c.deadline), kind: 'deadline' };
  if (c.status === 'paused' && c.paused?.until) return { at: Date.parse(c.paused.until), kind: 'resume' };
  return null;
}

/** The timer's name in the Temporal UI: "SLA warning for noah-fischer", "kickoff SLA pause ends for emma-janssen". */
export function clockTimerSummary(kind: 'warn' | 'deadline' | 'resume', clock: 'SLA' | 'kickoff SLA', who: string | null): string {
  return `${clock} ${kind === 'warn' ? 'warning' : kind === 'deadline' ? 'deadline' : 'pause ends'} for ${who}`;
}

/**
 * Time has come (the timer fired, or the workflow woke for another reason): warn, or breach and say what the rules
 * want next. `reassignments` counts the record's reassignments so far. A paused clock never warns or breaches.
 */
export function onClockDue(c: RunningClock, now: number, owner: string | null, reassignments: number): ClockEffect[] {
  if (!ticking(c.status)) return [];
  if (c.status === 'running' && now >= Date.parse(c.warnAt) && now < Date.parse(c.deadline)) {
    c.status = 'warned';
    return [row(c, 'sla.warned', 'warned', { deadline: c.deadline, rule: c.rule })];
  }
  if (now < Date.parse(c.deadline)) return [];
  c.status = 'breached';
  const effects: ClockEffect[] = [
    row(c, 'sla.breached', 'breached', { deadline: c.deadline, rule: c.rule, owner, ...(c.pausedMs ? { pausedMs: c.pausedMs } : {}) }),
    { kind: 'escalate', breacher: owner },
  ];
  const next = afterBreach(c, reassignments);
  if (next) effects.push(next);
  return effects;
}

/** After a breach: reassign while the rule allows it, then overflow once, else the record stays where it is. */
export function afterBreach(c: Pick<RunningClock, 'escalation'>, reassignments: number): ClockEffect | null {
  const { reassign, maxReassignments, then } = c.escalation;
  if (reassign && reassignments < maxReassignments) return { kind: 'reassign' };
  if (then !== null && reassignments <= maxReassignments) return { kind: 'overflow', then };
  return null;
}

/**
 * The first touch (lead) or the kickoff (account) at `at` meets an open clock. A touch from before the clock
 * started belongs to an earlier owner and cannot meet it (`sinceStart`); a kickoff the CRM dates a moment before
 * the hand-off reached Flywheel still does.
 */
export function meetClock(c: RunningClock | null | undefined, at: string, extra: Record<string, unknown> = {}, sinceStart = true): ClockEffect[] | Refusal {
  if (!c) return { refused: 'no SLA clock is running' };
  if (!isOpen(c)) return { refused: `the SLA clock is ${c.status}` };
  if (sinceStart && Date.parse(at) < Date.parse(c.startedAt)) return { refused: 'it happened before the current clock started' };
  c.status = 'met';
  c.metAt = at;
  c.paused = null;
  return [row(c, 'sla.met', 'met', { rule: c.rule, deadline: c.deadline, ...(c.pausedMs ? { pausedMs: c.pausedMs } : {}), ...extra })];
}

/**
 * A CRM asks to stop the clock. Only reasons the clock's SLA rule allows; `until` (the CRM's) is capped by the
 * rule's maxPause (wall clock, a day is 24 h), and the clock resumes by itself then.
 */
export function pauseClock(c: RunningClock | null | undefined, at: string, reason: string, until: string | null): ClockEffect[] | Refusal {
  if (!c || !ticking(c.status)) return { refused: c?.status === 'paused' ? `the SLA clock is already paused (${c.paused?.reason})` : `no SLA clock is counting${c ? ` (${c.status})` : ''}` };
  const allowed = c.pause?.reasons ?? [];
  if (!mayPause(c.pause, reason))
    return { refused: `the SLA rule ${c.rule ?? '(none)'} does not allow pausing for "${reason}"${allowed.length ? ` (allowed: ${allowed.join(', ')})` : ' (it allows no pauses)'}` };
  const max = c.pause?.maxPause ? parseDuration(c.pause.maxPause) : null;
  const cap = max ? Date.parse(at) + durationMs(max, MS_PER_DAY) : null;
  const asked = until !== null && !Number.isNaN(Date.parse(until)) ? Date.parse(until) : null;
  const end = asked === null ? cap : cap === null ? asked : Math.min(asked, cap);
  if (end !== null && end <= Date.parse(at)) return { refused: `the pause would end (${new Date(end).toISOString()}) before it starts` };
  const n = c.pauses ?? 0;
  c.paused = { at, reason, until: end === null ? null : new Date(end).toISOString(), resumeTo: c.status === 'warned' ? 'warned' : 'running' };
  c.status = 'paused';
  return [row(c, 'sla.paused', `paused:${n}`, { reason, until: c.paused.until, rule: c.rule, deadline: c.deadline })];
}

/** The pause ends: the deadline (and a pending warning) moved by `shift`, computed on the clock's calendar. */
export function resumeClock(c: RunningClock | null | undefined, at: string, shift: ClockResume, by: 'event' | 'until'): ClockEffect[] | Refusal {
  if (!c || c.status !== 'paused' || !c.paused) return { refused: `the SLA clock is not paused${c ? ` (${c.status})` : ''}` };
  const n = c.pauses ?? 0;
  const { reason, at: pausedAt } = c.paused;
  c.status = c.paused.resumeTo;
  c.paused = null;
  c.pauses = n + 1;
  c.pausedMs = (c.pausedMs ?? 0) + shift.pausedBusinessMs;
  c.deadline = shift.deadline;
  if (c.status === 'running') c.warnAt = shift.warnAt;
  return [row(c, 'sla.resumed', `resumed:${n}`, { reason, pausedAt, resumedAt: at, pausedMs: shift.pausedBusinessMs, by, deadline: c.deadline, rule: c.rule })];
}

/** The record closed under an open clock (a churned customer): the clock ends on record, neither met nor breached. */
export function cancelClock(c: RunningClock | null | undefined, reason: string): ClockEffect[] {
  if (!c || !isOpen(c)) return [];
  c.status = 'none';
  c.paused = null;
  return [row(c, 'sla.cancelled', 'cancelled', { rule: c.rule, deadline: c.deadline, reason })];
}

/** A held lead's next moment: routed again when a candidate can take it, and its manager told once at maxHold. */
export function holdTimer(h: (HoldInfo & { toldAt: string | null }) | null | undefined): { at: number; kind: 'route' | 'tell' } | null {
  if (!h) return null;
  const due: { at: number; kind: 'route' | 'tell' }[] = [];
  if (h.nextRouteAt) due.push({ at: Date.parse(h.nextRouteAt), kind: 'route' });
  if (h.maxHoldAt && !h.toldAt) due.push({ at: Date.parse(h.maxHoldAt), kind: 'tell' });
  return due.sort((a, b) => a.at - b.at)[0] ?? null;
}
