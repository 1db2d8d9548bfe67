import { describe, expect, it } from 'vitest';
import { parseSpend } from '../../../src/cli/commands/metrics.ts';
import { isoWeekStart, mean, median, ratio, round, sumMoney } from '../../../src/metrics/util.ts';

describe('metric helpers', () => {
  it('rounds ratios to 4 decimals and has no ratio without a denominator', () => {
    expect(ratio(2, 3)).toBe(0.6667);
    expect(ratio(1, 8)).toBe(0.125);
    expect(ratio(0, 5)).toBe(0);
    expect(ratio(3, 0)).toBeNull();
    expect(round(1.005, 2)).toBe(1.01);
  });

  it('sums money exactly to the cent', () => {
    expect(sumMoney([0.1, 0.2])).toBe(0.3);
    expect(sumMoney([2_500.5, 20_000, -0.01])).toBe(22_500.49);
    expect(sumMoney([])).toBe(0);
  });

  it('takes the median and mean', () => {
    expect(median([3, 1, 2])).toBe(2);
    expect(median([23, 10, 20, 14])).toBe(17);
    expect(median([])).toBeNull();
    expect(mean([10, 14, 20, 23])).toBe(16.75);
    expect(mean([])).toBeNull();
  });

  it('starts ISO weeks on Monday, UTC', () => {
    expect(isoWeekStart(new Date('2027-03-01T00:00:00Z'))).toBe('2027-03-01'); // a Monday
    expect(isoWeekStart(new Date('2027-03-07T23:59:59Z'))).toBe('2027-03-01'); // the Sunday after
    expect(isoWeekStart(new Date('2027-03-08T00:00:00Z'))).toBe('2027-03-08');
    expect(isoWeekStart(new Date('2027-01-01T12:00:00Z'))).toBe('2026-12-28'); // across a year end
    expect(isoWeekStart(new Date('2027-03-08T00:30:00+01:00'))).toBe('2027-03-01'); // still Sunday in UTC
  });
});

describe('flywheel metrics --spend', () => {
  it('reads channel=amount pairs', () => {
    expect(parseSpend([])).toEqual({});
    expect(parseSpend(['webinar=2500', 'paid-search=1000.5', 'events=0'])).toEqual({ webinar: 2_500, 'paid-search': 1_000.5, events: 0 });
  });

  it('names a bad pair', () => {
    for (const bad of ['webinar', '=100', 'webinar=', 'webinar=abc', 'webinar=-5']) {
      expect(() => parseSpend([bad])).toThrow(`--spend ${JSON.stringify(bad)} must be channel=amount`);
    }
    expect(() => parseSpend(['webinar=1', 'webinar=2'])).toThrow('--spend gives channel "webinar" twice');
  });
});
