import type { FunnelMonth, GrowthPlan } from './types.ts';

const whole = (n: number) => Math.round(n).toLocaleString('en-US');
const money = (n: number) => (Number.isInteger(n) ? whole(n) : n.toLocaleString('en-US', { minimumFractionDigits: 2, maximumFractionDigits: 2 }));
const share = (x: number) => `${Math.round(x * 1000) / 10} %`;

/** Left-aligned first column, right-aligned numbers, two spaces between columns. */
export function table(header: readonly string[], rows: readonly (readonly string[])[]): string[] {
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => (r[i] ?? '').length)));
  const line = (cells: readonly string[]) =>
    cells
      .map((c, i) => (i === 0 ? c.padEnd(widths[i]!) : c.padStart(widths[i]!)))
      .join('  ')
      .trimEnd();
  return [line(header), widths.map((w) => '-'.repeat(w)).join('  '), ...rows.map(line)];
}

/** The plan and its reverse funnel as text lines, for `flywheel plan show`. */
export function renderPlan(plan: GrowthPlan, funnel: readonly FunnelMonth[]): string[] {
  const a = plan.assumptions;
  const last = plan.periods[plan.periods.length - 1];
  const out = [
    `${plan.name} (${plan.currency})`,
    `ARR ${money(plan.startingArr)} -> ${last ? `${money(last.arrTarget)} by ${last.to} (exclusive)` : '(no periods)'}`,
    `cadence ${plan.cadence.schedule} ${plan.cadence.timezone}; approvers ${plan.approval.approvers.join(', ')} within ${plan.approval.deadline}, then ${plan.approval.escalateTo.join(', ')}`,
    `assumptions: ACV ${money(a.acv)}, win rate ${share(a.winRate)}, lead->MQL ${share(a.leadToMql)}, MQL->opportunity ${share(a.mqlToOpportunity)}, ` +
      `sales cycle ${a.salesCycleDays} d, gross churn ${share(a.monthlyGrossChurn)}/month, expansion ${share(a.monthlyExpansion)}/month`,
    `capacity: ${a.reps} ramped reps at ${money(a.quotaPerRepMonthly)}/month (ramp ${a.rampMonths} months), ${a.csms} CSMs at ${a.accountsPerCsm} accounts`,
    `spend per month: ${plan.spend.map((s) => `${s.channel} ${money(s.monthly)}`).join(', ') || 'none'}`,
    '',
  ];
  const header = ['period', 'start ARR', 'kept', 'target', 'bookings', 'opps', 'opps by', 'MQLs', 'leads', 'reps', 'hires', 'hire by', 'customers', 'CSMs', 'cost/lead'];
  const rows = funnel.map((m) => [
    m.period,
    money(m.startingArr),
    money(m.keptArr),
    money(m.arrTarget),
    money(m.bookingsNeeded),
    whole(m.opportunities),
    m.opportunitiesCreateBy,
    whole(m.mqls),
    whole(m.leads),
    whole(m.repsNeeded),
    whole(m.repHires),
    m.hireBy ?? '-',
    whole(m.customers),
    `${m.csmsNeeded}${m.csmHires ? ` (+${m.csmHires})` : ''}`,
    m.costPerLead === null ? '-' : m.costPerLead.toLocaleString('en-US', { minimumFractionDigits: 2, maximumFractionDigits: 2 }),
  ]);
  return [...out, ...table(header, rows)];
}
