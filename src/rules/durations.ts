/**
 * Durations in rules: compact `45s`, `30m`, `4h`, `2d`, `1h30m`, `1m30s`, `1d4h`, or ISO-8601 style `PT45S`,
 * `PT4H`, `P2D`, `P1DT2H30M`. Days, hours, minutes and seconds, in that order; no weeks (their meaning would
 * differ between a working week and a calendar week) and no fractions. Seconds exist for demos and tests,
 * whose clocks must run while someone watches.
 *
 * What a day is belongs to the consumer, not to the grammar: the SLA clock counts a day as one working day
 * on a calendar, the recycling cooldown as 24 hours on the wall clock. So parsing keeps the parts instead of
 * collapsing them, and the conversions take the length of a day as an argument.
 */
export interface Duration {
  days: number;
  hours: number;
  minutes: number;
  seconds: number;
}

const COMPACT = '(?=\\d)(?:(\\d+)d)?(?:(\\d+)h)?(?:(\\d+)m)?(?:(\\d+)s)?';
const ISO = 'P(?=\\d|T\\d)(?:(\\d+)D)?(?:T(?=\\d)(?:(\\d+)H)?(?:(\\d+)M)?(?:(\\d+)S)?)?';

/** The grammar as one regular expression; the rule schemas use this exact source as their `pattern`. */
export const DURATION_PATTERN = `^(?:${COMPACT}|${ISO})$`;
/** A share of the target, e.g. `75%` for a warning at three quarters of the SLA. */
export const PERCENT_PATTERN = '^(?:[1-9]|[1-9][0-9])%$';

const durationRe = new RegExp(DURATION_PATTERN);
const percentRe = new RegExp(PERCENT_PATTERN);

export const MS_PER_SECOND = 1_000;
export const MS_PER_MINUTE = 60_000;
export const MS_PER_HOUR = 3_600_000;
/** A calendar day on the wall clock (24 hours); pass it to durationMs when a day is not a working day. */
export const MS_PER_DAY = 86_400_000;

export function parseDuration(text: string): Duration | null {
  const m = durationRe.exec(text);
  if (!m) return null;
  const n = (i: number) => (m[i] === undefined ? 0 : Number(m[i]));
  return { days: n(1) + n(5), hours: n(2) + n(6), minutes: n(3) + n(7), seconds: n(4) + n(8) };
}

export function isDuration(text: string): boolean {
  return durationRe.test(text);
}

/** True when every part is zero (`0m`, `PT0S`): no duration a rule may use. */
export function isZeroDuration(d: Duration): boolean {
  return d.days + d.hours + d.minutes + d.seconds === 0;
}

/**
 * Minutes in the duration, given how many minutes a day counts for (1440 on the wall clock, e.g. 480 for a
 * working day of 09:00-17:00). Seconds count as fractions of a minute; use durationMs for exact arithmetic.
 */
export function durationMinutes(d: Duration, minutesPerDay = 1440): number {
  return d.days * minutesPerDay + d.hours * 60 + d.minutes + d.seconds / 60;
}

/**
 * Milliseconds in the duration, given how many milliseconds a day counts for: MS_PER_DAY for calendar days
 * (recycling cooldowns), or the calendar's working minutes per day x 60,000 for business time (SLA targets).
 * Hours, minutes and seconds are always their fixed lengths.
 */
export function durationMs(d: Duration, msPerDay: number): number {
  return d.days * msPerDay + d.hours * MS_PER_HOUR + d.minutes * MS_PER_MINUTE + d.seconds * MS_PER_SECOND;
}

/** The compact form: `1d4h`, `1m30s`; a zero duration is `0m`. */
export function formatDuration(d: Duration): string {
  const part = (n: number, unit: string) => (n ? `${n}${unit}` : '');
  const out = `${part(d.days, 'd')}${part(d.hours, 'h')}${part(d.minutes, 'm')}${part(d.seconds, 's')}`;
  return out || '0m';
}

/** `75%` -> 0.75; null when the text is not a percentage. */
export function parsePercent(text: string): number | null {
  return percentRe.test(text) ? Number(text.slice(0, -1)) / 100 : null;
}

/** `warnAt` in an SLA: a percentage of the target or an absolute duration. */
export const WARN_AT_PATTERN = `^(?:(?:[1-9]|[1-9][0-9])%|${COMPACT}|${ISO})$`;
