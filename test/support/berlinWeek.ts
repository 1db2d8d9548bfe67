import { formatIsoDate, MS_PER_DAY, MS_PER_HOUR, weekdayOf } from '../../src/calendar/civil.ts';
import { instantToLocal, localToInstant } from '../../src/calendar/zonedTime.ts';
import type { FlywheelConfig } from '../../src/config/types.ts';

export const BERLIN = 'Europe/Berlin';

/**
 * Instants on Berlin wall clocks in a week that the shipped calendars treat as an ordinary working week: the test
 * servers' clocks are shared and only move forward, so tests pick the first week after `now` whose days
 * (the Saturday before to the second Sunday after) hold no holiday of any calendar and no rep's leave.
 */
export function ordinaryWeek(config: FlywheelConfig, now: number): { monday: number; at: (dayFromMonday: number, hour: number, minute?: number) => number; date: (dayFromMonday: number) => string } {
  const holidays = new Set(config.calendars.flatMap((c) => (c.holidays ?? []).map((h) => (typeof h === 'string' ? h : h.date))));
  const leave = config.reps.flatMap((r) => r.outOfOffice ?? []).map((o) => [o.from.slice(0, 10), o.to.slice(0, 10)] as const);
  let day = Math.floor(instantToLocal(now, BERLIN) / MS_PER_DAY) + 1;
  for (;;) {
    const monday = day + ((1 - weekdayOf(day) + 7) % 7);
    const dates = Array.from({ length: 16 }, (_, i) => formatIsoDate(monday - 2 + i));
    const clear = dates.every((d) => !holidays.has(d) && !leave.some(([from, to]) => from <= d && d <= to));
    const start = localToInstant(monday * MS_PER_DAY - 2 * MS_PER_DAY, BERLIN);
    if (clear && start > now + MS_PER_HOUR) {
      const at = (d: number, hour: number, minute = 0) => localToInstant((monday + d) * MS_PER_DAY + hour * MS_PER_HOUR + minute * 60_000, BERLIN);
      return { monday: at(0, 0), at, date: (d) => formatIsoDate(monday + d) };
    }
    day = monday + 1;
  }
}
