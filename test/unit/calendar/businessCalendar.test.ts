import { describe, expect, it } from 'vitest';
import { BusinessCalendar, NoOpenTimeError } from '../../../src/calendar/businessCalendar.ts';
import { durationMinutes, parseDuration, parsePercent } from '../../../src/rules/durations.ts';
import { at, BERLIN, HOUR, MINUTE, NEW_YORK, show, WEEKDAYS_9_TO_5 } from './helpers.ts';

const emea = new BusinessCalendar({ id: 'emea', timezone: BERLIN, hours: WEEKDAYS_9_TO_5 });
const na = new BusinessCalendar({ id: 'na', timezone: NEW_YORK, hours: WEEKDAYS_9_TO_5 });

describe('SLA deadlines on Mon-Fri 09:00-17:00', () => {
  // Friday 2026-11-20 16:30 CET: 30 minutes are left on Friday, the other 3.5 hours run from Monday 09:00.
  const created = at(BERLIN, '2026-11-20 16:30');
  const target = durationMinutes(parseDuration('4h')!) * MINUTE;

  it('a lead created Friday 16:30 with a 4 business hour target is due Monday 12:30', () => {
    expect(show(emea.addBusinessTime(created, target), BERLIN)).toBe('2026-11-23 12:30 Europe/Berlin');
  });

  it('a holiday on that Monday moves the deadline to Tuesday 12:30', () => {
    const withHoliday = new BusinessCalendar({ id: 'emea', timezone: BERLIN, hours: WEEKDAYS_9_TO_5, holidays: [{ date: '2026-11-23', name: 'test' }] });
    expect(show(withHoliday.addBusinessTime(created, target), BERLIN)).toBe('2026-11-24 12:30 Europe/Berlin');
  });

  it('the 75% warning from the same start is Monday 11:30', () => {
    expect(show(emea.addBusinessTime(created, target * parsePercent('75%')!), BERLIN)).toBe('2026-11-23 11:30 Europe/Berlin');
  });

  it('counts back what it added', () => {
    expect(emea.businessTimeBetween(created, emea.addBusinessTime(created, target))).toBe(target);
  });
});

describe('DST: business hours are wall-clock hours', () => {
  const cases = [
    { cal: emea, zone: BERLIN, friday: '2026-03-27', monday: '2026-03-30', what: 'Europe/Berlin spring forward (Sun 2026-03-29)' },
    { cal: emea, zone: BERLIN, friday: '2026-10-23', monday: '2026-10-26', what: 'Europe/Berlin fall back (Sun 2026-10-25)' },
    { cal: na, zone: NEW_YORK, friday: '2026-03-06', monday: '2026-03-09', what: 'America/New_York spring forward (Sun 2026-03-08)' },
    { cal: na, zone: NEW_YORK, friday: '2026-10-30', monday: '2026-11-02', what: 'America/New_York fall back (Sun 2026-11-01)' },
  ];
  for (const { cal, zone, friday, monday, what } of cases) {
    it(`${what}: Friday 16:00 + 2h is Monday 10:00 on the clock`, () => {
      const start = at(zone, `${friday} 16:00`);
      const due = cal.addBusinessTime(start, 2 * HOUR);
      expect(show(due, zone)).toBe(`${monday} 10:00 ${zone}`);
      expect(cal.businessTimeBetween(start, due)).toBe(2 * HOUR);
      // Elapsed time is 66h +- the hour the clocks moved, which a fixed-offset computation would get wrong.
      expect(Math.abs(due - start - 66 * HOUR)).toBe(HOUR);
    });
  }

  it('a full week spanning the change still has 40 business hours', () => {
    expect(emea.businessTimeBetween(at(BERLIN, '2026-03-23 00:00'), at(BERLIN, '2026-03-30 00:00'))).toBe(40 * HOUR);
    expect(na.businessTimeBetween(at(NEW_YORK, '2026-10-26 00:00'), at(NEW_YORK, '2026-11-02 00:00'))).toBe(40 * HOUR);
  });

  it('a range that spans the change itself is as long as real time says', () => {
    const sundays = new BusinessCalendar({ id: 'x', timezone: BERLIN, hours: { sun: ['00:00-24:00'] } });
    expect(sundays.businessTimeBetween(at(BERLIN, '2026-03-29 00:00'), at(BERLIN, '2026-03-30 00:00'))).toBe(23 * HOUR);
    expect(sundays.businessTimeBetween(at(BERLIN, '2026-10-25 00:00'), at(BERLIN, '2026-10-26 00:00'))).toBe(25 * HOUR);
    expect(show(sundays.addBusinessTime(at(BERLIN, '2026-03-29 01:00'), 2 * HOUR), BERLIN)).toBe('2026-03-29 04:00 Europe/Berlin');
  });

  it('a range inside the spring-forward gap does not happen; one ending in the fall-back overlap ends the first time', () => {
    const night = new BusinessCalendar({ id: 'x', timezone: BERLIN, hours: { sun: ['02:15-02:45'] } });
    expect(night.businessTimeBetween(at(BERLIN, '2026-03-29 00:00'), at(BERLIN, '2026-03-30 00:00'))).toBe(0);
    expect(night.businessTimeBetween(at(BERLIN, '2026-04-05 00:00'), at(BERLIN, '2026-04-06 00:00'))).toBe(30 * MINUTE);
    // 02:15-02:45 CEST, then the clock goes back to 02:00 CET: the repeated half hour is not open again.
    expect(night.businessTimeBetween(at(BERLIN, '2026-10-25 00:00'), at(BERLIN, '2026-10-26 00:00'))).toBe(30 * MINUTE);
    const opensInGap = new BusinessCalendar({ id: 'x', timezone: BERLIN, hours: { sun: ['02:30-05:00'] } });
    expect(show(opensInGap.nextOpen(at(BERLIN, '2026-03-29 00:00')), BERLIN)).toBe('2026-03-29 03:00 Europe/Berlin');
  });
});

