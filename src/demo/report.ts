import type { FlywheelConfig } from '../config/types.ts';
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
const REQUIRED: readonly (readonly [keyof Outcomes, string])[] = [
  ['routed', 'no lead was routed to sales'],
  ['met', 'no SLA was met'],
  ['breached', 'no SLA breached'],
  ['reassigned', 'no lead was reassigned'],
  ['won', 'no deal was won'],
];

export function missingOutcomes(o: Outcomes): string[] {
  return REQUIRED.filter(([k]) => Number(o[k]) <= 0).map(([, why]) => why);
}

/** Visibility queries worth trying in the Web UI or with `temporal workflow list --query`. */
export function demoQueries(config: FlywheelConfig): { label: string; query: string }[] {
  const managers = config.queues?.find((q) => q.id === 'sales-overflow')?.members ?? [];
  return [
    { label: 'breached, still with sales', query: 'FlywheelStage="Engage" AND SlaStatus="breached"' },
    { label: 'first touch within the SLA', query: 'FlywheelStage="Engage" AND SlaStatus="met"' },
    { label: 'won, handed to customer success', query: 'FlywheelStage="Delight"' },
    { label: 'tier A leads', query: 'IcpTier="A"' },
    ...(managers.length > 0 ? [{ label: 'overflowed to a sales manager', query: `Owner IN (${managers.map((m) => `"${m}"`).join(', ')})` }] : []),
    { label: 'disqualified', query: 'FlywheelStage="Closed"' },
  ];
}

const uiList = (c: ReportContext, query?: string) =>
  `${c.stack.urls.ui}/namespaces/${encodeURIComponent(c.stack.namespace)}/workflows${query ? `?query=${encodeURIComponent(query)}` : ''}`;

export function reportJson(c: ReportContext): Record<string, unknown> {
  const { medianTimeToFirstTouchMs, medianTimeToFirstMeetingMs, ...counts } = c.run.outcomes;
  const missing = missingOutcomes(c.run.outcomes);
  return {
    ok: missing.length === 0,
    missing,
    seed: c.seed,
    leads: c.leads,
    minutes: c.minutes,
    counts: { sent: c.run.leadsSent, ...counts },
    medians: { timeToFirstTouchMs: medianTimeToFirstTouchMs, timeToFirstMeetingMs: medianTimeToFirstMeetingMs },
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
    ['routed to sales', o.routed, o.unassigned > 0 ? `${o.unassigned} placement(s) found every queue at capacity` : ''],
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
  const lines = [
    '',
    `Flywheel demo summary: seed ${c.seed}, ${n(c.leads)} leads over ${c.minutes} min`,
    `  stack up in ${secs(t.stackMs)}, events sent for ${secs(t.sendingMs)}, then ${secs(t.settleMs)} until ${c.run.settled ? 'every SLA clock had resolved' : `the wait ended with ${o.running} SLA clock(s) still running`}`,
    '',
    ...rows.map(([label, value, note]) => `  ${label.padEnd(18)}${n(value).padStart(7)}${note ? `   ${note}` : ''}`),
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
    `    temporal workflow count --address ${addr} --query 'FlywheelStage="Delight"'`,
  );
  const ex = c.run.examples;
  const lead = ex.reassigned ?? ex.won ?? ex.ignored;
  if (lead) {
    lines.push(
      '  Flywheel CLI',
      `    TEMPORAL_ADDRESS=${addr} npx flywheel lead show ${lead}${ex.reassigned ? '      # reassigned after a breach' : ''}`,
      `    FLYWHEEL_CONFIG=${c.configFile} npx flywheel ledger events --lead ${lead}`,
    );
  }
  lines.push('');
  return lines;
}
