import type { Ledger } from '../ledger/types.ts';
import { round } from '../numbers.ts';
import type { Period } from './period.ts';

export { round, sumMoney } from '../numbers.ts';

/** What every metric reads: only `query`, so a report can run on any ledger mode or a transaction. */
export type MetricsLedger = Pick<Ledger, 'query'>;

/** The two bind parameters of a period, $1 = from and $2 = to, as every section's SQL expects them. */
export function periodParams(p: Period): [string, string] {
  return [p.from.toISOString(), p.to.toISOString()];
}

/** n / d rounded to 4 decimals, or null when d is 0: a ratio without a denominator is unknown, not 0. */
export function ratio(n: number, d: number): number | null {
  return d === 0 ? null : round(n / d, 4);
}

/** The median (mean of the two middle values for an even count), or null for no values. */
export function median(xs: readonly number[]): number | null {
  if (xs.length === 0) return null;
  const s = [...xs].sort((a, b) => a - b);
  const mid = Math.floor(s.length / 2);
  return s.length % 2 === 1 ? (s[mid] as number) : ((s[mid - 1] as number) + (s[mid] as number)) / 2;
}

/** The arithmetic mean, or null for no values. */
export function mean(xs: readonly number[]): number | null {
  return xs.length === 0 ? null : xs.reduce((a, b) => a + b, 0) / xs.length;
}

/** `x` rounded to 2 decimals, keeping null: durations (hours, days) and money averages. */
export function round2(x: number | null): number | null {
  return x === null ? null : round(x, 2);
}

/** The Monday (UTC) that starts the ISO week of `d`, as YYYY-MM-DD. */
export function isoWeekStart(d: Date): string {
  const sinceMonday = (d.getUTCDay() + 6) % 7;
  return new Date(Date.UTC(d.getUTCFullYear(), d.getUTCMonth(), d.getUTCDate() - sinceMonday)).toISOString().slice(0, 10);
}

/** Group-by counter: adds `by` to the entry of `key`, creating it at 0. */
export function bump(m: Map<string, number>, key: string, by = 1): void {
  m.set(key, (m.get(key) ?? 0) + by);
}

/** A plain object with sorted keys, so reports and JSON diffs list groups in a stable order. */
export function sortedRecord<V>(entries: Iterable<[string, V]>): Record<string, V> {
  return Object.fromEntries([...entries].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)));
}

/** The label for a missing lead source or tier: old rows have none. */
export const UNKNOWN = 'unknown';
