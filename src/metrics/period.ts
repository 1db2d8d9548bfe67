import { MS_PER_DAY, parseIsoDate } from '../calendar/civil.ts';
import { isIsoTime } from '../ledger/validate.ts';

/** A half-open window [from, to): a fact at `from` is inside it, a fact at `to` belongs to the next one. */
export interface Period {
  from: Date;
  to: Date;
}

/**
 * Reads the ends of a period as typed on a command line: `2027-01-01` (midnight UTC) or an ISO date-time with a
 * time zone. A date-time without a zone is refused: it would mean different instants on different machines.
 */
export function parsePeriod(from: string, to: string): Period {
  return checkPeriod({ from: parseInstant(from, 'from'), to: parseInstant(to, 'to') });
}

export function parseInstant(text: string, label = 'time'): Date {
  const t = text.trim();
  const day = parseIsoDate(t);
  if (day !== undefined) return new Date(day * MS_PER_DAY);
  if (isIsoTime(t)) return new Date(t);
  throw new Error(`${label} ${JSON.stringify(text)} is not a date (2027-01-01, midnight UTC) or an ISO date-time with a time zone (2027-01-01T09:00:00Z)`);
}

/** Metrics take a Period built in code too: an empty or inverted window is a caller's mistake, not zero revenue. */
export function checkPeriod(p: Period): Period {
  if (Number.isNaN(p.from.getTime()) || Number.isNaN(p.to.getTime())) throw new Error('period has an invalid date');
  if (p.from.getTime() >= p.to.getTime()) {
    throw new Error(`period from ${p.from.toISOString()} must be before to ${p.to.toISOString()}`);
  }
  return p;
}
