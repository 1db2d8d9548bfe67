/**
 * Why nobody could take a lead, and when each candidate could: what a held lead shows and when it is routed again.
 * Pure: the placement code supplies the open counts it read under the queue lock.
 */
import { activeOutOfOffice } from '../calendar/availability.ts';
import type { BusinessCalendar } from '../calendar/businessCalendar.ts';
import { outOfOfficeWindow } from '../calendar/outOfOffice.ts';
import type { FlywheelConfig, RepConfig } from '../config/types.ts';
import { MS_PER_DAY, parseDuration, durationMs } from '../rules/durations.ts';
import type { HoldCandidate } from '../../workflows/lead/types.ts';
import { calendarFor, repCalendarId } from './candidates.ts';

// Back-to-back leave and closed days can chain; a handful of hops finds the real return, more means bad config.
const MAX_HOPS = 16;

/**
 * The first instant at or after `from` when the rep is in working hours and not out of office. Leave that ends on a
 * closed day resolves to the next opening after it; leave that starts when the calendar opens is skipped as well.
 */
export function availableFrom(rep: Pick<RepConfig, 'id' | 'timezone' | 'outOfOffice'>, calendar: BusinessCalendar, from: number): number {
  let t = calendar.nextOpen(from);
  for (let hop = 0; hop < MAX_HOPS; hop++) {
    const away = activeOutOfOffice(rep, t);
    if (away === undefined) return t;
    t = calendar.nextOpen(outOfOfficeWindow(away, rep.timezone).end);
  }
  return t;
}

/**
 * One verdict per member that cannot take the lead at `at` (eligible members are left out). Checked in the order
 * that says when they could: excluded and inactive never (null), at capacity only when a lead is released (null),
 * out of office at the first open instant after the leave, outside hours at the calendar's next opening.
 */
export function holdCandidates(
  config: FlywheelConfig,
  queue: string,
  members: readonly RepConfig[],
  at: number,
  openCounts: ReadonlyMap<string, number>,
  exclude: ReadonlySet<string>,
): HoldCandidate[] {
  const out: HoldCandidate[] = [];
  for (const rep of members) {
    const c = candidateAt(config, queue, rep, at, openCounts, exclude);
    if (c) out.push(c);
  }
  return out;
}

/** The candidate's hold verdict, or null when the rep can take the lead at `at`. */
export function candidateAt(config: FlywheelConfig, queue: string, rep: RepConfig, at: number, openCounts: ReadonlyMap<string, number>, exclude: ReadonlySet<string>): HoldCandidate | null {
  const verdict = (reason: HoldCandidate['reason'], availableAt: number | null): HoldCandidate => ({
    rep: rep.id,
    queue,
    reason,
    availableAt: availableAt === null ? null : new Date(availableAt).toISOString(),
  });
  if (exclude.has(rep.id)) return verdict('excluded', null);
  if (rep.active === false) return verdict('inactive', null);
  if (rep.capacity !== undefined && (openCounts.get(rep.id) ?? 0) >= rep.capacity) return verdict('at-capacity', null);
  const calendar = calendarFor(config, repCalendarId(config, rep));
  if (activeOutOfOffice(rep, at) !== undefined) return verdict('out-of-office', availableFrom(rep, calendar, at));
  if (!calendar.isOpen(at)) return verdict('outside-hours', availableFrom(rep, calendar, at));
  return null;
}

/** The earliest moment any candidate can take the lead (ISO), or null when only freed capacity can. */
export function nextRouteAt(candidates: readonly HoldCandidate[]): string | null {
  let best: number | null = null;
  for (const c of candidates) {
    if (c.availableAt === null) continue;
    const t = Date.parse(c.availableAt);
    if (best === null || t < best) best = t;
  }
  return best === null ? null : new Date(best).toISOString();
}

/** since + maxHold on the wall clock (a day is 24 h, as people read "held for 2d"); null without a maxHold. */
export function maxHoldAt(since: string, maxHold: string | undefined): string | null {
  if (maxHold === undefined) return null;
  const d = parseDuration(maxHold);
  if (!d) throw new Error(`invalid maxHold "${maxHold}"`);
  return new Date(Date.parse(since) + durationMs(d, MS_PER_DAY)).toISOString();
}
