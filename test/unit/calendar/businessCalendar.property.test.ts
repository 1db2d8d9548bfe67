import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { BusinessCalendar } from '../../../src/calendar/businessCalendar.ts';
import type { CalendarConfig, Weekday } from '../../../src/config/types.ts';
import { HOUR, MINUTE, referenceLocal, transitions } from './helpers.ts';

const DAY = 86_400_000;
const WEEK = 7 * DAY;
const DAYS: Weekday[] = ['sun', 'mon', 'tue', 'wed', 'thu', 'fri', 'sat'];
const ZONES = ['UTC', 'Europe/Berlin', 'America/New_York', 'Asia/Kolkata', 'Australia/Lord_Howe', 'America/Santiago', 'Pacific/Chatham', 'America/St_Johns', 'Africa/Casablanca', 'Pacific/Apia'];
const FROM = Date.UTC(2008, 0, 1);
const TO = Date.UTC(2032, 0, 1);
const TRANSITIONS = new Map(ZONES.map((z) => [z, transitions(z, FROM, TO)]));

const hhmm = (m: number) => `${String(Math.floor(m / 60)).padStart(2, '0')}:${String(m % 60).padStart(2, '0')}`;

// Cut points pair up into ranges; the constants put boundaries on typical hours and inside DST changes.
const cut = fc.oneof(fc.integer({ min: 0, max: 1440 }), fc.constantFrom(0, 60, 120, 150, 180, 540, 720, 780, 1020, 1440));
const dayRanges = fc.uniqueArray(cut, { maxLength: 6 }).map((cuts) => {
  const sorted = [...cuts].sort((a, b) => a - b);
  const ranges: [number, number][] = [];
  for (let i = 0; i + 1 < sorted.length; i += 2) ranges.push([sorted[i]!, sorted[i + 1]!]);
  return ranges;
});

interface Case {
  zone: string;
  weekly: [number, number][][];
  holidays: Set<number>;
  config: CalendarConfig;
  start: number;
  /** The DST transition the start was picked near, if it was. */
  transition: number | undefined;
}

const cases: fc.Arbitrary<Case> = fc.constantFrom(...ZONES).chain((zone) => {
  const near = TRANSITIONS.get(zone)!;
  type Start = { start: number; transition: number | undefined };
  const anywhere: fc.Arbitrary<Start> = fc.integer({ min: FROM, max: TO }).map((start) => ({ start, transition: undefined }));
  // Half the starts fall in the ten days before a DST change, so deadlines run across it.
  const start: fc.Arbitrary<Start> =
    near.length === 0
      ? anywhere
      : fc.oneof(
          anywhere,
          fc.tuple(fc.constantFrom(...near), fc.integer({ min: -10 * DAY, max: DAY })).map(([t, d]) => ({ start: t + d, transition: t })),
        );
  return fc
    .record({
      zone: fc.constant(zone),
      weekly: fc.array(dayRanges, { minLength: 7, maxLength: 7 }).filter((w) => w.some((d) => d.length > 0)),
      holidayOffsets: fc.uniqueArray(fc.integer({ min: -3, max: 120 }), { maxLength: 12 }),
      at: start,
    })
    .map(({ zone, weekly, holidayOffsets, at: { start, transition } }) => {
      const firstDay = Math.floor(start / DAY);
      const holidays = new Set(holidayOffsets.map((o) => firstDay + o));
      const hours = Object.fromEntries(weekly.map((ranges, i) => [DAYS[i], ranges.map(([a, b]) => `${hhmm(a)}-${hhmm(b)}`)]));
      const config: CalendarConfig = { id: 'random', timezone: zone, hours, holidays: [...holidays].map((d) => new Date(d * DAY).toISOString().slice(0, 10)) };
      return { zone, weekly, holidays, config, start, transition };
    });
});

/** Up to eight weeks of this calendar's open time, so sparse calendars do not mean years of walking. */
function durations(weekly: [number, number][][]): fc.Arbitrary<number> {
  const weekOpen = weekly.flat().reduce((sum, [a, b]) => sum + (b - a) * MINUTE, 0);
  return fc.oneof(fc.integer({ min: 0, max: 8 * weekOpen }), fc.integer({ min: 0, max: 3 * HOUR }), fc.constant(0));
}

const withDuration = cases.chain((c) => fc.tuple(fc.constant(c), durations(c.weekly), durations(c.weekly)));

