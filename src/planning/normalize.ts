import type { AssumptionCheck } from '../plan/analyze.ts';
import type { Recommendation } from '../plan/audit.ts';
import type { ReportCheck, ReportRecommendation } from './report.ts';

const LABELS: Record<string, string> = {
  acv: 'Average contract value',
  winRate: 'Win rate',
  leadToMql: 'Lead to MQL',
  mqlToOpportunity: 'MQL to opportunity',
  salesCycleDays: 'Sales cycle (days)',
  monthlyGrossChurn: 'Monthly gross churn',
  monthlyExpansion: 'Monthly expansion',
  bookings: 'New ARR booked',
};

/** analyze()'s checks as the report shows them: the relative variance is what the chart plots. */
export function toReportChecks(checks: readonly AssumptionCheck[]): ReportCheck[] {
  return checks.map((c) => ({
    name: c.assumption,
    label: LABELS[c.assumption] ?? c.assumption,
    planned: c.planned,
    actual: c.actual,
    variance: c.relativeVariance,
    status: c.status,
    ...(c.note ? { note: c.note } : {}),
  }));
}

/** audit()'s recommendations as the report lists them: what to change, then what the ledger shows. */
export function toReportRecommendations(recs: readonly Recommendation[]): ReportRecommendation[] {
  return recs.map((r) => ({ title: r.recommendation, detail: r.finding, severity: r.severity, area: r.area }));
}
