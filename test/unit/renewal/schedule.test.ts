import { describe, expect, it } from 'vitest';
import { toWallTime } from '../../../src/calendar/zonedTime.ts';
import { addDays } from '../../../src/calendar/civil.ts';
import { contractEndInstant, reminderInstant, scheduleReminders } from '../../../src/renewal/schedule.ts';

const BERLIN = 'Europe/Berlin';
const wall = (t: number) => {
  const w = toWallTime(t, BERLIN);
  return `${w.year}-${String(w.month).padStart(2, '0')}-${String(w.day).padStart(2, '0')} ${String(w.hour).padStart(2, '0')}:${String(w.minute).padStart(2, '0')}`;
};

describe('renewal reminder schedule', () => {
  it('ends a date-only contract at the local midnight after its last day', () => {
    expect(wall(contractEndInstant('2027-12-31', BERLIN))).toBe('2028-01-01 00:00');
    expect(new Date(contractEndInstant('2027-06-30', BERLIN)).toISOString()).toBe('2027-06-30T22:00:00.000Z');
  });

  it('counts whole days back on the calendar and sends at 09:00 local, across a DST change', () => {
    // 2027-03-28 is the spring-forward Sunday in Berlin: 90 days before 2027-06-01 is 2027-03-03 (CET), still 09:00.
    expect(wall(reminderInstant('2027-06-01', '90d', BERLIN))).toBe('2027-03-03 09:00');
    expect(wall(reminderInstant('2027-06-01', '30d', BERLIN))).toBe('2027-05-02 09:00');
    expect(wall(reminderInstant('2027-06-01', '1d12h', BERLIN))).toBe('2027-05-30 21:00');
  });

  it('subtracts plainly from a date-time contract end (the demo runs contracts of seconds)', () => {
    expect(new Date(reminderInstant('2027-06-01T12:00:00Z', '40s', BERLIN)).toISOString()).toBe('2027-06-01T11:59:20.000Z');
    expect(new Date(reminderInstant('2027-06-01T12:00:00Z', '2d', BERLIN)).toISOString()).toBe('2027-05-30T12:00:00.000Z');
  });

  it('orders the reminders and splits off those already past', () => {
    // 90d and 60d before 2027-06-01 are 2027-03-03 and 2027-04-02: both before 15 April.
    const { upcoming, passed } = scheduleReminders('2027-06-01', ['30d', '90d', '60d'], BERLIN, Date.parse('2027-04-15T00:00:00Z'));
    expect(passed).toEqual(['90d', '60d']);
    expect(upcoming.map((r) => [r.offset, wall(Date.parse(r.at))])).toEqual([['30d', '2027-05-02 09:00']]);
  });

  it('refuses text that is neither a date nor a date-time, and bad offsets', () => {
    expect(() => contractEndInstant('next year', BERLIN)).toThrow(/invalid contract end "next year"/);
    expect(() => reminderInstant('2027-06-01', '3 weeks', BERLIN)).toThrow(/invalid reminder offset/);
    expect(addDays('2027-12-31', 1)).toBe('2028-01-01');
  });
});
