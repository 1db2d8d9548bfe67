/**
 * Calendar-date arithmetic on plain numbers. Dates are counted as days since 1970-01-01 ("epoch days") so
 * that stepping through days, weekdays and holiday lookups never touch `Date`, whose local-zone behaviour
 * would differ between machines.
 */

export const MS_PER_MINUTE = 60_000;
export const MS_PER_HOUR = 3_600_000;
export const MS_PER_DAY = 86_400_000;

export interface CivilDate {
  year: number;
  month: number;
  day: number;
}

/** Weekday of an epoch day, 0 = Sunday ... 6 = Saturday (1970-01-01 was a Thursday). */
export function weekdayOf(epochDay: number): number {
  return (((epochDay + 4) % 7) + 7) % 7;
}

// Howard Hinnant's days_from_civil / civil_from_days: exact for the proleptic Gregorian calendar,
// including years before 100 where Date.UTC would silently add 1900.
export function daysFromCivil(year: number, month: number, day: number): number {
  const y = month <= 2 ? year - 1 : year;
  const era = Math.floor(y / 400);
  const yoe = y - era * 400;
  const doy = Math.floor((153 * ((month + 9) % 12) + 2) / 5) + day - 1;
  const doe = yoe * 365 + Math.floor(yoe / 4) - Math.floor(yoe / 100) + doy;
  return era * 146_097 + doe - 719_468;
}

export function civilFromDays(epochDay: number): CivilDate {
  const z = epochDay + 719_468;
  const era = Math.floor(z / 146_097);
  const doe = z - era * 146_097;
  const yoe = Math.floor((doe - Math.floor(doe / 1460) + Math.floor(doe / 36_524) - Math.floor(doe / 146_096)) / 365);
  const doy = doe - (365 * yoe + Math.floor(yoe / 4) - Math.floor(yoe / 100));
  const mp = Math.floor((5 * doy + 2) / 153);
  const day = doy - Math.floor((153 * mp + 2) / 5) + 1;
  const month = mp < 10 ? mp + 3 : mp - 9;
  return { year: yoe + era * 400 + (month <= 2 ? 1 : 0), month, day };
}

const ISO_DATE = /^(\d{4})-(\d{2})-(\d{2})$/;

/** `YYYY-MM-DD` -> epoch day, or undefined unless it is a real date (2026-02-30 is not). */
export function parseIsoDate(text: string): number | undefined {
  const m = ISO_DATE.exec(text);
  if (!m) return undefined;
  const [year, month, day] = [Number(m[1]), Number(m[2]), Number(m[3])];
  const epochDay = daysFromCivil(year, month, day);
  const back = civilFromDays(epochDay);
  return back.year === year && back.month === month && back.day === day ? epochDay : undefined;
}

export function formatIsoDate(epochDay: number): string {
  const { year, month, day } = civilFromDays(epochDay);
  return `${String(year).padStart(4, '0')}-${pad2(month)}-${pad2(day)}`;
}

export function pad2(n: number): string {
  return String(n).padStart(2, '0');
}

/** A YYYY-MM-DD date moved by whole days. */
export function addDays(date: string, days: number): string {
  const d = parseIsoDate(date);
  if (d === undefined) throw new Error(`not a date: ${date}`);
  return formatIsoDate(d + days);
}

/** A YYYY-MM-DD date moved by whole months; the day is clamped to the target month's length (03-31 − 1 month = 02-28). */
export function addMonths(date: string, months: number): string {
  const d = parseIsoDate(date);
  if (d === undefined) throw new Error(`not a date: ${date}`);
  const { year, month, day } = civilFromDays(d);
  const index = year * 12 + (month - 1) + months;
  const y = Math.floor(index / 12);
  const m = index - y * 12 + 1;
  const last = civilFromDays(daysFromCivil(m === 12 ? y + 1 : y, m === 12 ? 1 : m + 1, 1) - 1).day;
  return formatIsoDate(daysFromCivil(y, m, Math.min(day, last)));
}
