import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { fromWallTime, formatInZone, instantToLocal, isTimeZone, localToInstant, offsetAt, toWallTime } from '../../../src/calendar/zonedTime.ts';
import { DST_ZONES, HOUR, MINUTE, referenceLocal, transitions } from './helpers.ts';

const iso = (t: number) => new Date(t).toISOString();
const local = (zone: string, y: number, mo: number, d: number, h = 0, mi = 0) => iso(fromWallTime({ year: y, month: mo, day: d, hour: h, minute: mi }, zone));

describe('offsets and wall time', () => {
  it('matches known offsets', () => {
    expect(offsetAt(Date.UTC(2026, 0, 15), 'Europe/Berlin')).toBe(HOUR);
    expect(offsetAt(Date.UTC(2026, 6, 15), 'Europe/Berlin')).toBe(2 * HOUR);
    expect(offsetAt(Date.UTC(2026, 0, 15), 'America/New_York')).toBe(-5 * HOUR);
    expect(offsetAt(Date.UTC(2026, 0, 15), 'Asia/Kolkata')).toBe(5.5 * HOUR);
    expect(offsetAt(Date.UTC(2026, 0, 15), 'Pacific/Chatham')).toBe(13 * HOUR + 45 * MINUTE);
    // Local mean time before 1893 had a seconds part: +00:53:28.
    expect(offsetAt(Date.UTC(1890, 0, 1), 'Europe/Berlin')).toBe(53 * MINUTE + 28_000);
  });

  it('converts an instant to wall time, milliseconds included', () => {
    expect(toWallTime(Date.UTC(2026, 10, 20, 15, 30, 5, 250), 'Europe/Berlin')).toEqual({ year: 2026, month: 11, day: 20, hour: 16, minute: 30, second: 5, millisecond: 250 });
    expect(toWallTime(Date.UTC(2026, 0, 1, 3), 'America/Los_Angeles')).toEqual({ year: 2025, month: 12, day: 31, hour: 19, minute: 0, second: 0, millisecond: 0 });
    expect(formatInZone(Date.UTC(2026, 10, 23, 11, 30), 'Europe/Berlin')).toBe('2026-11-23 12:30 Europe/Berlin');
  });

  it('rejects unknown zones and unusable instants', () => {
    expect(isTimeZone('Europe/Berlin')).toBe(true);
    expect(isTimeZone('Europe/Berln')).toBe(false);
    expect(() => offsetAt(0, 'Mars/Olympus_Mons')).toThrow(/unknown time zone "Mars\/Olympus_Mons"/);
    expect(() => offsetAt(Number.NaN, 'UTC')).toThrow(RangeError);
    expect(() => offsetAt(Date.UTC(-1, 0, 1), 'UTC')).toThrow(RangeError);
  });
});

describe('wall time -> instant', () => {
  it('is exact for ordinary times', () => {
    expect(local('Europe/Berlin', 2026, 11, 20, 16, 30)).toBe('2026-11-20T15:30:00.000Z');
    expect(local('America/New_York', 2026, 7, 1, 9)).toBe('2026-07-01T13:00:00.000Z');
  });

  it('moves a time in a DST gap forward to the first valid instant (the transition)', () => {
    expect(local('Europe/Berlin', 2026, 3, 29, 2, 30)).toBe('2026-03-29T01:00:00.000Z'); // 03:00 CEST
    expect(local('America/New_York', 2026, 3, 8, 2, 30)).toBe('2026-03-08T07:00:00.000Z'); // 03:00 EDT
    expect(local('Australia/Lord_Howe', 2026, 10, 4, 2, 15)).toBe('2026-10-03T15:30:00.000Z'); // a 30-minute gap
    expect(local('America/Santiago', 2026, 9, 6, 0, 0)).toBe('2026-09-06T04:00:00.000Z'); // midnight does not exist
    expect(local('Pacific/Apia', 2011, 12, 30, 12)).toBe('2011-12-30T10:00:00.000Z'); // a whole day skipped
  });

  it('picks the earlier instant for a time repeated in a DST overlap', () => {
    expect(local('Europe/Berlin', 2026, 10, 25, 2, 30)).toBe('2026-10-25T00:30:00.000Z'); // CEST, not CET
    expect(local('America/New_York', 2026, 11, 1, 1, 30)).toBe('2026-11-01T05:30:00.000Z'); // EDT, not EST
    expect(local('Australia/Lord_Howe', 2026, 4, 5, 1, 45)).toBe('2026-04-04T14:45:00.000Z');
    expect(local('America/Santiago', 2026, 4, 4, 23, 30)).toBe('2026-04-05T02:30:00.000Z');
  });

  const zones = Intl.supportedValuesOf('timeZone');
  const wallTimes = fc.record({
    zone: fc.constantFrom(...zones),
    // 1900-2100 covers every zone's modern rules and much of its history.
    local: fc.integer({ min: Date.UTC(1900, 0, 2), max: Date.UTC(2100, 0, 1) }),
  });

  it('in every zone, gives the first instant at which the clock reads that time or later', () => {
    fc.assert(
      fc.property(wallTimes, fc.integer({ min: 1, max: 2 * 86_400_000 }), ({ zone, local: wall }, back) => {
        const t = localToInstant(wall, zone);
        expect(referenceLocal(t, zone)).toBeGreaterThanOrEqual(wall);
        expect(referenceLocal(t - 1, zone)).toBeLessThan(wall);
        // ...and the clock never read it earlier, which is what makes overlaps resolve to the earlier instant.
        expect(referenceLocal(t - back, zone)).toBeLessThan(wall);
      }),
      { numRuns: 3000 },
    );
  });

  it('around real DST transitions in tricky zones', () => {
    const known = DST_ZONES.flatMap((zone) => transitions(zone, Date.UTC(2005, 0, 1), Date.UTC(2030, 0, 1)).map((t) => ({ zone, t })));
    expect(known.length).toBeGreaterThan(500);
    const nearTransitions = fc.record({ at: fc.constantFrom(...known), delta: fc.integer({ min: -3 * HOUR, max: 3 * HOUR }) });
    fc.assert(
      fc.property(nearTransitions, fc.integer({ min: 1, max: 2 * 86_400_000 }), ({ at: { zone, t }, delta }, back) => {
        const wall = referenceLocal(t, zone) + delta;
        const r = localToInstant(wall, zone);
        expect(referenceLocal(r, zone)).toBeGreaterThanOrEqual(wall);
        expect(referenceLocal(r - 1, zone)).toBeLessThan(wall);
        expect(referenceLocal(r - back, zone)).toBeLessThan(wall);
      }),
      { numRuns: 2000 },
    );
  });

  it('in every zone, round-trips instants and agrees with formatToParts', () => {
    fc.assert(
      fc.property(wallTimes, ({ zone, local: instant }) => {
        const wall = instantToLocal(instant, zone);
        expect(wall).toBe(referenceLocal(instant, zone));
        const back = localToInstant(wall, zone);
        // A repeated wall time maps to its first occurrence, so the instant comes back unless it was the second.
        if (back !== instant) expect(back).toBeLessThan(instant);
        expect(instantToLocal(back, zone)).toBe(wall);
      }),
      { numRuns: 3000 },
    );
  });
});
