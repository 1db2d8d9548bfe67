/**
 * Whether a rep can take work right now, for routing. Working hours come from the calendar the rep works to
 * (theirs or their team's, resolved by the caller) in the calendar's zone; out-of-office dates are read in
 * the rep's own zone, since that is where their days off begin and end.
 */
import type { OutOfOffice, RepConfig } from '../config/types.ts';
import type { BusinessCalendar } from './businessCalendar.ts';
import { outOfOfficeWindow } from './outOfOffice.ts';

export type RepForAvailability = Pick<RepConfig, 'id' | 'timezone' | 'active' | 'outOfOffice'>;

export type Availability = { available: true } | { available: false; reason: 'inactive' | 'outside-hours' } | { available: false; reason: 'out-of-office'; outOfOffice: OutOfOffice };

/** The answer with its reason, for routing decisions that have to explain themselves. */
export function repAvailability(rep: RepForAvailability, calendar: BusinessCalendar, instant: number): Availability {
  // `active: false` takes a rep out of routing entirely; absent means active.
  if (rep.active === false) return { available: false, reason: 'inactive' };
  const away = activeOutOfOffice(rep, instant);
  if (away !== undefined) return { available: false, reason: 'out-of-office', outOfOffice: away };
  if (!calendar.isOpen(instant)) return { available: false, reason: 'outside-hours' };
  return { available: true };
}

export function isRepAvailable(rep: RepForAvailability, calendar: BusinessCalendar, instant: number): boolean {
  return repAvailability(rep, calendar, instant).available;
}

/** The out-of-office entry covering the instant, if any. */
export function activeOutOfOffice(rep: Pick<RepConfig, 'id' | 'timezone' | 'outOfOffice'>, instant: number): OutOfOffice | undefined {
  const entries = rep.outOfOffice ?? [];
  for (const [i, ooo] of entries.entries()) {
    let w;
    try {
      w = outOfOfficeWindow(ooo, rep.timezone);
    } catch (e) {
      throw new Error(`rep "${rep.id}" outOfOffice[${i}]: ${(e as Error).message}`, { cause: e });
    }
    if (w.start <= instant && instant < w.end) return ooo;
  }
  return undefined;
}
