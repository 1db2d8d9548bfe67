import { describe, expect, it } from 'vitest';
import { anchorOf, isoWeekLabel, parseWeek, previousWeek } from '../../../src/slaReport/week.ts';
import { parseIsoDate } from '../../../src/calendar/civil.ts';

const HOUR = 3_600_000;
const hours = (w: { from: string; to: string }) => (Date.parse(w.to) - Date.parse(w.from)) / HOUR;

describe('the reported week', () => {
  it('is the last complete Monday-to-Monday week on the zone’s wall clock before the anchor', () => {
    // Monday 2027-03-08 08:00 in Berlin (07:00 UTC): the week of 1 March.
    expect(previousWeek(new Date('2027-03-08T07:00:00Z'), 'Europe/Berlin')).toEqual({
      week: '2027-W09',
      monday: '2027-03-01',
      timezone: 'Europe/Berlin',
      from: '2027-02-28T23:00:00.000Z',
      to: '2027-03-07T23:00:00.000Z',
    });
  });

  it('depends on the zone: Monday 00:30 in Berlin is still Sunday in New York', () => {
    const anchor = new Date('2027-03-07T23:30:00Z');
    expect(previousWeek(anchor, 'Europe/Berlin').monday).toBe('2027-03-01');
    expect(previousWeek(anchor, 'America/New_York').monday).toBe('2027-02-22');
    expect(previousWeek(anchor, 'America/New_York')).toMatchObject({ from: '2027-02-22T05:00:00.000Z', to: '2027-03-01T05:00:00.000Z' });
  });

  it('is the same week for a late run: any anchor in the following week gives it', () => {
    const onTime = previousWeek(new Date('2027-03-08T07:00:00Z'), 'Europe/Berlin');
    expect(previousWeek(new Date('2027-03-14T22:59:59Z'), 'Europe/Berlin')).toEqual(onTime);
    expect(previousWeek(new Date('2027-03-14T23:00:00Z'), 'Europe/Berlin').monday).toBe('2027-03-08');
    // The instant a run is anchored at to report exactly a week gives that week back.
    expect(previousWeek(new Date(anchorOf(onTime)), 'Europe/Berlin')).toEqual(onTime);
  });

  it('has 167 hours across the spring DST change and 169 across the autumn one', () => {
    // Berlin: clocks go forward on Sunday 2027-03-28 and back on Sunday 2027-10-31.
    const spring = parseWeek('2027-03-24', 'Europe/Berlin');
    expect(spring).toMatchObject({ week: '2027-W12', monday: '2027-03-22', from: '2027-03-21T23:00:00.000Z', to: '2027-03-28T22:00:00.000Z' });
    expect(hours(spring)).toBe(167);
    const autumn = parseWeek('2027-W43', 'Europe/Berlin');
    expect(autumn).toMatchObject({ monday: '2027-10-25', from: '2027-10-24T22:00:00.000Z', to: '2027-10-31T23:00:00.000Z' });
    expect(hours(autumn)).toBe(169);
    // New York changes on other Sundays (2027-03-14): that week is 167 hours there and 168 in Berlin.
    expect(hours(parseWeek('2027-W10', 'America/New_York'))).toBe(167);
    expect(hours(parseWeek('2027-W10', 'Europe/Berlin'))).toBe(168);
  });

  it('is labelled with its ISO week, whose year is the Thursday’s', () => {
    expect(isoWeekLabel(parseIsoDate('2026-12-28')!)).toBe('2026-W53');
    expect(isoWeekLabel(parseIsoDate('2027-01-04')!)).toBe('2027-W01');
    expect(isoWeekLabel(parseIsoDate('2024-12-30')!)).toBe('2025-W01');
    expect(parseWeek('2026-W53', 'UTC').monday).toBe('2026-12-28');
    expect(parseWeek('2025-W01', 'UTC').monday).toBe('2024-12-30');
    expect(parseWeek('2027-01-03', 'UTC').week).toBe('2026-W53');
  });

  it('refuses what is neither an ISO week nor a date', () => {
    for (const bad of ['2027-W54', '2027-W00', '2027-13-01', 'last week', '2027-W1']) expect(() => parseWeek(bad, 'UTC')).toThrow(/neither an ISO week/);
    // 2027 has 52 ISO weeks, 2026 has 53.
    expect(() => parseWeek('2027-W53', 'UTC')).toThrow(/neither an ISO week/);
  });
});
