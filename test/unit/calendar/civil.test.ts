import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { civilFromDays, daysFromCivil, formatIsoDate, parseIsoDate, weekdayOf } from '../../../src/calendar/civil.ts';

describe('civil dates', () => {
  it('agree with Date.UTC on day numbers and weekdays', () => {
    fc.assert(
      fc.property(fc.integer({ min: -1_000_000, max: 1_000_000 }), (epochDay) => {
        const date = new Date(epochDay * 86_400_000);
        expect(civilFromDays(epochDay)).toEqual({ year: date.getUTCFullYear(), month: date.getUTCMonth() + 1, day: date.getUTCDate() });
        expect(daysFromCivil(date.getUTCFullYear(), date.getUTCMonth() + 1, date.getUTCDate())).toBe(epochDay);
        expect(weekdayOf(epochDay)).toBe(date.getUTCDay());
      }),
    );
  });

  it('parse only real YYYY-MM-DD dates', () => {
    expect(parseIsoDate('2026-11-20')).toBe(daysFromCivil(2026, 11, 20));
    expect(parseIsoDate('2024-02-29')).toBe(daysFromCivil(2024, 2, 29));
    for (const bad of ['2026-02-29', '2026-02-30', '2026-13-01', '2026-00-10', '2026-1-5', '20261120', '2026-11-20T00:00', '']) {
      expect(parseIsoDate(bad), bad).toBeUndefined();
    }
    expect(formatIsoDate(daysFromCivil(2027, 1, 3))).toBe('2027-01-03');
    expect(formatIsoDate(daysFromCivil(33, 1, 3))).toBe('0033-01-03');
  });
});
