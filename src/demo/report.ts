import { leadWorkflowTypes } from '../../workflows/definitions.ts';
import type { FlywheelConfig } from '../config/types.ts';
import type { Delight } from './delight.ts';
import type { DemoRun } from './run.ts';
import type { Outcomes } from './summary.ts';

export interface ReportContext {
  run: DemoRun;
  seed: number;
  leads: number;
  minutes: number;
  config: FlywheelConfig;
  /** As the operator would type it, e.g. demo/config/flywheel.yaml. */
  configFile: string;
  stack: { urls: { temporal: string; ui?: string; api: string }; namespace: string; temporalPid?: number };
  timings: { stackMs: number; totalMs: number };
}

/** What a demo must show for `--exit` to succeed, in the words of the failure message. */
const REQUIRED: readonly (readonly [(o: Outcomes, d: Delight) => number, string])[] = [
  [(o) => o.routed, 'no lead was routed to sales'],
  [(o) => o.met, 'no SLA was met'],
  [(o) => o.breached, 'no SLA breached'],
  [(o) => o.reassigned, 'no lead was reassigned'],
  [(o) => o.won, 'no deal was won'],
  [(_, d) => d.customers, 'no customer was onboarded'],
  [(_, d) => d.renewals.count, 'no customer renewed'],
  [(_, d) => d.churns.count, 'no customer churned'],
  [(_, d) => d.referrals.leads, 'no referral became a lead'],
];

export function missingOutcomes(run: Pick<DemoRun, 'outcomes' | 'delight'>): string[] {
  return REQUIRED.filter(([count]) => count(run.outcomes, run.delight) <= 0).map(([, why]) => why);
}

/** Visibility queries worth trying in the Web UI or with `temporal workflow list --query`. */
export function demoQueries(config: FlywheelConfig): { label: string; query: string }[] {
  const managers = config.queues?.find((q) => q.id === 'sales-overflow')?.members ?? [];
  return [
    { label: 'breached, still with sales', query: 'FlywheelStage="Engage" AND SlaStatus="breached"' },
    { label: 'first touch within the SLA', query: 'FlywheelStage="Engage" AND SlaStatus="met"' },
    { label: 'tier A leads', query: 'IcpTier="A"' },
    ...(managers.length > 0 ? [{ label: 'overflowed to a sales manager', query: `Owner IN (${managers.map((m) => `"${m}"`).join(', ')})` }] : []),
    { label: 'disqualified', query: `WorkflowType IN (${leadWorkflowTypes.map((t) => `"${t}"`).join(', ')}) AND FlywheelStage="Closed"` },
    { label: 'customers (account workflows)', query: 'WorkflowType="accountLifecycle" AND FlywheelStage="Delight"' },
    { label: 'customers in red health', query: 'WorkflowType="accountLifecycle" AND HealthStatus="red"' },
    { label: 'churned customers', query: 'WorkflowType="accountLifecycle" AND FlywheelStage="Closed"' },
  ];
}

const uiList = (c: ReportContext, query?: string) => `${c.stack.urls.ui}/namespaces/${encodeURIComponent(c.stack.namespace)}/workflows${query ? `?query=${encodeURIComponent(query)}` : ''}`;

export function reportJson(c: ReportContext): Record<string, unknown> {
  const { medianTimeToFirstTouchMs, medianTimeToFirstMeetingMs, ...counts } = c.run.outcomes;
  const missing = missingOutcomes(c.run);
  return {
    ok: missing.length === 0,
    missing,
    seed: c.seed,
    leads: c.leads,
    minutes: c.minutes,
    counts: { sent: c.run.leadsSent, referralsSent: c.run.referralsSent, ...counts },
    medians: { timeToFirstTouchMs: medianTimeToFirstTouchMs, timeToFirstMeetingMs: medianTimeToFirstMeetingMs },
    delight: c.run.delight,
    delivery: c.run.delivery,
    settled: c.run.settled,
    problems: c.run.problems,
    examples: c.run.examples,
    timings: { ...c.timings, ...c.run.timings },
    urls: c.stack.urls,
    namespace: c.stack.namespace,
    temporalPid: c.stack.temporalPid ?? null,
    queries: demoQueries(c.config).map((q) => ({ ...q, url: c.stack.urls.ui ? uiList(c, q.query) : null })),
  };
}

