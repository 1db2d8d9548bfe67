import type { CalendarConfig, FlywheelConfig } from '../config/types.ts';
import { durationMs, parseDuration, parsePercent } from '../rules/durations.ts';
import type { RulesEngine } from '../rules/engine.ts';
import type { Decision, Facts, Handoff } from '../rules/types.ts';
import { calendarFor, repCalendarId } from '../routing/candidates.ts';
import type { HandoffClock } from '../../workflows/clock.ts';

export interface HandoffClockRequest {
  handoff: Handoff;
  /** Facts about the record (lead, account, icp, ...); owner and handoff facts are added here. */
  facts: Facts;
  owner: string | null;
  /** The queue the record was placed in: its team's calendar applies when there is no owner. */
  queue: string | null;
  startedAt: string;
  reassignments: number;
}

/**
 * One hand-off clock (marketing -> sales first touch, sales -> CS kickoff): the SLA rules give target, warning and
 * escalation; the deadline counts business time on the owner's calendar (or the rule's). The deadline is fixed
 * here, so a later rules change does not move a clock that is already running.
 */
export function decideHandoffClock(engine: RulesEngine, cfg: FlywheelConfig, req: HandoffClockRequest): { clock: HandoffClock; decision: Decision<'sla'>; facts: Facts } {
  const rep = cfg.reps.find((r) => r.id === req.owner);
  const facts = {
    ...req.facts,
    now: req.startedAt,
    owner: rep ? { id: rep.id, team: rep.team, manager: rep.manager ?? null, calendar: repCalendarId(cfg, rep) } : { id: null },
    handoff: { ...((req.facts.handoff as Facts | undefined) ?? {}), type: req.handoff, startedAt: req.startedAt, reassignments: req.reassignments },
  };
  const decision = engine.decide('sla', facts);
  const sla = decision.outcome;
  const calendarId = !sla || sla.calendar === 'owner' ? ownerCalendar(cfg, req.owner, req.queue) : sla.calendar;
  const calendar = calendarFor(cfg, calendarId);
  const spec = cfg.calendars.find((c) => c.id === calendarId)!;
  const start = Date.parse(req.startedAt);
  const target = sla ? businessMs(sla.target, spec) : 0;
  const pct = sla ? parsePercent(sla.warnAt) : null;
  const warnMs = !sla ? 0 : pct !== null ? Math.round(target * pct) : businessMs(sla.warnAt, spec);
  return {
    decision,
    facts,
    clock: {
      handoff: req.handoff,
      rule: decision.matched[0] ?? null,
      target: sla?.target ?? 'none',
      startedAt: req.startedAt,
      warnAt: new Date(calendar.addBusinessTime(start, Math.min(warnMs, target))).toISOString(),
      deadline: new Date(calendar.addBusinessTime(start, target)).toISOString(),
      calendar: calendarId,
      escalation: {
        notify: sla?.escalation.notify ?? [],
        reassign: sla?.escalation.reassign ?? false,
        maxReassignments: sla?.escalation.maxReassignments ?? 0,
        then: sla?.escalation.then ?? null,
      },
      // Fixed with the clock like the deadline: a rules change does not let new reasons pause a running clock.
      pause: { reasons: sla?.pause?.reasons ?? [], maxPause: sla?.pause?.maxPause ?? null },
    },
  };
}

/** The owner's calendar, else the calendar of the queue's team, else the first calendar. */
export function ownerCalendar(cfg: FlywheelConfig, owner: string | null, queue: string | null): string {
  const rep = cfg.reps.find((r) => r.id === owner);
  if (rep) return repCalendarId(cfg, rep);
  const team = cfg.queues?.find((q) => q.id === queue)?.team;
  return cfg.teams.find((t) => t.id === team)?.calendar ?? cfg.calendars[0]!.id;
}

/** Business milliseconds in a rules duration; a day is one working day of the calendar. */
export function businessMs(text: string, calendar: CalendarConfig): number {
  const d = parseDuration(text);
  if (!d) throw new Error(`invalid SLA duration "${text}"`);
  return durationMs(d, workingMinutesPerDay(calendar) * 60_000);
}

/** The average open minutes of the calendar's working weekdays (8 hours for 09:00-17:00). */
export function workingMinutesPerDay(calendar: CalendarConfig): number {
  const days = Object.values(calendar.hours).filter((r) => (r ?? []).length > 0);
  const minutes = (hhmm: string) => Number(hhmm.slice(0, 2)) * 60 + Number(hhmm.slice(3, 5));
  const total = days.reduce((sum, ranges) => sum + ranges!.reduce((s2, r) => s2 + minutes(r.split('-')[1]!) - minutes(r.split('-')[0]!), 0), 0);
  return days.length ? total / days.length : 1440;
}
