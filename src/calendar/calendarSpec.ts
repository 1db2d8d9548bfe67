/**
 * Turns a CalendarConfig into the normalised form BusinessCalendar computes with, reporting every problem at
 * once: the config may come from hand-written YAML or from a test, and one round trip per typo is tedious.
 */
import { suggestTimeZone } from '../config/timezones.ts';
import type { CalendarConfig, Weekday } from '../config/types.ts';
import { parseIsoDate } from './civil.ts';
import { isTimeZone } from './zonedTime.ts';

/** Open time within one day as [startMinute, endMinute), minutes since local midnight; end may be 1440. */
export type MinuteRange = readonly [number, number];

export interface CalendarSpec {
  id: string;
  timezone: string;
  /** Index 0 = Sunday (as weekdayOf); ranges sorted, touching ranges merged. */
  weekly: readonly (readonly MinuteRange[])[];
  /** Epoch day -> holiday name ('' when unnamed). */
  holidays: ReadonlyMap<number, string>;
}

export class InvalidCalendarError extends Error {
  constructor(
    readonly calendarId: string | undefined,
    readonly problems: string[],
  ) {
    super(`invalid calendar${calendarId ? ` "${calendarId}"` : ''}: ${problems.join('; ')}`);
    this.name = 'InvalidCalendarError';
  }
}

export const WEEKDAYS: readonly Weekday[] = ['sun', 'mon', 'tue', 'wed', 'thu', 'fri', 'sat'];

const RANGE = /^(\d{2}):(\d{2})-(\d{2}):(\d{2})$/;

export function parseCalendarConfig(config: CalendarConfig): CalendarSpec {
  const problems: string[] = [];
  if (typeof config !== 'object' || config === null) throw new InvalidCalendarError(undefined, ['expected a calendar object']);
  const id = typeof config.id === 'string' && config.id !== '' ? config.id : undefined;
  if (id === undefined) problems.push('id must be a non-empty string');

  const timezone = config.timezone;
  if (typeof timezone !== 'string' || !isTimeZone(timezone)) {
    const hint = typeof timezone === 'string' ? suggestTimeZone(timezone) : undefined;
    problems.push(`timezone ${JSON.stringify(timezone)} is not a known IANA time zone${hint ? ` (did you mean "${hint}"?)` : ''}`);
  }

  const weekly = parseHours(config.hours, problems);
  const holidays = parseHolidays(config.holidays, problems);
  if (problems.length > 0) throw new InvalidCalendarError(id, problems);
  return { id: id!, timezone, weekly, holidays };
}

function parseHours(hours: unknown, problems: string[]): MinuteRange[][] {
  const weekly: MinuteRange[][] = WEEKDAYS.map(() => []);
  if (typeof hours !== 'object' || hours === null || Array.isArray(hours)) {
    problems.push('hours must map weekdays (mon ... sun) to lists of "HH:MM-HH:MM" ranges');
    return weekly;
  }
  for (const [day, ranges] of Object.entries(hours)) {
    const index = WEEKDAYS.indexOf(day as Weekday);
    if (index < 0) {
      problems.push(`hours.${day}: unknown weekday (use ${WEEKDAYS.join(', ')})`);
      continue;
    }
    if (!Array.isArray(ranges)) {
      problems.push(`hours.${day} must be a list of "HH:MM-HH:MM" ranges`);
      continue;
    }
    const parsed: [number, number][] = [];
    ranges.forEach((text: unknown, j) => {
      const range = parseRange(text);
      if (typeof range === 'string') problems.push(`hours.${day}[${j}] ${JSON.stringify(text)}: ${range}`);
      else parsed.push(range);
    });
    parsed.sort((a, b) => a[0] - b[0]);
    const merged: [number, number][] = [];
    for (const r of parsed) {
      const last = merged[merged.length - 1];
      if (last !== undefined && r[0] < last[1]) problems.push(`hours.${day}: ranges overlap`);
      // Touching ranges (09:00-12:00, 12:00-17:00) are one stretch of open time.
      else if (last !== undefined && r[0] === last[1]) last[1] = r[1];
      else merged.push([r[0], r[1]]);
    }
    weekly[index] = merged;
  }
  // Only when nothing was written at all: ranges that failed to parse are already reported.
  if (Object.values(hours).every((r) => Array.isArray(r) && r.length === 0)) {
    problems.push('no working hours on any day: a calendar needs at least one "HH:MM-HH:MM" range');
  }
  return weekly;
}

/** [start, end) in minutes, or why the text is not a usable range. */
function parseRange(text: unknown): [number, number] | string {
  const m = typeof text === 'string' ? RANGE.exec(text) : null;
  if (!m) return 'expected "HH:MM-HH:MM", e.g. "09:00-17:00"';
  const [h1, m1, h2, m2] = [Number(m[1]), Number(m[2]), Number(m[3]), Number(m[4])];
  if (h1 > 23 || m1 > 59) return 'start is not a time of day';
  const endOk = (h2 <= 23 && m2 <= 59) || (h2 === 24 && m2 === 0);
  if (!endOk) return 'end is not a time of day (use 24:00 for midnight at the end of the day)';
  const start = h1 * 60 + m1;
  const end = h2 * 60 + m2;
  if (end <= start) return 'ends before it starts (split a shift past midnight across two days, ending the first at 24:00)';
  return [start, end];
}

function parseHolidays(holidays: unknown, problems: string[]): Map<number, string> {
  const out = new Map<number, string>();
  if (holidays === undefined) return out;
  if (!Array.isArray(holidays)) {
    problems.push('holidays must be a list of "YYYY-MM-DD" dates or { date, name } entries');
    return out;
  }
  holidays.forEach((h: unknown, i) => {
    const entry = typeof h === 'object' && h !== null ? (h as { date?: unknown; name?: unknown }) : { date: h };
    const day = typeof entry.date === 'string' ? parseIsoDate(entry.date) : undefined;
    if (day === undefined) problems.push(`holidays[${i}]: ${JSON.stringify(entry.date)} is not a "YYYY-MM-DD" date`);
    else if (!out.has(day)) out.set(day, typeof entry.name === 'string' ? entry.name : '');
  });
  return out;
}
