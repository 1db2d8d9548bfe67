import { describe, expect, it } from 'vitest';
import { BusinessCalendar } from '../../../src/calendar/businessCalendar.ts';
import { InvalidCalendarError, parseCalendarConfig } from '../../../src/calendar/calendarSpec.ts';
import { daysFromCivil } from '../../../src/calendar/civil.ts';
import type { CalendarConfig } from '../../../src/config/types.ts';
import { WEEKDAYS_9_TO_5 } from './helpers.ts';

const base: CalendarConfig = { id: 'emea', timezone: 'Europe/Berlin', hours: WEEKDAYS_9_TO_5 };

function problems(config: unknown): string[] {
  try {
    new BusinessCalendar(config as CalendarConfig);
  } catch (e) {
    expect(e).toBeInstanceOf(InvalidCalendarError);
    return (e as InvalidCalendarError).problems;
  }
  throw new Error('expected the calendar to be rejected');
}

describe('calendar config validation', () => {
  it('normalises hours per weekday (Sunday first) and holidays by day', () => {
    const spec = parseCalendarConfig({ ...base, hours: { mon: ['13:00-17:00', '09:00-12:00'], sat: ['22:00-24:00'] }, holidays: ['2026-12-24', { date: '2026-12-25', name: 'Christmas' }] });
    expect(spec.weekly).toEqual([
      [],
      [
        [540, 720],
        [780, 1020],
      ],
      [],
      [],
      [],
      [],
      [[1320, 1440]],
    ]);
    expect([...spec.holidays]).toEqual([
      [daysFromCivil(2026, 12, 24), ''],
      [daysFromCivil(2026, 12, 25), 'Christmas'],
    ]);
  });

  it('rejects an unknown time zone, suggesting the near miss', () => {
    expect(() => new BusinessCalendar({ ...base, timezone: 'Europe/Berln' })).toThrow('invalid calendar "emea": timezone "Europe/Berln" is not a known IANA time zone (did you mean "Europe/Berlin"?)');
    expect(problems({ ...base, timezone: 'CET+1' })).toEqual(['timezone "CET+1" is not a known IANA time zone']);
    expect(problems({ ...base, timezone: undefined })).toEqual(['timezone undefined is not a known IANA time zone']);
  });

  it('rejects a calendar with no working hours', () => {
    const none = ['no working hours on any day: a calendar needs at least one "HH:MM-HH:MM" range'];
    expect(problems({ ...base, hours: {} })).toEqual(none);
    expect(problems({ ...base, hours: { mon: [], sat: [] } })).toEqual(none);
    expect(problems({ ...base, hours: undefined })).toEqual(['hours must map weekdays (mon ... sun) to lists of "HH:MM-HH:MM" ranges']);
  });

  it('explains bad ranges', () => {
    expect(problems({ ...base, hours: { mon: ['9-17'] } })).toEqual(['hours.mon[0] "9-17": expected "HH:MM-HH:MM", e.g. "09:00-17:00"']);
    expect(problems({ ...base, hours: { mon: ['17:00-09:00'] } })[0]).toMatch(/ends before it starts/);
    expect(problems({ ...base, hours: { mon: ['09:00-09:00'] } })[0]).toMatch(/ends before it starts/);
    expect(problems({ ...base, hours: { mon: ['24:00-24:00'] } })[0]).toMatch(/start is not a time of day/);
    expect(problems({ ...base, hours: { mon: ['09:00-24:30'] } })[0]).toMatch(/end is not a time of day/);
    expect(problems({ ...base, hours: { mon: ['09:00-13:00', '12:00-17:00'] } })).toEqual(['hours.mon: ranges overlap']);
    expect(problems({ ...base, hours: { monday: ['09:00-17:00'] } })).toEqual(['hours.monday: unknown weekday (use sun, mon, tue, wed, thu, fri, sat)']);
    expect(problems({ ...base, hours: { mon: '09:00-17:00' } })).toEqual(['hours.mon must be a list of "HH:MM-HH:MM" ranges']);
  });

  it('rejects holidays that are not real dates', () => {
    expect(problems({ ...base, holidays: ['2026-02-30', { date: '24.12.2026' }, { name: 'no date' }] })).toEqual([
      'holidays[0]: "2026-02-30" is not a "YYYY-MM-DD" date',
      'holidays[1]: "24.12.2026" is not a "YYYY-MM-DD" date',
      'holidays[2]: undefined is not a "YYYY-MM-DD" date',
    ]);
  });

  it('lists every problem in one error', () => {
    const e = (() => {
      try {
        new BusinessCalendar({ id: 'na', timezone: 'America/New_Yrok', hours: { fri: ['09:00-17:0'] }, holidays: ['tomorrow'] });
      } catch (err) {
        return err as InvalidCalendarError;
      }
    })();
    expect(e?.calendarId).toBe('na');
    expect(e?.problems).toHaveLength(3);
    expect(e?.message).toMatch(/^invalid calendar "na": timezone "America\/New_Yrok" .*did you mean "America\/New_York".*; hours\.fri\[0\].*; holidays\[0\]/);
  });
});