const n = (v: number) => v.toLocaleString('en-US');
const secs = (ms: number | null) => (ms === null ? 'n/a' : `${(ms / 1000).toFixed(1)} s`);

export function reportLines(c: ReportContext, opts: { keepsRunning: boolean }): string[] {
  const o = c.run.outcomes;
  const d = c.run.delivery;
  const currency = c.config.organisation.currency ?? 'EUR';
  const rows: [string, number, string][] = [
    ['leads sent', c.run.leadsSent, `${n(d.events)} CRM events accepted by the API`],
    ['routed to sales', o.routed, o.unassigned > 0 ? `${o.unassigned} placement(s) found nobody available and held the lead` : ''],
    ['SLA met', o.met, `median time to first touch ${secs(o.medianTimeToFirstTouchMs)}`],
    ['SLA warned', o.warned, ''],
    ['SLA breached', o.breached, `${o.escalated} escalation(s) sent`],
    ['reassigned', o.reassigned, o.overflow > 0 ? `${o.overflow} of them to the overflow queue` : ''],
    ['meetings', o.meetings, `median time to first meeting ${secs(o.medianTimeToFirstMeetingMs)}`],
    ['opportunities', o.opportunities, ''],
    ['won', o.won, `${currency} ${n(o.wonArr)} ARR handed to customer success`],
    ['lost', o.lost, o.recycled > 0 ? `${o.recycled} back with sales after the recycling cooldown` : ''],
    ['disqualified', o.disqualified, ''],
    ['nurture', o.nurture, ''],
    ['blocked by data', o.blocked, ''],
  ];
  const t = { ...c.timings, ...c.run.timings };
  const running = o.running + c.run.delight.kickoff.running;
  const row = ([label, value, note]: [string, number, string]) => `  ${label.padEnd(18)}${n(value).padStart(7)}${note ? `   ${note}` : ''}`;
  const lines = [
    '',
    `Flywheel demo summary: seed ${c.seed}, ${n(c.leads)} leads over ${c.minutes} min`,
    `  stack up in ${secs(t.stackMs)}, events sent for ${secs(t.sendingMs)}, then ${secs(t.settleMs)} until ${c.run.settled ? 'every SLA clock had resolved' : `the wait ended with ${running} SLA clock(s) still running`}`,
    '',
    ...rows.map(row),
    '',
    '  Delight: won deals become customers',
    ...delightRows(c.run.delight, currency).map(row),
    ...retentionLines(c.run.delight, currency),
    '',
    `  The CRM redelivered ${d.redelivered} event(s) with the same id (${d.acknowledgedDuplicates} answered "duplicate", each applied once) and sent`,
    `  ${d.outOfOrder} touch(es) before their lead.created (held until the lead existed). The workflows ignored ${o.ignored} event(s):`,
    '  stale touches, touches by a rep who no longer owned the lead, touches before the hand-off.',
  ];
  if (d.retries > 0 || d.rejected > 0) lines.push(`  ${d.retries} request(s) retried after a 503, ${d.rejected} refused.`);
  for (const p of c.run.problems) lines.push(`  problem: ${p}`);

  lines.push('', opts.keepsRunning ? 'Explore while it runs (Ctrl-C stops everything):' : 'Run without --exit to keep the stack up and explore:');
  if (c.stack.urls.ui) {
    lines.push(`  Temporal Web UI  ${uiList(c)}`);
    for (const q of demoQueries(c.config)) lines.push(`    ${q.label.padEnd(32)}${uiList(c, q.query)}`);
  }
  const addr = c.stack.urls.temporal;
  lines.push(
    '  Temporal CLI',
    `    temporal workflow list --address ${addr} --query 'FlywheelStage="Engage" AND SlaStatus="breached"'`,
    `    temporal workflow count --address ${addr} --query 'WorkflowType="accountLifecycle" AND FlywheelStage="Delight"'`,
  );
  const ex = c.run.examples;
  const lead = ex.reassigned ?? ex.won ?? ex.ignored;
  if (lead || ex.account) lines.push('  Flywheel CLI');
  if (lead) {
    lines.push(
      `    TEMPORAL_ADDRESS=${addr} npx flywheel lead show ${lead}${ex.reassigned ? '      # reassigned after a breach' : ''}`,
      `    FLYWHEEL_CONFIG=${c.configFile} npx flywheel ledger events --lead ${lead}`,
    );
  }
  if (ex.account) lines.push(`    TEMPORAL_ADDRESS=${addr} npx flywheel account show ${ex.account}      # a customer: owner, kickoff, health, renewal, referrals`);
  lines.push('');
  return lines;
}