describe('where counting starts and stops', () => {
  const lunch = new BusinessCalendar({ id: 'lunch', timezone: BERLIN, hours: { mon: ['09:00-12:00', '13:00-17:00'], tue: ['09:00-12:00', '13:00-17:00'] } });

  it('before opening: counting starts at 09:00', () => {
    expect(show(emea.addBusinessTime(at(BERLIN, '2026-11-23 07:00'), HOUR), BERLIN)).toBe('2026-11-23 10:00 Europe/Berlin');
    expect(emea.nextOpen(at(BERLIN, '2026-11-23 07:00'))).toBe(at(BERLIN, '2026-11-23 09:00'));
  });

  it('during a lunch break: counting resumes at 13:00', () => {
    const start = at(BERLIN, '2026-11-23 12:15');
    expect(lunch.isOpen(start)).toBe(false);
    expect(lunch.nextOpen(start)).toBe(at(BERLIN, '2026-11-23 13:00'));
    expect(show(lunch.addBusinessTime(start, HOUR), BERLIN)).toBe('2026-11-23 14:00 Europe/Berlin');
    expect(show(lunch.addBusinessTime(at(BERLIN, '2026-11-23 11:30'), HOUR), BERLIN)).toBe('2026-11-23 13:30 Europe/Berlin');
    expect(lunch.businessTimeBetween(at(BERLIN, '2026-11-23 00:00'), at(BERLIN, '2026-11-24 00:00'))).toBe(7 * HOUR);
    expect([...lunch.openIntervals(at(BERLIN, '2026-11-23 10:00'), at(BERLIN, '2026-11-23 14:00'))]).toEqual([
      { start: at(BERLIN, '2026-11-23 10:00'), end: at(BERLIN, '2026-11-23 12:00') },
      { start: at(BERLIN, '2026-11-23 13:00'), end: at(BERLIN, '2026-11-23 14:00') },
    ]);
  });

  it('exactly at closing: closed, and a deadline that ends there stays there', () => {
    const close = at(BERLIN, '2026-11-20 17:00');
    expect(emea.isOpen(close)).toBe(false);
    expect(emea.isOpen(close - 1)).toBe(true);
    expect(emea.addBusinessTime(at(BERLIN, '2026-11-20 16:00'), HOUR)).toBe(close);
    expect(emea.addBusinessTime(at(BERLIN, '2026-11-20 16:00'), HOUR + 1)).toBe(at(BERLIN, '2026-11-23 09:00') + 1);
    expect(show(emea.addBusinessTime(close, HOUR), BERLIN)).toBe('2026-11-23 10:00 Europe/Berlin');
    expect(emea.addBusinessTime(at(BERLIN, '2026-11-23 11:00'), HOUR)).toBe(at(BERLIN, '2026-11-23 12:00'));
  });

  it('on a weekend: counting starts Monday 09:00', () => {
    const saturday = at(BERLIN, '2026-11-21 10:00');
    expect(emea.isOpen(saturday)).toBe(false);
    expect(show(emea.addBusinessTime(saturday, HOUR), BERLIN)).toBe('2026-11-23 10:00 Europe/Berlin');
    expect(emea.businessTimeBetween(saturday, at(BERLIN, '2026-11-23 09:00'))).toBe(0);
  });

  it('zero duration is the start itself, open or not', () => {
    for (const t of [at(BERLIN, '2026-11-21 10:00'), at(BERLIN, '2026-11-23 10:00'), at(BERLIN, '2026-11-20 17:00')]) {
      expect(emea.addBusinessTime(t, 0)).toBe(t);
    }
  });

  it('nextOpen is the instant itself when open', () => {
    const t = at(BERLIN, '2026-11-23 10:00:00.123');
    expect(emea.isOpen(t)).toBe(true);
    expect(emea.nextOpen(t)).toBe(t);
  });

  it('businessTimeBetween of an empty or reversed span is 0', () => {
    const t = at(BERLIN, '2026-11-23 10:00');
    expect(emea.businessTimeBetween(t, t)).toBe(0);
    expect(emea.businessTimeBetween(t + HOUR, t)).toBe(0);
  });

  it('open time across midnight is one interval', () => {
    const nights = new BusinessCalendar({ id: 'nights', timezone: 'UTC', hours: { fri: ['18:00-24:00'], sat: ['00:00-06:00'] } });
    expect([...nights.openIntervals(Date.UTC(2026, 10, 20), Date.UTC(2026, 10, 23))]).toEqual([{ start: Date.UTC(2026, 10, 20, 18), end: Date.UTC(2026, 10, 21, 6) }]);
    expect(nights.addBusinessTime(Date.UTC(2026, 10, 20, 12), 8 * HOUR)).toBe(Date.UTC(2026, 10, 21, 2));
  });

  it('touching ranges are merged and ranges ending at 24:00 run to midnight', () => {
    const split = new BusinessCalendar({ id: 'x', timezone: 'UTC', hours: { mon: ['12:00-17:00', '09:00-12:00', '20:00-24:00'] } });
    expect([...split.openIntervals(Date.UTC(2026, 10, 23), Date.UTC(2026, 10, 24))]).toEqual([
      { start: Date.UTC(2026, 10, 23, 9), end: Date.UTC(2026, 10, 23, 17) },
      { start: Date.UTC(2026, 10, 23, 20), end: Date.UTC(2026, 10, 24) },
    ]);
  });
});

