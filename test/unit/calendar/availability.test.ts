import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { activeOutOfOffice, isRepAvailable, repAvailability } from '../../../src/calendar/availability.ts';
import { BusinessCalendar } from '../../../src/calendar/businessCalendar.ts';
import { outOfOfficeWindow } from '../../../src/calendar/outOfOffice.ts';
import type { FlywheelConfig, RepConfig } from '../../../src/config/types.ts';
import { at, BERLIN, HOUR, NEW_YORK, WEEKDAYS_9_TO_5 } from './helpers.ts';

const emea = new BusinessCalendar({ id: 'emea', timezone: BERLIN, hours: WEEKDAYS_9_TO_5, holidays: [{ date: '2026-12-24', name: 'Heiligabend' }] });
const na = new BusinessCalendar({ id: 'na', timezone: NEW_YORK, hours: WEEKDAYS_9_TO_5 });

const rep = (extra: Partial<RepConfig> = {}): RepConfig => ({ id: 'lukas-meyer', name: 'Lukas Meyer', email: 'lukas@example.test', team: 'sales-emea', timezone: BERLIN, ...extra });
const parentalLeave = { from: '2026-12-21', to: '2027-01-03', reason: 'parental leave' };

describe('rep availability', () => {
  it('is available inside the calendar hours with no out-of-office', () => {
    expect(repAvailability(rep(), emea, at(BERLIN, '2026-11-23 10:00'))).toEqual({ available: true });
    expect(isRepAvailable(rep(), emea, at(BERLIN, '2026-11-23 10:00'))).toBe(true);
  });

  it('is unavailable outside working hours, at weekends and on holidays', () => {
    for (const wall of ['2026-11-23 08:59:59.999', '2026-11-23 17:00', '2026-11-21 11:00', '2026-12-24 11:00']) {
      expect(repAvailability(rep(), emea, at(BERLIN, wall)), wall).toEqual({ available: false, reason: 'outside-hours' });
    }
  });

  it('is unavailable when inactive', () => {
    expect(repAvailability(rep({ active: false }), emea, at(BERLIN, '2026-11-23 10:00'))).toEqual({ available: false, reason: 'inactive' });
    expect(isRepAvailable(rep({ active: true }), emea, at(BERLIN, '2026-11-23 10:00'))).toBe(true);
  });
});