const signed = (v: number) => `${v >= 0 ? '+' : '-'}${n(Math.abs(v))}`;
const pct = (x: number | null) => (x === null ? 'n/a' : `${(x * 100).toFixed(1)} %`);

function delightRows(d: Delight, currency: string): [string, number, string][] {
  const k = d.kickoff;
  const r = d.referrals;
  return [
    ['customers', d.customers, d.handoffsIncomplete > 0 ? `${d.handoffsIncomplete} hand-off(s) missing context the hand-off rules require` : ''],
    ['kickoff SLA met', k.met, `median time to kickoff ${secs(k.medianTimeToKickoffMs)}; ${k.warned} warned`],
    [
      'kickoff breached',
      k.breached,
      k.breached === 0 ? '' : `${k.escalated} escalation(s), each customer passed on${k.breachedAfterWindow ? `; ${k.breachedAfterWindow} after the CRM stopped sending (won at the very end)` : ''}`,
    ],
    ['health: red', d.health.red, `latest band per customer: ${d.health.green} green, ${d.health.yellow} yellow; ${d.playbooks} playbook(s) started`],
    ['renewal reminders', d.renewalReminders, d.renewalsOverdue > 0 ? `${d.renewalsOverdue} contract(s) ended undecided (overdue): the CRM stopped sending before they decided` : ''],
    [
      'renewed',
      d.renewals.count,
      d.renewals.count === 0
        ? ''
        : d.renewals.up + d.renewals.down === 0
          ? 'all at the same ARR'
          : `${currency} ${signed(d.renewals.arr)} ARR (${d.renewals.up} at a higher ARR, ${d.renewals.down} lower)`,
    ],
    ['expanded', d.expansions.count, d.expansions.count > 0 ? `${currency} ${signed(d.expansions.arr)} ARR mid-contract` : ''],
    ['contracted', d.contractions.count, d.contractions.count > 0 ? `${currency} ${signed(-d.contractions.arr)} ARR at renewal` : ''],
    ['churned', d.churns.count, d.churns.count > 0 ? `${currency} ${signed(-d.churns.arr)} ARR` : ''],
    ['referrals', r.submitted, `${r.leads} became lead(s) for sales, ${r.won} won; ${currency} ${n(r.creditedArr)} ARR credited to the referrer(s)`],
  ];
}

/** Says which customers and which period, since a demo's NRR is not a year's. */
function retentionLines(d: Delight, currency: string): string[] {
  const m = d.retention;
  if (!m) return [];
  if (m.cohortAccounts === 0) return [`  ${'NRR / GRR'.padEnd(18)}${'n/a'.padStart(7)}   no customer was won in the first half of the window`];
  const at = (iso: string) => iso.slice(11, 19);
  return [
    `  ${'NRR / GRR'.padEnd(18)}${`${pct(m.nrr)} / ${pct(m.grr)}`.padStart(7)}`,
    `    of the ${m.cohortAccounts} customers won in the first half of the window (${currency} ${n(m.startingArr)} ARR at ${at(m.from)} UTC),`,
    `    from then to the end of the run at ${at(m.to)} UTC: ${currency} ${n(m.endingArr)} ARR at the end, ${m.churnedAccounts} churned`,
  ];
}
