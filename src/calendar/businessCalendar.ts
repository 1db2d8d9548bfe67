/**
 * Business time on one calendar: which instants are open, and SLA deadlines counted in open time only.
 *
 * Open time is built a local day at a time: each "HH:MM-HH:MM" range of the day's weekday becomes the
 * instants from the first moment the zone's clock reads the start to the first moment it reads the end
 * (see localToInstant). Business hours are therefore wall-clock hours: 09:00-17:00 is 09:00-17:00 on both
 * sides of a DST change, and only a range that itself spans the change is an hour shorter or longer.
 * Walking whole days (never minutes) keeps a deadline many weeks out to a few hundred Intl calls.
 */
import type { CalendarConfig } from '../config/types.ts';
import { parseCalendarConfig, type CalendarSpec } from './calendarSpec.ts';
import { MS_PER_DAY, MS_PER_MINUTE, weekdayOf } from './civil.ts';
import { formatInZone, instantToLocal, localToInstant } from './zonedTime.ts';

/** Half-open [start, end) in epoch ms. */
export interface OpenInterval {
  start: number;
  end: number;
}

/** Thrown instead of searching forever when a calendar (with its holidays) never opens. */
export class NoOpenTimeError extends Error {
  constructor(
    readonly calendarId: string,
    readonly from: number,
    message: string,
  ) {
    super(message);
    this.name = 'NoOpenTimeError';
  }
}

const SEARCH_LIMIT_DAYS = 2 * 366;
// Enough for a few years of days; the oldest entries go first when it fills up.
const CACHE_LIMIT_DAYS = 2048;

export class BusinessCalendar {
  readonly id: string;
  readonly timezone: string;
  private readonly spec: CalendarSpec;
  private readonly days = new Map<number, readonly OpenInterval[]>();

  /** Validates the config; throws InvalidCalendarError listing every problem. */
  constructor(config: CalendarConfig) {
    this.spec = parseCalendarConfig(config);
    this.id = this.spec.id;
    this.timezone = this.spec.timezone;
  }

  isOpen(instant: number): boolean {
    checkInstant('instant', instant);
    const day = this.localDay(instant);
    // The next day's ranges too: where the clock falls back across midnight, the next day begins while
    // this day's wall time is still running (its repeated last hour).
    for (const d of [day, day + 1]) {
      if (this.intervalsOn(d).some((i) => i.start <= instant && instant < i.end)) return true;
    }
    return false;
  }

  /** The instant itself when open, otherwise the next opening. */
  nextOpen(instant: number): number {
    checkInstant('instant', instant);
    for (const interval of this.openFrom(instant)) return interval.start;
    throw new Error('unreachable: openFrom ends only by throwing');
  }

  /**
   * The deadline `durationMs` of open time after `start`: the earliest instant by which that much open time
   * has passed. Counting starts at the next opening when `start` is closed; a deadline that uses up an
   * interval exactly stays at its closing time; a zero duration is `start` itself. These make deadlines
   * compose: addBusinessTime(addBusinessTime(s, a), b) === addBusinessTime(s, a + b).
   */
  addBusinessTime(start: number, durationMs: number): number {
    checkInstant('start', start);
    if (!(durationMs >= 0 && Number.isFinite(durationMs))) {
      throw new RangeError(`durationMs must be a finite number >= 0, got ${durationMs}`);
    }
    if (durationMs === 0) return start;
    let remaining = durationMs;
    for (const { start: s, end: e } of this.openFrom(start)) {
      if (remaining <= e - s) return s + remaining;
      remaining -= e - s;
    }
    throw new Error('unreachable: openFrom ends only by throwing');
  }

  /** Open ms in [a, b); 0 when b <= a. The inverse of addBusinessTime for the time it adds. */
  businessTimeBetween(a: number, b: number): number {
    let total = 0;
    for (const i of this.openIntervals(a, b)) total += i.end - i.start;
    return total;
  }

  /** Maximal open intervals clipped to [from, to), in order. */
  *openIntervals(from: number, to: number): Generator<OpenInterval, void, undefined> {
    checkInstant('from', from);
    checkInstant('to', to);
    if (!(to > from)) return;
    // A later day's range cannot start before `to` (see isOpen for why the day after is still checked).
    const lastDay = this.localDay(to) + 1;
    let pending: OpenInterval | undefined;
    for (let d = this.localDay(from); d <= lastDay; d++) {
      for (const i of this.intervalsOn(d)) {
        if (i.end <= from) continue;
        if (i.start >= to) break;
        const start = Math.max(i.start, from);
        const end = Math.min(i.end, to);
        // 17:00-24:00 followed by 00:00-08:00 (or ranges meeting in a DST gap) is one stretch of open time.
        if (pending !== undefined && pending.end === start) pending.end = end;
        else {
          if (pending !== undefined) yield pending;
          pending = { start, end };
        }
      }
    }
    if (pending !== undefined) yield pending;
  }

  /** Open intervals ending after `instant`, clipped to start no earlier; endless unless the calendar never opens. */
  private *openFrom(instant: number): Generator<OpenInterval, never, undefined> {
    let quietDays = 0;
    for (let d = this.localDay(instant); ; d++) {
      let found = false;
      for (const i of this.intervalsOn(d)) {
        if (i.end <= instant) continue;
        found = true;
        yield { start: Math.max(i.start, instant), end: i.end };
      }
      quietDays = found ? 0 : quietDays + 1;
      if (quietDays > SEARCH_LIMIT_DAYS) {
        throw new NoOpenTimeError(this.id, instant, `calendar "${this.id}" has no open time in the 2 years after ${formatInZone(instant, this.timezone)}; check its hours and holidays`);
      }
    }
  }

  private localDay(instant: number): number {
    return Math.floor(instantToLocal(instant, this.timezone) / MS_PER_DAY);
  }

  private intervalsOn(day: number): readonly OpenInterval[] {
    const cached = this.days.get(day);
    if (cached !== undefined) return cached;
    const ranges = this.spec.holidays.has(day) ? [] : (this.spec.weekly[weekdayOf(day)] ?? []);
    const intervals: OpenInterval[] = [];
    for (const [from, to] of ranges) {
      const start = localToInstant(day * MS_PER_DAY + from * MS_PER_MINUTE, this.timezone);
      const end = localToInstant(day * MS_PER_DAY + to * MS_PER_MINUTE, this.timezone);
      // A range that lies wholly inside a DST gap never happens that day.
      if (end > start) intervals.push({ start, end });
    }
    if (this.days.size >= CACHE_LIMIT_DAYS) this.days.delete(this.days.keys().next().value!);
    this.days.set(day, intervals);
    return intervals;
  }
}

function checkInstant(name: string, value: number): void {
  if (typeof value !== 'number' || !Number.isFinite(value)) {
    throw new TypeError(`${name} must be a finite epoch-ms number, got ${String(value)}`);
  }
}
