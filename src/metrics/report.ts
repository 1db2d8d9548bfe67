import type { FlywheelMetrics } from './flywheel.ts';
import { HANDOFFS } from './handoffs.ts';

const NA = 'n/a';
const pct = (x: number | null): string => (x === null ? NA : `${(x * 100).toFixed(1)}%`);
const money = (x: number | null): string => (x === null ? NA : x.toLocaleString('en-US', { minimumFractionDigits: 2, maximumFractionDigits: 2 }));
const num = (x: number | null): string => (x === null ? NA : String(x));
const line = (label: string, value: string): string => `  ${label.padEnd(26)} ${value}`;
const list = (entries: [string, string][]): string => (entries.length === 0 ? 'none' : entries.map(([k, v]) => `${k} ${v}`).join(', '));

/** The metrics as a plain-text report, one section per flywheel stage, for `flywheel metrics`. */
export function formatMetricsReport(m: FlywheelMetrics): string[] {
  const { attract: a, engage: e, delight: d, handoffs: h, friction: f, feedback: fb } = m;
  const r = d.retention;
  const out = [`Flywheel metrics  ${m.period.from} to ${m.period.to} (end excluded)`, ''];
  out.push(
    'Attract',
    line('leads', String(a.leads)),
    line('MQLs', String(a.mqls)),
    line('lead -> MQL', pct(a.leadToMqlRate)),
    line('qualified pipeline', money(a.qualifiedPipeline)),
    line('pipeline by source', list(Object.entries(a.pipelineBySource).map(([k, v]) => [k, money(v)]))),
  );
  if (Object.keys(a.costPerPipelineDollar).length > 0) {
    out.push(line('cost per pipeline dollar', list(Object.entries(a.costPerPipelineDollar).map(([k, v]) => [k, num(v)]))));
  }
  out.push(line('marketing-sourced bookings', pct(a.marketingSourcedShare)), line('ICP match (inbound)', pct(a.icpMatchRate)), '');
  out.push(
    'Engage',
    line('opportunities', String(e.opportunities)),
    line('MQL -> opportunity', pct(e.mqlToOpportunityRate)),
    line('lead -> opportunity', pct(e.leadToOpportunityRate)),
    line('won / lost', `${e.won} / ${e.lost}`),
    line('win rate', pct(e.winRate)),
    line('win rate by tier', list(Object.entries(e.winRateByTier).map(([k, v]) => [k, pct(v)]))),
    line('bookings (won ARR)', money(e.bookings)),
    line('average deal size (ACV)', money(e.averageDealSize)),
    line('sales cycle (days)', `median ${num(e.salesCycleDays.median)}, mean ${num(e.salesCycleDays.mean)}`),
    line('time to first meeting (h)', `median ${num(e.timeToFirstMeetingHours.median)}`),
    '',
  );
  out.push(
    'Delight',
    line('customers', String(d.customers)),
    line('NRR / GRR', `${pct(r.nrr)} / ${pct(r.grr)}`),
    line('starting -> ending ARR', `${money(r.startingArr)} -> ${money(r.endingArr)} (${r.cohortAccounts} accounts)`),
    line('expansion', `${money(r.expansion)} (${pct(d.expansionShare)} of starting ARR)`),
    line('contraction / churn', `${money(r.contraction)} / ${money(r.churn)}`),
    line('churn rate (accounts)', `${pct(d.churnRate)} (${r.churnedAccounts} of ${r.cohortAccounts})`),
    line('new business ARR', money(r.newBusiness)),
    line('health', `green ${d.healthDistribution.green}, yellow ${d.healthDistribution.yellow}, red ${d.healthDistribution.red}`),
    '',
  );
  out.push(
    'Hand-offs',
    line('SLA marketing -> sales', pct(h.compliance['marketing-to-sales'])),
    line('SLA sales -> CS', pct(h.compliance['sales-to-cs'])),
    line('incomplete hand-offs', `${h.incompleteHandoffs} (${pct(h.incompleteRate)} of hand-offs)`),
    line('paused (business h)', list(HANDOFFS.map((k) => [k, `${num(h.paused[k].hours)} (${h.paused[k].clocks} clocks)`]))),
    line('held before routing', `${h.held.leads} leads, ${num(h.held.hours)} h`),
  );
  if (h.sla.length > 0) {
    out.push('  by week, team, owner:');
    for (const g of h.sla) {
      out.push(`    ${g.handoff.padEnd(19)} ${g.week}  ${(g.team ?? '-').padEnd(12)} ${(g.owner ?? '-').padEnd(16)} met ${g.met}, breached ${g.breached}, ${pct(g.compliance)}`);
    }
  }
  out.push('', 'Friction');
  const dwell = Object.entries(f.dwellHours);
  out.push(line('median dwell (h)', list(dwell.map(([stage, s]) => [stage, `${num(s.median)} (n=${s.n})`]))), line('stalled leads (> 14 days)', String(f.stalledLeads)));
  out.push(line('churn started at', list(f.churnStartsAt.map((c) => [c.signal, String(c.accounts)]))), '');
  out.push(
    'Feedback',
    line('GRR by tier', list(Object.entries(fb.retentionByTier).map(([k, v]) => [k, `${pct(v.grr)} (${v.accounts})`]))),
    line('win rate by source', list(Object.entries(fb.winRateBySource).map(([k, v]) => [k, `${pct(v.winRate)} (${v.won}/${v.won + v.lost})`]))),
  );
  return out;
}
