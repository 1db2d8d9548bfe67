import type { FunnelMonth } from '../plan/types.ts';
import type { CarriedComments } from '../../workflows/planning/types.ts';

/** One audit recommendation as the report shows it (augment step). */
export interface ReportRecommendation {
  title: string;
  detail?: string;
  /** e.g. high, medium, low. */
  severity?: string;
  area?: string;
}

/** One plan assumption against the actuals (analyze step). */
export interface ReportCheck {
  name: string;
  label?: string;
  planned: number | null;
  actual: number | null;
  /** (actual − planned) / planned, null when it cannot be computed. */
  variance: number | null;
  /** e.g. on-track, watch, off-track, no-data. */
  status: string;
  note?: string;
}

/** Everything a cycle publishes: report.json is exactly this; the Markdown and HTML pages render it. */
export interface PlanningReport {
  version: 1;
  cycle: string;
  workflowId: string;
  generatedAt: string;
  plan: { name: string; file: string; currency: string };
  period: { id: string; from: string; to: string; measuredFrom: string; measuredTo: string };
  /** The previous cycle's change request, to be addressed by this one. */
  carried: CarriedComments | null;
  adjust: {
    arrTarget: number;
    actualArr: number;
    /** arrTarget − actualArr. */
    gap: number;
    /** actualArr / arrTarget. */
    attainment: number | null;
    accounts: number;
    /** The plan as written: reverse funnel from its starting ARR. */
    funnel: FunnelMonth[];
    /** Re-forecast: the remaining periods' funnel starting from the actual ARR. */
    reforecast: FunnelMonth[];
  };
  augment: { recommendations: ReportRecommendation[] };
  analyze: {
    checks: ReportCheck[];
    retention: { nrr: number | null; grr: number | null };
    /** The full metrics for the window, as computed (JSON). */
    metrics: unknown;
  };
  approval: { approvers: string[]; escalateTo: string[]; deadline: string };
}

const grouping = new Intl.NumberFormat('en-US', { maximumFractionDigits: 0 });
export const money = (n: number, currency: string) => `${currency} ${grouping.format(Math.round(n))}`;
export const count = (n: number) => grouping.format(n);
export const pct = (x: number | null, digits = 1) => (x === null || !Number.isFinite(x) ? 'n/a' : `${(x * 100).toFixed(digits)}%`);
export const signedPct = (x: number | null) => (x === null || !Number.isFinite(x) ? 'n/a' : `${x > 0 ? '+' : ''}${(x * 100).toFixed(1)}%`);
const num = (x: number | null) => (x === null ? 'n/a' : Math.abs(x) < 1 ? String(Number(x.toFixed(4))) : grouping.format(x));

/** The funnel month the report leads with: the first re-forecast period (what is needed next), else the plan's. */
export function headlineFunnel(r: PlanningReport): FunnelMonth | undefined {
  return r.adjust.reforecast[0] ?? r.adjust.funnel.find((m) => m.period === r.period.id) ?? r.adjust.funnel[0];
}

const cell = (s: string) => s.replace(/\|/g, '\\|').replace(/\r?\n/g, ' ');

export function renderMarkdown(r: PlanningReport): string {
  const c = r.plan.currency;
  const a = r.adjust;
  const out: string[] = [];
  out.push(`# Growth plan review ${r.cycle}: ${r.plan.name}`, '');
  out.push(
    `Period **${r.period.id}** (${r.period.from} to ${r.period.to}), actuals measured ${r.period.measuredFrom} to ${r.period.measuredTo}. Generated ${r.generatedAt} by workflow \`${r.workflowId}\`.`,
    '',
  );
  if (r.carried) {
    out.push('## Changes requested last cycle', '');
    out.push(`${r.carried.by} asked in cycle ${r.carried.cycle} (${r.carried.at}):`, '');
    out.push(...r.carried.comments.split(/\r?\n/).map((l) => `> ${l}`), '');
  }
  out.push('## 1. Adjust: plan vs actual ARR', '');
  out.push('| | Value |', '| --- | ---: |');
  out.push(`| ARR target (${r.period.id}) | ${money(a.arrTarget, c)} |`);
  out.push(`| Actual ARR (${a.accounts} accounts) | ${money(a.actualArr, c)} |`);
  out.push(`| Gap | ${money(a.gap, c)} |`);
  out.push(`| Attainment | ${pct(a.attainment)} |`, '');
  if (a.reforecast.length > 0) {
    out.push('### Re-forecast from actual ARR', '');
    out.push('| Period | ARR target | Bookings needed | Opportunities | MQLs | Leads | Opps by | Reps needed | Rep hires | CSM hires |');
    out.push('| --- | ---: | ---: | ---: | ---: | ---: | --- | ---: | ---: | ---: |');
    for (const m of a.reforecast) {
      out.push(
        `| ${m.period} | ${money(m.arrTarget, c)} | ${money(m.bookingsNeeded, c)} | ${count(m.opportunities)} | ${count(m.mqls)} | ${count(m.leads)} | ${m.opportunitiesCreateBy} | ${m.repsNeeded} | ${m.repHires} | ${m.csmHires} |`,
      );
    }
    out.push('');
  }
  out.push('## 2. Augment: recommendations', '');
  if (r.augment.recommendations.length === 0) out.push('No recommendations: the audit found nothing to change.', '');
  for (const rec of r.augment.recommendations) {
    const tags = [rec.severity, rec.area].filter(Boolean).join(', ');
    out.push(`- **${rec.title}**${tags ? ` (${tags})` : ''}${rec.detail ? `: ${rec.detail}` : ''}`);
  }
  if (r.augment.recommendations.length > 0) out.push('');
  out.push('## 3. Analyze: assumptions vs actuals', '');
  if (r.analyze.checks.length > 0) {
    out.push('| Assumption | Planned | Actual | Variance | Status |', '| --- | ---: | ---: | ---: | --- |');
    for (const k of r.analyze.checks) out.push(`| ${cell(k.label ?? k.name)} | ${num(k.planned)} | ${num(k.actual)} | ${signedPct(k.variance)} | ${cell(k.status)} |`);
    out.push('');
  } else out.push('No assumption could be checked against actuals.', '');
  out.push(`Net revenue retention ${pct(r.analyze.retention.nrr)}, gross revenue retention ${pct(r.analyze.retention.grr)}.`, '');
  out.push('## 4. Align: decision', '');
  out.push(`Approvers: ${r.approval.approvers.join(', ')}. Decide within ${r.approval.deadline} (then ${r.approval.escalateTo.join(', ') || 'nobody'} is asked):`, '');
  out.push('```', `flywheel plan approve ${r.cycle} --by <approver>`, `flywheel plan approve ${r.cycle} --by <approver> --request-changes --comments "..."`, '```', '');
  return out.join('\n');
}