describe('holidays', () => {
  it('close the whole local day, including in other zones', () => {
    const cal = new BusinessCalendar({ id: 'na', timezone: NEW_YORK, hours: WEEKDAYS_9_TO_5, holidays: ['2026-11-26', { date: '2026-11-27' }] });
    expect(cal.isOpen(at(NEW_YORK, '2026-11-26 12:00'))).toBe(false);
    expect(show(cal.nextOpen(at(NEW_YORK, '2026-11-25 17:00')), NEW_YORK)).toBe('2026-11-30 09:00 America/New_York');
    expect(cal.businessTimeBetween(at(NEW_YORK, '2026-11-23 00:00'), at(NEW_YORK, '2026-11-30 00:00'))).toBe(24 * HOUR);
  });
});

describe('long durations', () => {
  it('twelve weeks of business time cross DST and a holiday without walking minute by minute', () => {
    const cal = new BusinessCalendar({ id: 'na', timezone: NEW_YORK, hours: WEEKDAYS_9_TO_5, holidays: ['2026-01-19'] });
    const start = at(NEW_YORK, '2026-01-05 09:00');
    const t0 = performance.now();
    const due = cal.addBusinessTime(start, 60 * 8 * HOUR);
    expect(performance.now() - t0).toBeLessThan(250);
    // 60 working days: 12 weeks minus the holiday, so the last one is the Monday after, ending at its close.
    expect(show(due, NEW_YORK)).toBe('2026-03-30 17:00 America/New_York');
    expect(cal.businessTimeBetween(start, due)).toBe(60 * 8 * HOUR);
  });

  it('a year of business time stays fast', () => {
    const cal = new BusinessCalendar({ id: 'emea', timezone: BERLIN, hours: WEEKDAYS_9_TO_5 });
    const t0 = performance.now();
    const due = cal.addBusinessTime(at(BERLIN, '2026-01-05 09:00'), 52 * 40 * HOUR);
    expect(show(due, BERLIN)).toBe('2027-01-01 17:00 Europe/Berlin');
    expect(performance.now() - t0).toBeLessThan(500);
  });
});

describe('a calendar that never opens', () => {
  // Open on Mondays only, and every Monday for three years is a holiday.
  const mondays = Array.from({ length: 156 }, (_, i) => new Date(Date.UTC(2026, 0, 5 + 7 * i)).toISOString().slice(0, 10));
  const never = new BusinessCalendar({ id: 'never', timezone: 'UTC', hours: { mon: ['09:00-17:00'] }, holidays: mondays });

  it('fails with a clear error instead of searching forever', () => {
    expect(() => never.nextOpen(Date.UTC(2026, 0, 1))).toThrow(NoOpenTimeError);
    expect(() => never.addBusinessTime(Date.UTC(2026, 0, 1), HOUR)).toThrow(/calendar "never" has no open time in the 2 years after 2026-01-01 00:00 UTC/);
  });

  it('still answers questions with an end', () => {
    expect(never.isOpen(Date.UTC(2026, 0, 5, 10))).toBe(false);
    expect(never.businessTimeBetween(Date.UTC(2026, 0, 1), Date.UTC(2029, 0, 1))).toBe(0);
    expect(never.nextOpen(Date.UTC(2029, 0, 1))).toBe(Date.UTC(2029, 0, 1, 9));
  });
});

describe('bad arguments', () => {
  it('are rejected rather than looping or returning NaN', () => {
    expect(() => emea.isOpen(Number.NaN)).toThrow(TypeError);
    expect(() => emea.addBusinessTime(Number.POSITIVE_INFINITY, HOUR)).toThrow(/start must be a finite epoch-ms number/);
    expect(() => emea.addBusinessTime(0, -1)).toThrow(/durationMs must be a finite number >= 0/);
    expect(() => emea.addBusinessTime(0, Number.NaN)).toThrow(RangeError);
    expect(() => [...emea.openIntervals(0, Number.NaN)]).toThrow(TypeError);
  });
});
