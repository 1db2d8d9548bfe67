import { BusinessCalendar } from '../calendar/businessCalendar.ts';
import { repAvailability } from '../calendar/availability.ts';
import type { FlywheelConfig, QueueConfig, RepConfig } from '../config/types.ts';

export interface CandidateVerdict {
  rep: RepConfig;
  eligible: boolean;
  /** Why a rep was skipped, kept with the assignment so an operator can see it. */
  reason?: string;
}

const calendars = new WeakMap<FlywheelConfig, Map<string, BusinessCalendar>>();

export function calendarFor(config: FlywheelConfig, id: string): BusinessCalendar {
  let byId = calendars.get(config);
  if (!byId) calendars.set(config, (byId = new Map()));
  let cal = byId.get(id);
  if (!cal) {
    const spec = config.calendars.find((c) => c.id === id);
    if (!spec) throw new Error(`unknown calendar "${id}"`);
    cal = new BusinessCalendar(spec);
    byId.set(id, cal);
  }
  return cal;
}

/** A rep's own calendar, else their team's. */
export function repCalendarId(config: FlywheelConfig, rep: RepConfig): string {
  return rep.calendar ?? config.teams.find((t) => t.id === rep.team)?.calendar ?? config.calendars[0]!.id;
}

export function queueMembers(config: FlywheelConfig, queue: QueueConfig): RepConfig[] {
  const ids = queue.members ?? config.reps.filter((r) => r.team === queue.team).map((r) => r.id);
  return ids.map((id) => config.reps.find((r) => r.id === id)).filter((r): r is RepConfig => r !== undefined);
}

/** Who may take a lead now: active, working, not out of office, under capacity, and not among the excluded. */
export function judgeCandidates(config: FlywheelConfig, members: readonly RepConfig[], at: number, openCounts: ReadonlyMap<string, number>, exclude: ReadonlySet<string>): CandidateVerdict[] {
  return members.map((rep) => {
    if (exclude.has(rep.id)) return { rep, eligible: false, reason: 'breached this lead before' };
    const availability = repAvailability(rep, calendarFor(config, repCalendarId(config, rep)), at);
    if (!availability.available) return { rep, eligible: false, reason: availability.reason };
    const open = openCounts.get(rep.id) ?? 0;
    if (rep.capacity !== undefined && open >= rep.capacity) return { rep, eligible: false, reason: `at capacity (${open}/${rep.capacity})` };
    return { rep, eligible: true };
  });
}