describe('BusinessCalendar properties over random calendars, zones and starts', () => {
  it('businessTimeBetween(start, addBusinessTime(start, d)) === d, and the deadline is the earliest such instant', () => {
    fc.assert(
      fc.property(withDuration, ([c, d]) => {
        const cal = new BusinessCalendar(c.config);
        const due = cal.addBusinessTime(c.start, d);
        expect(due).toBeGreaterThanOrEqual(c.start);
        expect(cal.businessTimeBetween(c.start, due)).toBe(d);
        if (d > 0) {
          expect(cal.isOpen(due - 1)).toBe(true);
          expect(cal.businessTimeBetween(c.start, due - 1)).toBe(d - 1);
        }
      }),
      { numRuns: 400 },
    );
  });

  it('a duration that uses up open time exactly ends at a closing time, not the next opening', () => {
    fc.assert(
      fc.property(cases, fc.nat(), (c, pick) => {
        const cal = new BusinessCalendar(c.config);
        const intervals = [...cal.openIntervals(c.start, c.start + 3 * WEEK)];
        fc.pre(intervals.length > 0);
        const close = intervals[pick % intervals.length]!.end;
        expect(cal.addBusinessTime(c.start, cal.businessTimeBetween(c.start, close))).toBe(close);
      }),
      { numRuns: 200 },
    );
  });

  it('deadlines compose: adding a then b is adding a + b', () => {
    fc.assert(
      fc.property(withDuration, ([c, a, b]) => {
        const cal = new BusinessCalendar(c.config);
        expect(cal.addBusinessTime(cal.addBusinessTime(c.start, a), b)).toBe(cal.addBusinessTime(c.start, a + b));
      }),
      { numRuns: 200 },
    );
  });

  it('nextOpen, isOpen and openIntervals agree', () => {
    fc.assert(
      fc.property(cases, fc.integer({ min: 1, max: 3 * WEEK }), (c, span) => {
        const cal = new BusinessCalendar(c.config);
        const next = cal.nextOpen(c.start);
        expect(cal.isOpen(next)).toBe(true);
        expect(cal.businessTimeBetween(c.start, next)).toBe(0);
        expect(next === c.start).toBe(cal.isOpen(c.start));

        const to = c.start + span;
        const intervals = [...cal.openIntervals(c.start, to)];
        let total = 0;
        let previousEnd = -Infinity;
        for (const { start, end } of intervals) {
          expect(start).toBeGreaterThan(previousEnd); // ordered, and touching intervals were merged
          expect(end).toBeGreaterThan(start);
          expect(cal.isOpen(start)).toBe(true);
          expect(cal.isOpen(end - 1)).toBe(true);
          if (end < to) expect(cal.isOpen(end)).toBe(false);
          if (start > c.start) expect(cal.isOpen(start - 1)).toBe(false);
          previousEnd = end;
          total += end - start;
        }
        expect(cal.businessTimeBetween(c.start, to)).toBe(total);
      }),
      { numRuns: 200 },
    );
  });

  it('is open exactly when the wall clock shows working hours on a working day (checked minute by minute)', () => {
    // Away from fall-back overlaps, "open from the first time the clock reads the start until it first reads
    // the end" and "open whenever the clock reads a time inside a range" are the same thing, so this checks
    // the calendar against plain wall-clock readings that never go through localToInstant.
    fc.assert(
      fc.property(cases, fc.integer({ min: 0, max: 1440 }), (c, lead) => {
        const cal = new BusinessCalendar(c.config);
        // Windows near a transition half the time, so the minutes around DST changes get checked.
        const from = Math.floor(((c.transition ?? c.start) - lead * MINUTE) / MINUTE) * MINUTE;
        const minutes = 1500;
        const fallBacks = fallBacksNear(c.zone, from, from + minutes * MINUTE);
        let openMinutes = 0;
        const wrong: string[] = [];
        for (let i = 0; i < minutes; i++) {
          const t = from + i * MINUTE;
          if (fallBacks.some((f) => Math.abs(t - f) <= 3 * HOUR)) continue;
          const local = referenceLocal(t, c.zone);
          const day = Math.floor(local / DAY);
          const minute = (local - day * DAY) / MINUTE;
          const ranges = c.holidays.has(day) ? [] : c.weekly[(((day + 4) % 7) + 7) % 7]!;
          const expected = ranges.some(([a, b]) => a <= minute && minute < b);
          // One expect per window: vitest's expect costs more than the check itself.
          if (cal.isOpen(t) !== expected) wrong.push(`${new Date(t).toISOString()} should be ${expected ? 'open' : 'closed'}`);
          if (expected) openMinutes++;
        }
        expect(wrong.slice(0, 5), c.zone).toEqual([]);
        if (fallBacks.length === 0) expect(cal.businessTimeBetween(from, from + minutes * MINUTE)).toBe(openMinutes * MINUTE);
      }),
      { numRuns: 150 },
    );
  });
});

/** Hours (on the hour, by reference readings) around which the zone's offset drops, i.e. clocks go back. */
function fallBacksNear(zone: string, from: number, to: number): number[] {
  const offset = (t: number) => referenceLocal(t, zone) - t;
  const out: number[] = [];
  const first = Math.floor(from / HOUR) * HOUR - 4 * HOUR;
  for (let t = first; t < to + 4 * HOUR; t += HOUR) if (offset(t + HOUR) < offset(t)) out.push(t + HOUR);
  return out;
}
