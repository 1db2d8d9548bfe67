/**
 * UTC instants (epoch ms) <-> wall-clock time in an IANA zone, using only Intl so the answers come from the
 * runtime's tz database and never from the host's own zone. Safe in Temporal workflow code.
 *
 * "Local ms" below is a wall-clock reading encoded like an epoch: ms since 1970-01-01T00:00 *on that wall
 * clock*. It lets day and minute arithmetic on wall time be plain integer maths.
 */
import { civilFromDays, daysFromCivil, MS_PER_DAY, pad2 } from './civil.ts';

export interface WallTime {
  year: number;
  month: number;
  day: number;
  hour: number;
  minute: number;
  second: number;
  millisecond: number;
}

// Intl renders years <= 0 without a sign, so stay inside years 1..275760 with a day of slack either side
// for the offset probes in localToInstant.
const MIN_INSTANT = daysFromCivil(1, 1, 3) * MS_PER_DAY;
const MAX_INSTANT = 8.64e15 - 2 * MS_PER_DAY;

const formatters = new Map<string, Intl.DateTimeFormat>();
// format() is about three times faster than formatToParts(); with a fixed locale and h23 its shape is fixed.
const FORMATTED = /^(\d+)\/(\d+)\/(\d+), (\d+):(\d+):(\d+)$/;

function formatterFor(zone: string): Intl.DateTimeFormat {
  let f = formatters.get(zone);
  if (f === undefined) {
    try {
      f = new Intl.DateTimeFormat('en-US', {
        timeZone: zone,
        hourCycle: 'h23',
        year: 'numeric',
        month: 'numeric',
        day: 'numeric',
        hour: 'numeric',
        minute: 'numeric',
        second: 'numeric',
      });
    } catch {
      throw new RangeError(`unknown time zone "${zone}"`);
    }
    formatters.set(zone, f);
  }
  return f;
}

function checkInstant(instant: number): void {
  if (!(instant >= MIN_INSTANT && instant <= MAX_INSTANT)) {
    throw new RangeError(`instant ${instant} is not a finite epoch-ms value in the supported range (years 1-275760)`);
  }
}

/** True when Intl knows the zone (case-insensitive, aliases such as `UTC` included). */
export function isTimeZone(zone: string): boolean {
  try {
    formatterFor(zone);
    return true;
  } catch {
    return false;
  }
}

/** Offset of the zone's wall clock from UTC at the instant, in ms (Berlin in winter: +3_600_000). */
export function offsetAt(instant: number, zone: string): number {
  checkInstant(instant);
  const f = formatterFor(zone);
  const m = FORMATTED.exec(f.format(instant));
  // Should an ICU update change the punctuation, fall back to the slower structured form.
  const fields = m ? [m[3], m[1], m[2], m[4], m[5], m[6]].map(Number) : fieldsFromParts(f, instant);
  const [year, month, day, hour, minute, second] = fields as [number, number, number, number, number, number];
  const wallSecond = daysFromCivil(year, month, day) * MS_PER_DAY + hour * 3_600_000 + minute * 60_000 + second * 1000;
  if (Number.isNaN(wallSecond)) throw new Error(`cannot read the wall clock of "${zone}" from Intl output "${f.format(instant)}"`);
  // Intl shows whole seconds; tz transitions fall on whole seconds, so the offset is exact.
  return wallSecond - Math.floor(instant / 1000) * 1000;
}

function fieldsFromParts(f: Intl.DateTimeFormat, instant: number): number[] {
  const parts = f.formatToParts(instant);
  return (['year', 'month', 'day', 'hour', 'minute', 'second'] as const).map((type) => Number(parts.find((p) => p.type === type)?.value));
}

export function instantToLocal(instant: number, zone: string): number {
  return instant + offsetAt(instant, zone);
}

/**
 * The first instant at which the zone's clock reads `local` or later. That one rule settles both DST cases
 * deterministically: in a gap (02:30 on a spring-forward night) it is the transition itself, the first valid
 * instant after the missing time; in an overlap (02:30 on a fall-back night) it is the earlier of the two.
 */
export function localToInstant(local: number, zone: string): number {
  // tzdb never has two transitions within a day of each other, so the offsets a day either side are the
  // only candidates.
  const before = offsetAt(local - MS_PER_DAY, zone);
  const after = offsetAt(local + MS_PER_DAY, zone);
  const early = local - Math.max(before, after);
  const late = local - Math.min(before, after);
  if (offsetAt(early, zone) === local - early) return early;
  if (late === early || offsetAt(late, zone) === local - late) return late;
  return firstInstantReading(local, zone, early, late);
}

// In a gap the clock jumps from before `local` to after it somewhere in (lo, hi]; find the jump by bisection
// over whole seconds (transitions are on whole seconds), about 12 probes for a one-hour gap.
function firstInstantReading(local: number, zone: string, lo: number, hi: number): number {
  let loS = Math.floor(lo / 1000);
  let hiS = Math.ceil(hi / 1000);
  while (hiS - loS > 1) {
    const mid = Math.floor((loS + hiS) / 2);
    if (instantToLocal(mid * 1000, zone) >= local) hiS = mid;
    else loS = mid;
  }
  return hiS * 1000;
}

export function toWallTime(instant: number, zone: string): WallTime {
  const local = instantToLocal(instant, zone);
  const epochDay = Math.floor(local / MS_PER_DAY);
  let ms = local - epochDay * MS_PER_DAY;
  const { year, month, day } = civilFromDays(epochDay);
  const hour = Math.floor(ms / 3_600_000);
  ms -= hour * 3_600_000;
  const minute = Math.floor(ms / 60_000);
  ms -= minute * 60_000;
  const second = Math.floor(ms / 1000);
  return { year, month, day, hour, minute, second, millisecond: ms - second * 1000 };
}

/** Wall time -> instant, resolving DST gaps and overlaps as localToInstant does. Time fields default to 0. */
export function fromWallTime(wall: Pick<WallTime, 'year' | 'month' | 'day'> & Partial<WallTime>, zone: string): number {
  const { year, month, day, hour = 0, minute = 0, second = 0, millisecond = 0 } = wall;
  const local = daysFromCivil(year, month, day) * MS_PER_DAY + hour * 3_600_000 + minute * 60_000 + second * 1000 + millisecond;
  return localToInstant(local, zone);
}

/** `2026-11-23 11:30 Europe/Berlin` (seconds only when non-zero): for error messages and test output. */
export function formatInZone(instant: number, zone: string): string {
  const w = toWallTime(instant, zone);
  const secs = w.second || w.millisecond ? `:${pad2(w.second)}${w.millisecond ? `.${String(w.millisecond).padStart(3, '0')}` : ''}` : '';
  return `${String(w.year).padStart(4, '0')}-${pad2(w.month)}-${pad2(w.day)} ${pad2(w.hour)}:${pad2(w.minute)}${secs} ${zone}`;
}
