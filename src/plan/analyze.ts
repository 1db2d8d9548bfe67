import type { FlywheelMetrics } from '../metrics/flywheel.ts';
import type { Period } from '../metrics/period.ts';
import { cents, round, sumMoney } from '../numbers.ts';
import { reverseFunnel } from './funnel.ts';
import type { GrowthPlan, PlanAssumptions } from './types.ts';

/**
 * The parts of src/metrics' FlywheelMetrics that `analyze` reads (a FlywheelMetrics is one), so tests and callers
 * with partial figures need not build a whole report. Rates are shares 0..1; null means nothing to measure.
 */
export interface PlanMetrics {
  /** The measured window [from, to) as ISO date-times; `analyze` takes a Period argument instead when given. */
  period?: FlywheelMetrics['period'];
  attract: Pick<FlywheelMetrics['attract'], 'leadToMqlRate'>;
  engage: Pick<FlywheelMetrics['engage'], 'averageDealSize' | 'winRate' | 'mqlToOpportunityRate' | 'bookings'> & {
    salesCycleDays: Pick<FlywheelMetrics['engage']['salesCycleDays'], 'median'>;
  };
  delight: Pick<FlywheelMetrics['delight'], 'expansionShare'> & { retention: Pick<FlywheelMetrics['delight']['retention'], 'grr'> };
}

export type CheckStatus = 'on-track' | 'watch' | 'off-track' | 'no-data';
export type Direction = 'higher-is-better' | 'lower-is-better';

export interface AssumptionCheck {
  assumption: keyof PlanAssumptions | 'bookings';
  /** Where the actual comes from, e.g. `engage.winRate`. */
  metric: string;
  direction: Direction;
  planned: number;
  actual: number | null;
  /** actual − planned (4 decimals for rates, cents for money); null without data. */
  variance: number | null;
  /** (actual − planned) / planned, 4 decimals; null without data or when planned is 0. */
  relativeVariance: number | null;
  /** on-track within ±10 % of the plan, watch within ±25 %, off-track beyond; either side counts: the plan is wrong. */
  status: CheckStatus;
  /** Whether the deviation helps the plan (null without data or without deviation). */
  favourable: boolean | null;
  note?: string;
}

export const ON_TRACK = 0.1;
export const WATCH = 0.25;

/** Average days in a month (365.25 / 12), for windows that are not whole calendar months. */
const DAYS_PER_MONTH = 30.4375;

/** Length of a window in months: whole calendar months when both ends are midnight UTC on the 1st, else days / 30.4375. */
export function monthsIn(period: Period): number {
  const f = period.from;
  const t = period.to;
  const firstOfMonth = (d: Date) => d.getUTCDate() === 1 && d.getUTCHours() === 0 && d.getUTCMinutes() === 0 && d.getUTCSeconds() === 0 && d.getUTCMilliseconds() === 0;
  if (firstOfMonth(f) && firstOfMonth(t)) return (t.getUTCFullYear() - f.getUTCFullYear()) * 12 + (t.getUTCMonth() - f.getUTCMonth());
  return (t.getTime() - f.getTime()) / 86_400_000 / DAYS_PER_MONTH;
}

/**
 * Actuals against every assumption of the plan. Churn and expansion are per month in the plan and per window in
 * the metrics; they are scaled linearly by the window's length in months (a quarter's 3 % is 1 % a month).
 * `bookings` compares new ARR booked with the reverse funnel's bookings for the plan periods inside the window.
 */
export function analyze(plan: GrowthPlan, metrics: PlanMetrics, period?: Period): AssumptionCheck[] {
  const a = plan.assumptions;
  const window = period ?? (metrics.period ? { from: new Date(metrics.period.from), to: new Date(metrics.period.to) } : undefined);
  const months = window ? monthsIn(window) : 1;
  const perMonth = (x: number | null) => (x === null || months <= 0 ? null : x / months);
  const grr = metrics.delight.retention.grr;

  const checks: AssumptionCheck[] = [
    check('acv', 'engage.averageDealSize', 'higher-is-better', a.acv, metrics.engage.averageDealSize, 'money'),
    check('winRate', 'engage.winRate', 'higher-is-better', a.winRate, metrics.engage.winRate, 'rate'),
    check('leadToMql', 'attract.leadToMqlRate', 'higher-is-better', a.leadToMql, metrics.attract.leadToMqlRate, 'rate'),
    check('mqlToOpportunity', 'engage.mqlToOpportunityRate', 'higher-is-better', a.mqlToOpportunity, metrics.engage.mqlToOpportunityRate, 'rate'),
    check('salesCycleDays', 'engage.salesCycleDays.median', 'lower-is-better', a.salesCycleDays, metrics.engage.salesCycleDays.median, 'days'),
    check('monthlyGrossChurn', '1 − delight.retention.grr, per month', 'lower-is-better', a.monthlyGrossChurn, perMonth(grr === null ? null : 1 - grr), 'rate'),
    check('monthlyExpansion', 'delight.expansionShare, per month', 'higher-is-better', a.monthlyExpansion, perMonth(metrics.delight.expansionShare), 'rate'),
  ];
  if (window && months !== 1) {
    for (const c of checks.slice(5)) c.note = `scaled from ${round(months, 4)} months`;
  }

  // Bookings: the funnel's bookings for the plan periods that lie inside the window.
  const inside = window ? reverseFunnel(plan).filter((m) => Date.parse(`${m.from}T00:00:00Z`) >= window.from.getTime() && Date.parse(`${m.to}T00:00:00Z`) <= window.to.getTime()) : [];
  const planned = sumMoney(inside.map((m) => m.bookingsNeeded));
  const bookings = check('bookings', 'engage.bookings', 'higher-is-better', planned, inside.length > 0 ? metrics.engage.bookings : null, 'money');
  bookings.note = inside.length > 0 ? `plan periods ${inside.map((m) => m.period).join(', ')}` : 'no plan period lies inside the measured window';
  checks.push(bookings);
  return checks;
}

function check(assumption: AssumptionCheck['assumption'], metric: string, direction: Direction, planned: number, actual: number | null, unit: 'money' | 'rate' | 'days'): AssumptionCheck {
  if (actual === null || !Number.isFinite(actual)) {
    return { assumption, metric, direction, planned, actual: null, variance: null, relativeVariance: null, status: 'no-data', favourable: null };
  }
  const value = unit === 'money' ? cents(actual) : round(actual, 4);
  const diff = unit === 'money' ? cents(value - planned) : round(value - planned, 4);
  const relative = planned === 0 ? null : round(diff / planned, 4);
  const size = relative === null ? (diff === 0 ? 0 : Infinity) : Math.abs(relative);
  const status: CheckStatus = size <= ON_TRACK ? 'on-track' : size <= WATCH ? 'watch' : 'off-track';
  const favourable = diff === 0 ? null : direction === 'higher-is-better' ? diff > 0 : diff < 0;
  return { assumption, metric, direction, planned, actual: value, variance: diff, relativeVariance: relative, status, favourable };
}
