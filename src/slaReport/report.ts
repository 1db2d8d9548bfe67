import type { FlywheelConfig } from '../config/types.ts';
import { handoffs, HANDOFFS, type Handoff, type HeldTime, type PausedTime } from '../metrics/handoffs.ts';
import { ratio, type MetricsLedger } from '../metrics/util.ts';
import { pct } from '../planning/report.ts';
import { BREACH_CAUSES, breachesWithCauses, type Breach, type BreachCause } from './breaches.ts';
import type { ReportWeek } from './week.ts';

export interface Compliance {
  met: number;
  breached: number;
  /** met / (met + breached), null without clocks. */
  compliance: number | null;
}

/** The weekly hand-off SLA report, as written to report.json (the Markdown and HTML render this). */
export interface SlaReport {
  version: 1;
  week: ReportWeek;
  generatedAt: string;
  workflowId: string | null;
  handoffs: ({ handoff: Handoff; paused: PausedTime } & Compliance)[];
  teams: ({ handoff: Handoff; team: string | null } & Compliance)[];
  owners: ({ handoff: Handoff; team: string | null; owner: string | null } & Compliance)[];
  breaches: Breach[];
  /** Breaches per first cause. */
  causes: Record<BreachCause, number>;
  held: HeldTime;
  /** What the ledger cannot tell, said once in the report. */
  notes: string[];
}

export const NOTES = [
  'Compliance counts clocks met or breached in the week; clocks still running, paused or cancelled are in neither count.',
  'Paused time is business time excluded from the clocks resumed in the week: a paused clock neither meets nor breaches while paused.',
  'Held time is wall-clock time leads waited for an owner before their clock started (no rep could take them).',
  "out-of-office reads the reps' leave in the current config; the ledger does not record leave.",
  'Account (sales-to-cs) rows carry no team: their team is the owner’s team in the current config.',
];

const cmp = (a: string | null, b: string | null): number => (a === b ? 0 : a === null ? 1 : b === null ? -1 : a < b ? -1 : 1);

function rollUp<K extends string>(rows: { met: number; breached: number }[], keyOf: (i: number) => string, build: (i: number) => Record<K, string | null>) {
  const out = new Map<string, Record<K, string | null> & { met: number; breached: number }>();
  rows.forEach((r, i) => {
    const key = keyOf(i);
    const g = out.get(key) ?? { ...build(i), met: 0, breached: 0 };
    g.met += r.met;
    g.breached += r.breached;
    out.set(key, g);
  });
  return [...out.values()].map((g) => ({ ...g, compliance: ratio(g.met, g.met + g.breached) }));
}

/** Reads the week from the ledger: compliance from the hand-off metrics, breaches and their causes beside it. */
export async function buildSlaReport(ledger: MetricsLedger, config: FlywheelConfig, week: ReportWeek, meta: { generatedAt: string; workflowId?: string | null }): Promise<SlaReport> {
  const period = { from: new Date(week.from), to: new Date(week.to) };
  const m = await handoffs(ledger, period);
  const teamOf = (owner: string | null) => config.reps.find((r) => r.id === owner)?.team ?? null;
  // The metrics group by UTC ISO week too; a zone's week can touch two of them, so the report adds them up.
  const groups = m.sla.map((g) => ({ ...g, team: g.team ?? teamOf(g.owner) }));
  const owners = rollUp(
    groups,
    (i) => JSON.stringify([groups[i]!.handoff, groups[i]!.team, groups[i]!.owner]),
    (i) => ({ handoff: groups[i]!.handoff, team: groups[i]!.team, owner: groups[i]!.owner }),
  ).sort((a, b) => cmp(a.handoff, b.handoff) || cmp(a.team, b.team) || cmp(a.owner, b.owner)) as SlaReport['owners'];
  const teams = rollUp(
    owners,
    (i) => JSON.stringify([owners[i]!.handoff, owners[i]!.team]),
    (i) => ({ handoff: owners[i]!.handoff, team: owners[i]!.team }),
  ) as SlaReport['teams'];
  const breaches = await breachesWithCauses(ledger, config, period);
  const causes = Object.fromEntries(BREACH_CAUSES.map((c) => [c, breaches.filter((b) => b.cause === c).length])) as Record<BreachCause, number>;
  return {
    version: 1,
    week,
    generatedAt: meta.generatedAt,
    workflowId: meta.workflowId ?? null,
    handoffs: HANDOFFS.map((h) => {
      const t = teams.filter((x) => x.handoff === h).reduce((s, x) => ({ met: s.met + x.met, breached: s.breached + x.breached }), { met: 0, breached: 0 });
      return { handoff: h, ...t, compliance: m.compliance[h], paused: m.paused[h] };
    }),
    teams,
    owners,
    breaches,
    causes,
    held: m.held,
    notes: NOTES,
  };
}

