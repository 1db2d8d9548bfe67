import { civilFromDays, daysFromCivil, formatIsoDate, MS_PER_DAY, pad2, parseIsoDate, weekdayOf } from '../calendar/civil.ts';
import { instantToLocal, localToInstant } from '../calendar/zonedTime.ts';

/** One ISO week on the wall clock of a time zone: [Monday 00:00, next Monday 00:00) there. */
export interface ReportWeek {
  /** ISO week label, e.g. `2027-W13`. */
  week: string;
  /** The Monday, YYYY-MM-DD. */
  monday: string;
  timezone: string;
  /** Half-open window as ISO instants: a week across a DST change is 167 or 169 hours long. */
  from: string;
  to: string;
}

const sinceMonday = (epochDay: number) => (weekdayOf(epochDay) + 6) % 7;

/** `2027-W13` for the ISO week that starts on the Monday `monday` (epoch day): the week-year is the Thursday's. */
export function isoWeekLabel(monday: number): string {
  const { year } = civilFromDays(monday + 3);
  const week = Math.floor((monday + 3 - daysFromCivil(year, 1, 1)) / 7) + 1;
  return `${year}-W${pad2(week)}`;
}

/** The week that starts on the Monday `monday` (epoch day) in `timezone`. */
export function weekStartingOn(monday: number, timezone: string): ReportWeek {
  return {
    week: isoWeekLabel(monday),
    monday: formatIsoDate(monday),
    timezone,
    from: new Date(localToInstant(monday * MS_PER_DAY, timezone)).toISOString(),
    to: new Date(localToInstant((monday + 7) * MS_PER_DAY, timezone)).toISOString(),
  };
}

/**
 * The week a report run at `anchor` covers: the last complete week in `timezone` before it. The anchor is the
 * Schedule's scheduled time, never the worker's clock, so a late or retried run reports the same week.
 */
export function previousWeek(anchor: Date, timezone: string): ReportWeek {
  const today = Math.floor(instantToLocal(anchor.getTime(), timezone) / MS_PER_DAY);
  return weekStartingOn(today - sinceMonday(today) - 7, timezone);
}

const ISO_WEEK = /^(\d{4})-W(\d{2})$/;

/** A week as typed on a command line: `2027-W13`, or any date in it (`2027-03-31`). Throws on anything else. */
export function parseWeek(text: string, timezone: string): ReportWeek {
  const t = text.trim();
  const m = ISO_WEEK.exec(t);
  if (m) {
    const [year, week] = [Number(m[1]), Number(m[2])];
    const jan4 = daysFromCivil(year, 1, 4);
    const monday = jan4 - sinceMonday(jan4) + (week - 1) * 7;
    if (week >= 1 && isoWeekLabel(monday) === t) return weekStartingOn(monday, timezone);
  }
  const day = parseIsoDate(t);
  if (day !== undefined) return weekStartingOn(day - sinceMonday(day), timezone);
  throw new Error(`week ${JSON.stringify(text)} is neither an ISO week (2027-W13) nor a date in it (2027-03-31)`);
}

/** The instant that makes `previousWeek` answer `week`: its end (the next Monday 00:00 there). */
export function anchorOf(week: ReportWeek): string {
  return week.to;
}