describe('out of office', () => {
  it('date-only windows cover whole local days, both ends inclusive', () => {
    const r = rep({ outOfOffice: [parentalLeave] });
    expect(activeOutOfOffice(r, at(BERLIN, '2026-12-20 23:59:59.999'))).toBeUndefined();
    expect(activeOutOfOffice(r, at(BERLIN, '2026-12-21 00:00'))).toBe(parentalLeave);
    expect(activeOutOfOffice(r, at(BERLIN, '2027-01-03 23:59:59.999'))).toBe(parentalLeave);
    expect(activeOutOfOffice(r, at(BERLIN, '2027-01-04 00:00'))).toBeUndefined();
    expect(repAvailability(r, emea, at(BERLIN, '2026-12-21 10:00'))).toEqual({ available: false, reason: 'out-of-office', outOfOffice: parentalLeave });
    expect(isRepAvailable(r, emea, at(BERLIN, '2027-01-04 09:00'))).toBe(true);
  });

  it('a single date-only day follows the local day across DST changes', () => {
    const spring = outOfOfficeWindow({ from: '2026-03-29', to: '2026-03-29' }, BERLIN);
    expect(spring).toEqual({ start: at(BERLIN, '2026-03-29 00:00'), end: at(BERLIN, '2026-03-30 00:00') });
    expect(spring.end - spring.start).toBe(23 * HOUR);
    const autumn = outOfOfficeWindow({ from: '2026-10-25', to: '2026-10-25' }, BERLIN);
    expect(autumn.end - autumn.start).toBe(25 * HOUR);
  });

  it('date-time windows are exact instants, end exclusive', () => {
    const dentist = { from: '2026-11-24T13:00:00+01:00', to: '2026-11-24T15:00:00+01:00' };
    const r = rep({ outOfOffice: [dentist] });
    expect(isRepAvailable(r, emea, at(BERLIN, '2026-11-24 12:59:59.999'))).toBe(true);
    expect(isRepAvailable(r, emea, at(BERLIN, '2026-11-24 13:00'))).toBe(false);
    expect(isRepAvailable(r, emea, at(BERLIN, '2026-11-24 14:59:59.999'))).toBe(false);
    expect(isRepAvailable(r, emea, at(BERLIN, '2026-11-24 15:00'))).toBe(true);
  });

  it('reads offsets, Z, and offset-less date-times on the rep wall clock', () => {
    expect(outOfOfficeWindow({ from: '2026-11-24T12:00:00Z', to: '2026-11-24T14:00:00.5Z' }, BERLIN)).toEqual({ start: Date.UTC(2026, 10, 24, 12), end: Date.UTC(2026, 10, 24, 14, 0, 0, 500) });
    expect(outOfOfficeWindow({ from: '2026-11-24T08:00-0500', to: '2026-11-24T09:30:00-05:00' }, BERLIN)).toEqual({ start: Date.UTC(2026, 10, 24, 13), end: Date.UTC(2026, 10, 24, 14, 30) });
    expect(outOfOfficeWindow({ from: '2026-11-24T13:00', to: '2026-11-24 15:00:00' }, NEW_YORK)).toEqual({ start: at(NEW_YORK, '2026-11-24 13:00'), end: at(NEW_YORK, '2026-11-24 15:00') });
    // Mixed: from a date-time until the end of a day.
    expect(outOfOfficeWindow({ from: '2026-11-24T13:00:00+01:00', to: '2026-11-24' }, BERLIN)).toEqual({ start: at(BERLIN, '2026-11-24 13:00'), end: at(BERLIN, '2026-11-25 00:00') });
  });

  it('days off are read in the rep zone, working hours in the calendar zone', () => {
    // Tokyo is 8 hours ahead of Berlin in winter: the rep day off ends at 16:00 Berlin time.
    const tokyo = rep({ id: 'kenji', timezone: 'Asia/Tokyo', outOfOffice: [{ from: '2026-11-30', to: '2026-12-01' }] });
    expect(repAvailability(tokyo, emea, at(BERLIN, '2026-12-01 15:59'))).toMatchObject({ available: false, reason: 'out-of-office' });
    expect(isRepAvailable(tokyo, emea, at(BERLIN, '2026-12-01 16:00'))).toBe(true);
    // A Tokyo day off starts at 16:00 Berlin time the evening before, while the Berlin office is still open.
    const wednesdayOff = rep({ timezone: 'Asia/Tokyo', outOfOffice: [{ from: '2026-11-25', to: '2026-11-25' }] });
    expect(isRepAvailable(wednesdayOff, emea, at(BERLIN, '2026-11-24 15:59'))).toBe(true);
    expect(repAvailability(wednesdayOff, emea, at(BERLIN, '2026-11-24 16:30'))).toMatchObject({ available: false, reason: 'out-of-office' });

    // A Los Angeles rep on the New York calendar works 06:00-14:00 on their own clock.
    const olivia = rep({ id: 'olivia-chen', timezone: 'America/Los_Angeles' });
    expect(isRepAvailable(olivia, na, at('America/Los_Angeles', '2026-12-01 06:30'))).toBe(true);
    expect(isRepAvailable(olivia, na, at('America/Los_Angeles', '2026-12-01 14:30'))).toBe(false);
  });

  it('a reversed window never applies', () => {
    expect(activeOutOfOffice(rep({ outOfOffice: [{ from: '2026-12-10', to: '2026-12-01' }] }), at(BERLIN, '2026-12-05 10:00'))).toBeUndefined();
  });

  it('names the rep and field when a window cannot be read', () => {
    expect(() => isRepAvailable(rep({ outOfOffice: [parentalLeave, { from: 'next monday', to: '2027-01-10' }] }), emea, at(BERLIN, '2026-11-23 10:00'))).toThrow(
      'rep "lukas-meyer" outOfOffice[1]: from "next monday" is neither a date (YYYY-MM-DD) nor a date-time (YYYY-MM-DDTHH:MM[:SS][Z|±HH:MM])',
    );
    expect(() => activeOutOfOffice(rep({ timezone: 'Europe/Berln', outOfOffice: [parentalLeave] }), 0)).toThrow('rep "lukas-meyer" outOfOffice[0]: unknown time zone "Europe/Berln"');
    expect(() => activeOutOfOffice(rep({ outOfOffice: [{ from: '2026-11-24T25:00Z', to: '2026-11-25' }] }), 0)).toThrow(/from "2026-11-24T25:00Z" is neither/);
  });
});

describe('the shipped config/flywheel.yaml', () => {
  const config = parse(readFileSync(new URL('../../../config/flywheel.yaml', import.meta.url), 'utf8')) as FlywheelConfig;

  it('builds every calendar and reads every out-of-office window', () => {
    const calendars = new Map(config.calendars.map((c) => [c.id, new BusinessCalendar(c)]));
    for (const r of config.reps) {
      const calendarId = r.calendar ?? config.teams.find((t) => t.id === r.team)?.calendar;
      const calendar = calendars.get(calendarId!);
      expect(calendar, r.id).toBeDefined();
      expect(typeof isRepAvailable(r, calendar!, at(BERLIN, '2026-12-22 10:00'))).toBe('boolean');
    }
  });
});
