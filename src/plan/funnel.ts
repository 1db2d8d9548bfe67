import { addDays, addMonths } from '../calendar/civil.ts';
import { cents } from '../numbers.ts';
import type { FunnelMonth, GrowthPlan } from './types.ts';

/** Rounds up, ignoring float noise below 1e-9 (2 / 0.25 / 0.8 must be 10, not 11). */
export function ceilWhole(x: number): number {
  return Math.max(0, Math.ceil(x - 1e-9));
}

/**
 * The plan read backwards, one row per period: from the ARR target to the bookings, opportunities, MQLs and leads
 * that must happen, and the reps and CSMs that must be in place. Pure; the arithmetic is in docs/plan.md.
 * Each period starts from the previous period's target (the plan assumes it was met), or startingArr for the first.
 */
export function reverseFunnel(plan: GrowthPlan): FunnelMonth[] {
  const a = plan.assumptions;
  const spend = cents(plan.spend.reduce((sum, s) => sum + s.monthly, 0));
  const nrr = 1 - a.monthlyGrossChurn + a.monthlyExpansion;
  let previous = plan.startingArr;
  return plan.periods.map((p) => {
    const startingArr = previous;
    previous = p.arrTarget;
    const keptArr = cents(startingArr * nrr);
    const bookingsNeeded = cents(Math.max(0, p.arrTarget - keptArr));
    const opportunities = ceilWhole(bookingsNeeded / a.acv / a.winRate);
    const mqls = ceilWhole(opportunities / a.mqlToOpportunity);
    const leads = ceilWhole(mqls / a.leadToMql);
    const repsNeeded = ceilWhole(bookingsNeeded / a.quotaPerRepMonthly);
    const repHires = Math.max(0, repsNeeded - a.reps);
    const customers = ceilWhole(p.arrTarget / a.acv);
    const csmsNeeded = ceilWhole(customers / a.accountsPerCsm);
    return {
      period: p.id,
      from: p.from,
      to: p.to,
      startingArr,
      keptArr,
      arrTarget: p.arrTarget,
      bookingsNeeded,
      opportunities,
      mqls,
      leads,
      opportunitiesCreateBy: addDays(p.from, -a.salesCycleDays),
      repsNeeded,
      repHires,
      hireBy: repHires > 0 ? addMonths(p.from, -a.rampMonths) : null,
      customers,
      csmsNeeded,
      csmHires: Math.max(0, csmsNeeded - a.csms),
      spend,
      costPerLead: leads > 0 ? cents(spend / leads) : null,
    };
  });
}
