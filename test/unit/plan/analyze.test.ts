import { describe, expect, it } from 'vitest';
import { analyze, monthsIn, type PlanMetrics } from '../../../src/plan/analyze.ts';
import type { FlywheelMetrics } from '../../../src/metrics/flywheel.ts';
import { parsePeriod } from '../../../src/metrics/period.ts';
import { smallPlan } from './fixtures.ts';

function metrics(over: { grr?: number | null; expansionShare?: number | null; bookings?: number } = {}): PlanMetrics {
  return {
    attract: { leadToMqlRate: null },
    engage: { averageDealSize: 21_000, winRate: 0.2, mqlToOpportunityRate: 0.52, salesCycleDays: { median: 60 }, bookings: over.bookings ?? 52_000 },
    delight: { retention: { grr: over.grr === undefined ? 0.98 : over.grr }, expansionShare: over.expansionShare === undefined ? 0.004 : over.expansionShare },
  };
}

// A whole FlywheelMetrics report is a PlanMetrics (checked by the type checker).
const fromReport = (m: FlywheelMetrics): PlanMetrics => m;
void fromReport;

const JAN = parsePeriod('2027-01-01', '2027-02-01');
const Q1 = parsePeriod('2027-01-01', '2027-04-01');

describe('analyze', () => {
  it('compares one month of actuals with every assumption (small plan, hand-computed)', () => {
    const checks = analyze(smallPlan(), metrics(), JAN);
    const row = (a: string) => checks.find((c) => c.assumption === a);
    expect(checks.map((c) => c.assumption)).toEqual(['acv', 'winRate', 'leadToMql', 'mqlToOpportunity', 'salesCycleDays', 'monthlyGrossChurn', 'monthlyExpansion', 'bookings']);
    // 21,000 vs 20,000: +1,000 = +5 % -> on-track, better than planned.
    expect(row('acv')).toEqual({
      assumption: 'acv',
      metric: 'engage.averageDealSize',
      direction: 'higher-is-better',
      planned: 20_000,
      actual: 21_000,
      variance: 1_000,
      relativeVariance: 0.05,
      status: 'on-track',
      favourable: true,
    });
    // 0.20 vs 0.25: −0.05 = −20 % -> watch.
    expect(row('winRate')).toMatchObject({ actual: 0.2, variance: -0.05, relativeVariance: -0.2, status: 'watch', favourable: false });
    expect(row('leadToMql')).toEqual({
      assumption: 'leadToMql',
      metric: 'attract.leadToMqlRate',
      direction: 'higher-is-better',
      planned: 0.2,
      actual: null,
      variance: null,
      relativeVariance: null,
      status: 'no-data',
      favourable: null,
    });
    // 0.52 vs 0.40: +0.12 = +30 % -> off-track although favourable: the plan under-estimates it.
    expect(row('mqlToOpportunity')).toMatchObject({ variance: 0.12, relativeVariance: 0.3, status: 'off-track', favourable: true });
    // 60 days vs 45: +15 = +33.33 % -> off-track; longer is worse.
    expect(row('salesCycleDays')).toMatchObject({ direction: 'lower-is-better', actual: 60, variance: 15, relativeVariance: 0.3333, status: 'off-track', favourable: false });
    // GRR 0.98 over one month: churn 1 − 0.98 = 0.02, exactly the plan.
    expect(row('monthlyGrossChurn')).toMatchObject({ direction: 'lower-is-better', actual: 0.02, variance: 0, relativeVariance: 0, status: 'on-track', favourable: null });
    // expansion 0.004 vs 0.005: −20 % -> watch.
    expect(row('monthlyExpansion')).toMatchObject({ actual: 0.004, variance: -0.001, relativeVariance: -0.2, status: 'watch', favourable: false });
    // January needs 65,000 of bookings (funnel.test.ts); 52,000 is −13,000 = −20 %.
    expect(row('bookings')).toMatchObject({ planned: 65_000, actual: 52_000, variance: -13_000, relativeVariance: -0.2, status: 'watch', favourable: false, note: 'plan periods 2027-01' });
  });

  it('scales a quarter to months and sums the bookings of the periods inside it', () => {
    const checks = analyze(smallPlan(), metrics({ grr: 0.94, expansionShare: 0.03, bookings: 120_000 }), Q1);
    const row = (a: string) => checks.find((c) => c.assumption === a);
    // (1 − 0.94) / 3 months = 0.02 a month; 0.03 / 3 = 0.01 a month vs 0.005 planned: +100 %.
    expect(row('monthlyGrossChurn')).toMatchObject({ actual: 0.02, status: 'on-track', note: 'scaled from 3 months' });
    expect(row('monthlyExpansion')).toMatchObject({ actual: 0.01, relativeVariance: 1, status: 'off-track', favourable: true, note: 'scaled from 3 months' });
    // 65,000 + 65,750 + 0 = 130,750 planned; 120,000 is −10,750 = −8.22 %.
    expect(row('bookings')).toMatchObject({ planned: 130_750, actual: 120_000, variance: -10_750, relativeVariance: -0.0822, status: 'on-track', note: 'plan periods 2027-01, 2027-02, 2027-03' });
  });

  it('takes the window from the metrics when not given, and says when no plan period fits it', () => {
    const m: PlanMetrics = { ...metrics(), period: { from: '2027-01-01T00:00:00.000Z', to: '2027-01-16T00:00:00.000Z' } };
    const checks = analyze(smallPlan(), m);
    // 15 days = 15 / 30.4375 = 0.4928 months: churn 0.02 / 0.4928 = 0.0406 a month (+103 %).
    expect(checks.find((c) => c.assumption === 'monthlyGrossChurn')).toMatchObject({ actual: 0.0406, status: 'off-track', favourable: false, note: 'scaled from 0.4928 months' });
    expect(checks.find((c) => c.assumption === 'bookings')).toMatchObject({ planned: 0, actual: null, status: 'no-data', note: 'no plan period lies inside the measured window' });
  });

  it('handles missing retention and a planned value of zero', () => {
    const plan = smallPlan();
    plan.assumptions.monthlyExpansion = 0;
    expect(analyze(plan, metrics({ grr: null, expansionShare: 0 }), JAN).slice(5, 7)).toMatchObject([
      { assumption: 'monthlyGrossChurn', status: 'no-data', actual: null },
      { assumption: 'monthlyExpansion', planned: 0, actual: 0, variance: 0, relativeVariance: null, status: 'on-track', favourable: null },
    ]);
    expect(analyze(plan, metrics({ expansionShare: 0.01 }), JAN)[6]).toMatchObject({ variance: 0.01, relativeVariance: null, status: 'off-track', favourable: true });
  });
});

describe('monthsIn', () => {
  it('counts calendar months between firsts of months, else days / 30.4375', () => {
    expect(monthsIn(JAN)).toBe(1);
    expect(monthsIn(Q1)).toBe(3);
    expect(monthsIn(parsePeriod('2026-12-01', '2028-01-01'))).toBe(13);
    expect(monthsIn(parsePeriod('2027-01-01', '2027-01-31'))).toBeCloseTo(30 / 30.4375, 10);
  });
});
