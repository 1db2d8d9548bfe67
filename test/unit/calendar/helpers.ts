import type { CalendarConfig } from '../../../src/config/types.ts';
import { fromWallTime, formatInZone, offsetAt } from '../../../src/calendar/zonedTime.ts';

export const HOUR = 3_600_000;
export const MINUTE = 60_000;

export const BERLIN = 'Europe/Berlin';
export const NEW_YORK = 'America/New_York';

export const WEEKDAYS_9_TO_5: CalendarConfig['hours'] = {
  mon: ['09:00-17:00'],
  tue: ['09:00-17:00'],
  wed: ['09:00-17:00'],
  thu: ['09:00-17:00'],
  fri: ['09:00-17:00'],
};

/** `at(BERLIN, '2026-11-20 16:30')` -> the instant the Berlin clock shows that time (earlier one if repeated). */
export function at(zone: string, wall: string): number {
  const m = /^(\d{4})-(\d{2})-(\d{2}) (\d{2}):(\d{2})(?::(\d{2})(?:\.(\d{3}))?)?$/.exec(wall);
  if (!m) throw new Error(`bad wall time in test: ${wall}`);
  const n = (i: number) => Number(m[i] ?? 0);
  return fromWallTime({ year: n(1), month: n(2), day: n(3), hour: n(4), minute: n(5), second: n(6), millisecond: n(7) }, zone);
}

/** Wall-clock rendering for readable assertions: `2026-11-23 12:30 Europe/Berlin`. */
export const show = formatInZone;

/** Wall clock as UTC-encoded ms, read through formatToParts: a second, independent path to the same tz data. */
const referenceFormats = new Map<string, Intl.DateTimeFormat>();
export function referenceLocal(instant: number, zone: string): number {
  let f = referenceFormats.get(zone);
  if (!f) {
    f = new Intl.DateTimeFormat('en-GB', { timeZone: zone, hourCycle: 'h23', year: 'numeric', month: '2-digit', day: '2-digit', hour: '2-digit', minute: '2-digit', second: '2-digit' });
    referenceFormats.set(zone, f);
  }
  const parts = f.formatToParts(instant);
  const get = (type: string) => Number(parts.find((p) => p.type === type)!.value);
  const utc = new Date(0);
  utc.setUTCFullYear(get('year'), get('month') - 1, get('day'));
  utc.setUTCHours(get('hour'), get('minute'), get('second'), 0);
  return utc.getTime() + (((instant % 1000) + 1000) % 1000);
}

// Zones with unusual transitions: 30-minute DST, transitions at midnight, Ramadan pauses, a skipped day, a
// 2-hour DST (Troll), and zones whose rules changed often.
export const DST_ZONES = [
  'Europe/Berlin',
  'Europe/London',
  'America/New_York',
  'America/Santiago',
  'America/Sao_Paulo',
  'America/Havana',
  'America/St_Johns',
  'America/Asuncion',
  'America/Nuuk',
  'Australia/Lord_Howe',
  'Australia/Sydney',
  'Pacific/Apia',
  'Pacific/Chatham',
  'Pacific/Auckland',
  'Asia/Tehran',
  'Asia/Jerusalem',
  'Asia/Gaza',
  'Asia/Beirut',
  'Asia/Amman',
  'Africa/Casablanca',
  'Africa/Cairo',
  'Europe/Chisinau',
  'Europe/Moscow',
  'Antarctica/Troll',
];

/** Every offset change in [from, to), to the second: found by daily steps (transitions are days apart), then bisection. */
export function transitions(zone: string, from: number, to: number): number[] {
  // offsetAt only picks where to look; the tests assert against referenceLocal.
  const off = (t: number) => offsetAt(t, zone);
  const out: number[] = [];
  let before = off(from);
  for (let t = from; t < to; t += 86_400_000) {
    const after = off(t + 86_400_000);
    if (after === before) continue;
    let [lo, hi] = [t / 1000, t / 1000 + 86_400];
    while (hi - lo > 1) {
      const mid = Math.floor((lo + hi) / 2);
      if (off(mid * 1000) === before) lo = mid;
      else hi = mid;
    }
    out.push(hi * 1000);
    before = after;
  }
  return out;
}
