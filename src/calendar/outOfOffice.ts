/**
 * Out-of-office windows as instants. A date-only bound means whole local days in the rep's own zone, both
 * ends inclusive (`to: 2027-01-03` is back on the 4th), because that is how people write leave. A date-time
 * bound is an exact instant, its end exclusive; without an offset it is read on the rep's wall clock, never
 * the host's (Date.parse would use the machine's zone).
 */
import type { OutOfOffice } from '../config/types.ts';
import { MS_PER_DAY, parseIsoDate } from './civil.ts';
import { localToInstant } from './zonedTime.ts';

/** Half-open [start, end) in epoch ms; empty when end <= start. */
export interface Window {
  start: number;
  end: number;
}

const DATE_TIME = /^(\d{4})-(\d{2})-(\d{2})[Tt ](\d{2}):(\d{2})(?::(\d{2})(\.\d+)?)?([Zz]|[+-]\d{2}:?\d{2})?$/;

// Routing asks about the same reps over and over; loaded config objects are never mutated, so their parsed
// windows can be kept for as long as the objects live.
const cache = new WeakMap<OutOfOffice, { timezone: string; window: Window }>();

/** Throws an Error naming the bad field when a bound is neither a date nor a date-time. */
export function outOfOfficeWindow(ooo: OutOfOffice, timezone: string): Window {
  const hit = cache.get(ooo);
  if (hit !== undefined && hit.timezone === timezone) return hit.window;
  const start = parseBound(ooo.from, timezone, 'start', 'from');
  const end = parseBound(ooo.to, timezone, 'end', 'to');
  const window = { start, end };
  cache.set(ooo, { timezone, window });
  return window;
}

function parseBound(text: unknown, timezone: string, side: 'start' | 'end', field: string): number {
  if (typeof text !== 'string') throw new Error(`${field} must be a string, got ${JSON.stringify(text)}`);
  const day = parseIsoDate(text);
  // The inclusive end of a date-only window is the midnight that starts the next day.
  if (day !== undefined) return localToInstant((side === 'start' ? day : day + 1) * MS_PER_DAY, timezone);
  const instant = parseDateTime(text, timezone);
  if (instant === undefined) {
    throw new Error(`${field} ${JSON.stringify(text)} is neither a date (YYYY-MM-DD) nor a date-time (YYYY-MM-DDTHH:MM[:SS][Z|±HH:MM])`);
  }
  return instant;
}

function parseDateTime(text: string, timezone: string): number | undefined {
  const m = DATE_TIME.exec(text);
  if (!m) return undefined;
  const day = parseIsoDate(`${m[1]}-${m[2]}-${m[3]}`);
  const [hour, minute, second] = [Number(m[4]), Number(m[5]), Number(m[6] ?? 0)];
  if (day === undefined || hour > 23 || minute > 59 || second > 60) return undefined;
  const fraction = m[7] === undefined ? 0 : Math.floor(Number(`0${m[7]}`) * 1000);
  const local = day * MS_PER_DAY + hour * 3_600_000 + minute * 60_000 + second * 1000 + fraction;
  const zone = m[8];
  if (zone === undefined) return localToInstant(local, timezone);
  if (zone === 'Z' || zone === 'z') return local;
  const digits = zone.replace(':', '');
  const [oh, om] = [Number(digits.slice(1, 3)), Number(digits.slice(3, 5))];
  if (oh > 23 || om > 59) return undefined;
  const offset = (oh * 60 + om) * 60_000;
  return zone.startsWith('-') ? local + offset : local - offset;
}
