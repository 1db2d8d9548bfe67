import { MS_PER_DAY, MS_PER_HOUR, parseIsoDate } from '../calendar/civil.ts';
import { localToInstant } from '../calendar/zonedTime.ts';
import { durationMs, MS_PER_DAY as WALL_DAY, parseDuration } from '../rules/durations.ts';

/** Reminders before a date-only contract end go out at this local hour, not at midnight. */
export const REMINDER_HOUR = 9;

/**
 * When a contract ends. A date (`2027-12-31`) means the contract runs through that day in the organisation's time
 * zone, so it ends at the following local midnight; a date-time is taken as the exact instant.
 */
export function contractEndInstant(contractEnd: string, zone: string): number {
  const day = parseIsoDate(contractEnd);
  if (day !== undefined) return localToInstant((day + 1) * MS_PER_DAY, zone);
  const t = Date.parse(contractEnd);
  if (Number.isNaN(t)) throw new Error(`invalid contract end "${contractEnd}": use YYYY-MM-DD or an ISO date-time`);
  return t;
}

/**
 * The instant of a reminder `offset` before the contract end. For a date-only end, whole days count back on the
 * calendar (so "90d" is the same local date and hour on either side of a DST change) and the reminder goes out at
 * REMINDER_HOUR local time; smaller parts then count back from that. For a date-time end it is plain subtraction.
 */
export function reminderInstant(contractEnd: string, offset: string, zone: string): number {
  const d = parseDuration(offset);
  if (!d) throw new Error(`invalid reminder offset "${offset}"`);
  const day = parseIsoDate(contractEnd);
  if (day === undefined) return contractEndInstant(contractEnd, zone) - durationMs(d, WALL_DAY);
  const local = localToInstant((day - d.days) * MS_PER_DAY + REMINDER_HOUR * MS_PER_HOUR, zone);
  return local - durationMs({ ...d, days: 0 }, WALL_DAY);
}

export interface ScheduledReminder {
  offset: string;
  at: string;
}

/** Every reminder in time order, split into those still ahead of `now` and those already past. */
export function scheduleReminders(contractEnd: string, offsets: readonly string[], zone: string, now: number): { upcoming: ScheduledReminder[]; passed: string[] } {
  const all = offsets.map((offset) => ({ offset, t: reminderInstant(contractEnd, offset, zone) })).sort((a, b) => a.t - b.t);
  return {
    upcoming: all.filter((r) => r.t > now).map((r) => ({ offset: r.offset, at: new Date(r.t).toISOString() })),
    passed: all.filter((r) => r.t <= now).map((r) => r.offset),
  };
}