/** The few figures the notice to the managers carries. */
export function slaSummary(r: SlaReport) {
  return {
    week: r.week.week,
    handoffs: Object.fromEntries(r.handoffs.map((h) => [h.handoff, { met: h.met, breached: h.breached, compliance: h.compliance }])),
    breaches: r.breaches.length,
    causes: r.causes,
    heldHours: r.held.hours,
    pausedHours: r.handoffs.reduce((s, h) => s + h.paused.hours, 0),
  };
}
export type SlaSummary = ReturnType<typeof slaSummary>;

const cell = (s: string | number | null) => (s === null ? '—' : String(s).replace(/\|/g, '\\|').replace(/\r?\n/g, ' '));
const hours = (h: number) => `${h.toFixed(2)} h`;

export function renderSlaMarkdown(r: SlaReport): string {
  const w = r.week;
  const out: string[] = [`# Hand-off SLA report ${w.week}`, ''];
  out.push(`Week ${w.week}: ${w.monday} 00:00 to the next Monday 00:00 ${w.timezone} (${w.from} to ${w.to}). Generated ${r.generatedAt}${r.workflowId ? ` by workflow \`${r.workflowId}\`` : ''}.`, '');
  out.push('## Compliance per hand-off', '');
  out.push('| Hand-off | Met | Breached | Compliance | Paused clocks | Paused time |', '| --- | ---: | ---: | ---: | ---: | ---: |');
  for (const h of r.handoffs) out.push(`| ${h.handoff} | ${h.met} | ${h.breached} | ${pct(h.compliance)} | ${h.paused.clocks} | ${hours(h.paused.hours)} |`);
  out.push('', `Held: ${r.held.leads} lead${r.held.leads === 1 ? '' : 's'} placed after waiting ${hours(r.held.hours)} in all for an owner.`, '');
  out.push('## Per team', '');
  if (r.teams.length === 0) out.push('No SLA clock was met or breached this week.', '');
  else {
    out.push('| Hand-off | Team | Met | Breached | Compliance |', '| --- | --- | ---: | ---: | ---: |');
    for (const t of r.teams) out.push(`| ${t.handoff} | ${cell(t.team)} | ${t.met} | ${t.breached} | ${pct(t.compliance)} |`);
    out.push('');
  }
  out.push('## Per owner', '');
  if (r.owners.length === 0) out.push('No SLA clock was met or breached this week.', '');
  else {
    out.push('| Hand-off | Team | Owner | Met | Breached | Compliance |', '| --- | --- | --- | ---: | ---: | ---: |');
    for (const o of r.owners) out.push(`| ${o.handoff} | ${cell(o.team)} | ${cell(o.owner)} | ${o.met} | ${o.breached} | ${pct(o.compliance)} |`);
    out.push('');
  }
  out.push('## Breaches and their causes', '');
  const counted = BREACH_CAUSES.filter((c) => r.causes[c] > 0).map((c) => `${c} ${r.causes[c]}`);
  out.push(r.breaches.length === 0 ? 'No breaches this week.' : `${r.breaches.length} breach${r.breaches.length === 1 ? '' : 'es'} by first cause: ${counted.join(', ')}.`, '');
  if (r.breaches.length > 0) {
    out.push('| Breached at | Hand-off | Record | Owner | Team | Rule | Cause | Also | Held | Paused |', '| --- | --- | --- | --- | --- | --- | --- | --- | ---: | ---: |');
    for (const b of r.breaches) {
      const record = b.leadId ? `lead ${b.leadId}` : `account ${b.accountId}`;
      const also = b.causes.filter((c) => c !== b.cause).join(', ');
      out.push(
        `| ${b.at} | ${b.handoff} | ${cell(record)} | ${cell(b.owner)} | ${cell(b.team)} | ${cell(b.rule)} | ${b.cause} | ${cell(also || null)} | ${hours(b.heldHours)} | ${hours(b.pausedHours)} |`,
      );
    }
    out.push('');
  }
  out.push('## Notes', '', ...r.notes.map((n) => `- ${n}`), '');
  return out.join('\n');
}
