import { leadWorkflowId } from '../../workflows/definitions.ts';
import type { CalendarConfig, FlywheelConfig } from '../../src/config/types.ts';
import { durationMs, parseDuration, parsePercent } from '../../src/rules/durations.ts';
import { calendarFor, repCalendarId } from '../../src/routing/candidates.ts';
import type { SlaClock } from '../../workflows/lead/types.ts';
import { toRecord } from './decisionRecord.ts';
import type { LeadActivityDeps } from './deps.ts';
import { leadFacts } from './facts.ts';

export interface StartSlaRequest {
  leadId: string;
  lead: Record<string, unknown>;
  tier: string | null;
  owner: string | null;
  pool: string | null;
  queue: string;
  /** Which clock of this lead (0 for the hand-off, then one per reassignment): keys its ledger row. */
  clock: number;
  /** Workflow time when the clock starts. */
  startedAt: string;
}

/**
 * Starts the marketing -> sales first-touch clock: the SLA rules give target, warning and escalation; the
 * deadline counts business time on the owner's calendar (or the rule's). The deadline is fixed here, so a
 * later rules change does not move a clock that is already running.
 */
export function createStartSlaClock({ rules, ledger, config }: LeadActivityDeps) {
  return async function startSlaClock(req: StartSlaRequest): Promise<SlaClock> {
    const cfg = config.config;
    const rep = cfg.reps.find((r) => r.id === req.owner);
    const decision = rules.get().decide('sla', {
      now: req.startedAt,
      lead: leadFacts(req.leadId, req.lead),
      icp: { tier: req.tier },
      owner: rep ? { id: rep.id, team: rep.team, manager: rep.manager ?? null, calendar: repCalendarId(cfg, rep) } : { id: null },
      handoff: { type: 'marketing-to-sales', startedAt: req.startedAt, reassignments: req.clock },
    });
    const sla = decision.outcome;
    const calendarId = !sla || sla.calendar === 'owner' ? ownerCalendar(cfg, req.owner, req.queue) : sla.calendar;
    const calendar = calendarFor(cfg, calendarId);
    const spec = cfg.calendars.find((c) => c.id === calendarId)!;
    const start = Date.parse(req.startedAt);
    const target = sla ? businessMs(sla.target, spec) : 0;
    const pct = sla ? parsePercent(sla.warnAt) : null;
    const warnMs = !sla ? 0 : pct !== null ? Math.round(target * pct) : businessMs(sla.warnAt, spec);
    const clock: SlaClock = {
      handoff: 'marketing-to-sales',
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
      decision: toRecord(decision, req.startedAt),
    };
    await ledger.record([
      {
        key: `lead:${req.leadId}:sla:${req.clock}:started`,
        type: 'sla.started',
        occurredAt: req.startedAt,
        leadId: req.leadId,
        workflowId: leadWorkflowId(req.leadId),
        owner: req.owner ?? undefined,
        stage: 'Engage',
        rulesRevision: decision.revision.id,
        data: { handoff: clock.handoff, rule: clock.rule, target: clock.target, warnAt: clock.warnAt, deadline: clock.deadline, calendar: calendarId, pool: req.pool },
      },
    ]);
    return clock;
  };
}

function ownerCalendar(cfg: FlywheelConfig, owner: string | null, queue: string): string {
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
