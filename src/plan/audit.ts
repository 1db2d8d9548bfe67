import path from 'node:path';
import type { FlywheelConfig } from '../config/types.ts';
import type { Ledger } from '../ledger/types.ts';
import { checkPeriod, type Period } from '../metrics/period.ts';
import type { RulesEngine } from '../rules/engine.ts';
import type { Kind } from '../rules/kinds.ts';

export type AuditArea = 'rules' | 'sla' | 'data-quality' | 'routing' | 'handoff';
export type AuditSeverity = 'info' | 'warning' | 'critical';

export interface Recommendation {
  area: AuditArea;
  severity: AuditSeverity;
  /** What the ledger shows, with the numbers. */
  finding: string;
  /** What to change: the rule, file, queue or rep. */
  recommendation: string;
}

/** The part of a RulesEngine the audit reads; a RulesCache is accepted too (its current engine is used). */
export type AuditRules = Pick<RulesEngine, 'kinds' | 'set'> | { get(): Pick<RulesEngine, 'kinds' | 'set'> };

/** Thresholds; exported so docs and tests name the same numbers. */
export const AUDIT_THRESHOLDS = {
  /** A rule that never matched is a warning from this many decisions of its kind on; fewer is weak evidence (info). */
  neverMatchedEvidence: 20,
  /** SLA breach rate of a hand-off: warning above, critical above. */
  slaWarning: 0.1,
  slaCritical: 0.25,
  /** An owner or team is a hotspot with at least this many breaches and a rate at least `hotspotFactor` × everyone else's. */
  hotspotMinBreaches: 3,
  hotspotFactor: 2,
  /** Share of data-quality decisions that block the hand-off. */
  dqWarning: 0.05,
  dqCritical: 0.15,
  /** Routing: a queue needs this many assignments before shares mean anything; deviation from the weight share in points. */
  routingMinAssignments: 10,
  routingWarning: 0.1,
  routingCritical: 0.25,
  /** Share of hand-offs to CS that were incomplete. */
  handoffWarning: 0.05,
  handoffCritical: 0.2,
} as const;

const pct = (x: number) => `${(Math.round(x * 1000) / 10).toFixed(1)} %`;
const IN_PERIOD = `occurred_at >= $1::timestamptz AND occurred_at < $2::timestamptz`;
const SEVERITY_ORDER: Record<AuditSeverity, number> = { critical: 0, warning: 1, info: 2 };

/**
 * The infrastructure audit for one period, from the ledger and the rules: rules that never matched, SLA breach
 * hotspots, the data-quality failure rate, routing imbalance against queue weights and incomplete hand-offs.
 * Most severe first. The thresholds are AUDIT_THRESHOLDS; docs/plan.md explains each check.
 */
export async function audit(ledger: Pick<Ledger, 'query'>, period: Period, rules: AuditRules, config: FlywheelConfig): Promise<Recommendation[]> {
  const { from, to } = checkPeriod(period);
  const params = [from.toISOString(), to.toISOString()];
  const q = <T>(sql: string) => ledger.query<T>(sql, params);
  const engine = 'get' in rules ? rules.get() : rules;
  const out = [...(await neverMatched(q, engine)), ...(await slaHotspots(q, config)), ...(await dataQuality(q)), ...(await routingImbalance(q, config)), ...(await incompleteHandoffs(q))];
  return out.sort((a, b) => SEVERITY_ORDER[a.severity] - SEVERITY_ORDER[b.severity]);
}

type Query = <T>(sql: string) => Promise<T[]>;

function rel(file: string): string {
  const r = path.relative(process.cwd(), file);
  return r && !r.startsWith('..') ? r : file;
}

async function neverMatched(q: Query, engine: Pick<RulesEngine, 'kinds' | 'set'>): Promise<Recommendation[]> {
  // Decisions per kind and matches per rule. Every kind is on the ledger as decision.recorded rows; a period from
  // before routing decisions were recorded falls back to the assignment rows, which carry the winning rule.
  const recorded = await q<{ kind: string; n: number }>(`
    SELECT data->>'kind' AS kind, count(*) AS n FROM ledger_events WHERE type = 'decision.recorded' AND ${IN_PERIOD} GROUP BY 1`);
  const legacyRouting = !recorded.some((d) => d.kind === 'routing');
  const decisions = legacyRouting
    ? [
        ...recorded,
        ...(await q<{ kind: string; n: number }>(`
    SELECT 'routing' AS kind, count(*) AS n FROM ledger_events WHERE type IN ('lead.assigned', 'lead.reassigned') AND data ? 'rule' AND ${IN_PERIOD} HAVING count(*) > 0`)),
      ]
    : recorded;
  const matches = await q<{ kind: string; rule: string; n: number }>(`
    SELECT data->>'kind' AS kind, m AS rule, count(*) AS n
    FROM ledger_events, jsonb_array_elements_text(CASE WHEN jsonb_typeof(data->'matched') = 'array' THEN data->'matched' ELSE '[]'::jsonb END) AS m
    WHERE type = 'decision.recorded' AND ${IN_PERIOD} GROUP BY 1, 2
    ${
      legacyRouting
        ? `UNION ALL
    SELECT 'routing', data->>'rule', count(*) FROM ledger_events
    WHERE type IN ('lead.assigned', 'lead.reassigned') AND data->>'rule' IS NOT NULL AND ${IN_PERIOD} GROUP BY 2`
        : ''
    }`);
  const total = new Map(decisions.map((d) => [d.kind, d.n]));
  const hit = new Set(matches.map((m) => `${m.kind}\u0000${m.rule}`));
  const out: Recommendation[] = [];
  const unseen: string[] = [];
  for (const kind of engine.kinds() as Kind[]) {
    const n = total.get(kind) ?? 0;
    if (n === 0) {
      unseen.push(kind);
      continue;
    }
    const set = engine.set(kind);
    for (const rule of set.rules) {
      if (hit.has(`${kind}\u0000${rule.id}`)) continue;
      out.push({
        area: 'rules',
        severity: n >= AUDIT_THRESHOLDS.neverMatchedEvidence ? 'warning' : 'info',
        finding: `${kind} rule ${rule.id} never matched in ${n} ${kind} decisions`,
        recommendation: `Review the condition of ${rule.id} in ${rel(set.file)}:${rule.line} (an earlier rule may shadow it, or a fact it reads is never set); remove the rule if its case no longer occurs.`,
      });
    }
  }
  if (unseen.length > 0) {
    out.push({
      area: 'rules',
      severity: 'info',
      finding: `no decisions recorded in the period for ${unseen.join(', ')}`,
      recommendation: 'These rule sets could not be audited from the ledger; check them with `flywheel rules test`.',
    });
  }
  return out;
}

interface SlaRow {
  handoff: string;
  owner: string | null;
  started: number;
  breached: number;
  top_rule: string | null;
}

async function slaHotspots(q: Query, config: FlywheelConfig): Promise<Recommendation[]> {
  // Lead rows are the marketing-to-sales first touch, account rows (no lead) the sales-to-CS kickoff.
  // A breach names its breacher in data.owner; a clock's owner is the row's owner.
  const rows = await q<SlaRow>(`
    WITH clocks AS (
      SELECT CASE WHEN lead_id IS NOT NULL THEN 'marketing-to-sales' ELSE 'sales-to-cs' END AS handoff,
             CASE WHEN type = 'sla.breached' THEN coalesce(data->>'owner', owner) ELSE owner END AS owner,
             type, data->>'rule' AS rule
      FROM ledger_events WHERE type IN ('sla.started', 'sla.breached') AND ${IN_PERIOD}
    ), rules AS (
      SELECT DISTINCT ON (handoff, owner) handoff, owner, rule
      FROM (SELECT handoff, owner, rule, count(*) AS n FROM clocks WHERE type = 'sla.breached' AND rule IS NOT NULL GROUP BY 1, 2, 3) r
      ORDER BY handoff, owner, n DESC, rule
    )
    SELECT c.handoff, c.owner, count(*) FILTER (WHERE c.type = 'sla.started') AS started,
           count(*) FILTER (WHERE c.type = 'sla.breached') AS breached, min(r.rule) AS top_rule
    FROM clocks c LEFT JOIN rules r ON r.handoff = c.handoff AND r.owner IS NOT DISTINCT FROM c.owner
    GROUP BY 1, 2 ORDER BY 1, 2`);
  const reps = new Map(config.reps.map((r) => [r.id, r]));
  const out: Recommendation[] = [];
  const T = AUDIT_THRESHOLDS;
  for (const handoff of ['marketing-to-sales', 'sales-to-cs']) {
    const group = rows.filter((r) => r.handoff === handoff);
    const started = group.reduce((s, r) => s + r.started, 0);
    const breached = group.reduce((s, r) => s + r.breached, 0);
    if (breached === 0) continue;
    const rate = breached / Math.max(started, breached);
    const file = 'rules/sla.yaml';
    if (rate > T.slaWarning) {
      out.push({
        area: 'sla',
        severity: rate > T.slaCritical ? 'critical' : 'warning',
        finding: `${handoff}: ${breached} of ${started} SLA clocks breached (${pct(rate)})`,
        recommendation:
          handoff === 'marketing-to-sales'
            ? `Check the first-touch targets in ${file} against the sales team's capacity in config/flywheel.yaml; add reps to the busiest queue or lengthen the target for lower tiers.`
            : `Check the kickoff targets in ${file} against the CS team's capacity (cs-onboarding members in config/flywheel.yaml); add a CSM or lengthen the target.`,
      });
    }
    // Hotspots: owners, then teams, whose breach rate is far above everyone else's in the same hand-off.
    const hotspot = (label: string, who: string, s: number, b: number, change: string, topRule: string | null) => {
      const otherStarted = started - s;
      const otherBreached = breached - b;
      if (otherStarted === 0 && otherBreached === 0) return; // nobody else to compare with: the rate finding covers it
      const own = b / Math.max(s, b);
      const others = otherStarted > 0 ? otherBreached / Math.max(otherStarted, otherBreached) : 0;
      if (b < T.hotspotMinBreaches || own < T.hotspotFactor * others || own === 0) return;
      out.push({
        area: 'sla',
        severity: own > 0.5 ? 'critical' : 'warning',
        finding: `${handoff}: ${label} ${who} breached ${b} of ${s} SLA clocks (${pct(own)}) against ${pct(others)} for everyone else${topRule ? `; most breached rule ${topRule}` : ''}`,
        recommendation: change,
      });
    };
    const teams = new Map<string, { s: number; b: number; owners: Set<string> }>();
    for (const r of group) {
      const rep = r.owner ? reps.get(r.owner) : undefined;
      const change = rep
        ? `Lower ${rep.id}'s weight (${rep.weight ?? 1}) or capacity (${rep.capacity ?? 'unset'}) in config/flywheel.yaml reps, check their out-of-office dates, or reassign their open ${handoff === 'marketing-to-sales' ? 'leads' : 'accounts'}.`
        : r.owner
          ? `Owner ${r.owner} is not in config/flywheel.yaml reps: add them or route their records elsewhere.`
          : `Unowned (pool) records breach: shorten the pool's claim window or route to a weighted queue in ${file}.`;
      hotspot(r.owner ? 'rep' : 'owner', r.owner ?? '(unassigned)', r.started, r.breached, change, r.top_rule);
      const team = rep?.team;
      if (!team) continue;
      const t = teams.get(team) ?? { s: 0, b: 0, owners: new Set<string>() };
      t.s += r.started;
      t.b += r.breached;
      t.owners.add(rep.id);
      teams.set(team, t);
    }
    if (teams.size > 1) {
      for (const [team, t] of teams) {
        if (t.owners.size < 2) continue; // a one-person team is the rep finding again
        hotspot('team', team, t.s, t.b, `Team ${team} breaches most: rebalance the queues it serves in config/flywheel.yaml (weights, overflow) or give it its own target in ${file}.`, null);
      }
    }
  }
  return out;
}

async function dataQuality(q: Query): Promise<Recommendation[]> {
  const [totals] = await q<{ total: number; blocking: number }>(`
    SELECT count(*) AS total, count(*) FILTER (WHERE data->'outcome'->>'blocking' = 'true') AS blocking
    FROM ledger_events WHERE type = 'decision.recorded' AND data->>'kind' = 'data-quality' AND ${IN_PERIOD}`);
  if (!totals || totals.total === 0 || totals.blocking === 0) return [];
  const issues = await q<{ rule: string; field: string; n: number }>(`
    SELECT i->>'rule' AS rule, i->>'field' AS field, count(*) AS n
    FROM ledger_events, jsonb_array_elements(CASE WHEN jsonb_typeof(data->'outcome'->'issues') = 'array' THEN data->'outcome'->'issues' ELSE '[]'::jsonb END) AS i
    WHERE type = 'decision.recorded' AND data->>'kind' = 'data-quality' AND data->'outcome'->>'blocking' = 'true'
      AND i->>'severity' = 'block' AND ${IN_PERIOD}
    GROUP BY 1, 2 ORDER BY 3 DESC, 1 LIMIT 3`);
  const sources = await q<{ source: string; n: number }>(`
    SELECT coalesce(data->>'source', 'unknown') AS source, count(*) AS n FROM ledger_events
    WHERE type = 'decision.recorded' AND data->>'kind' = 'data-quality' AND data->'outcome'->>'blocking' = 'true' AND ${IN_PERIOD}
    GROUP BY 1 ORDER BY 2 DESC, 1 LIMIT 1`);
  const rate = totals.blocking / totals.total;
  const T = AUDIT_THRESHOLDS;
  const top = issues.map((i) => `${i.rule} (${i.field}, ${i.n})`).join(', ');
  const first = issues[0];
  const source = sources[0];
  return [
    {
      area: 'data-quality',
      severity: rate > T.dqCritical ? 'critical' : rate > T.dqWarning ? 'warning' : 'info',
      finding: `${totals.blocking} of ${totals.total} leads blocked by data quality (${pct(rate)})${top ? `; top blocking rules: ${top}` : ''}${source ? `; most from source ${source.source} (${source.n})` : ''}`,
      recommendation: first
        ? `Make ${first.field} a required field on the ${source?.source ?? 'lead'} form or enrichment step so ${first.rule} in rules/data-quality.yaml stops blocking; if sales can work without it, change that rule's severity to warn.`
        : 'Review the blocking rules in rules/data-quality.yaml.',
    },
  ];
}

async function routingImbalance(q: Query, config: FlywheelConfig): Promise<Recommendation[]> {
  const rows = await q<{ queue: string; owner: string | null; n: number }>(`
    SELECT data->>'queue' AS queue, owner, count(*) AS n FROM ledger_events
    WHERE type = 'lead.assigned' AND data->>'queue' IS NOT NULL AND ${IN_PERIOD} GROUP BY 1, 2`);
  const reps = new Map(config.reps.map((r) => [r.id, r]));
  const T = AUDIT_THRESHOLDS;
  const out: Recommendation[] = [];
  for (const queue of config.queues ?? []) {
    if (queue.strategy === 'pool') continue; // first come, first served: no share is expected
    const members = (queue.members ?? []).filter((m) => reps.get(m)?.active !== false);
    const inQueue = rows.filter((r) => r.queue === queue.id && r.owner !== null);
    const total = inQueue.reduce((s, r) => s + r.n, 0);
    if (members.length < 2 || total < T.routingMinAssignments) continue;
    const weight = (id: string) => reps.get(id)?.weight ?? 1;
    const sum = members.reduce((s, m) => s + weight(m), 0);
    const shares = members.map((m) => {
      const got = inQueue.find((r) => r.owner === m)?.n ?? 0;
      return { rep: m, got, actual: got / total, expected: weight(m) / sum };
    });
    const worst = shares.reduce((a, b) => (Math.abs(b.actual - b.expected) > Math.abs(a.actual - a.expected) ? b : a));
    const deviation = Math.abs(worst.actual - worst.expected);
    if (deviation < T.routingWarning) continue;
    const under = shares.filter((s) => s.expected - s.actual >= T.routingWarning).map((s) => s.rep);
    const over = shares.filter((s) => s.actual - s.expected >= T.routingWarning).map((s) => s.rep);
    const detail = shares.map((s) => `${s.rep} ${s.got} (${pct(s.actual)} vs ${pct(s.expected)} by weight ${weight(s.rep)})`).join(', ');
    const strangers = inQueue.filter((r) => !members.includes(r.owner!)).reduce((s, r) => s + r.n, 0);
    out.push({
      area: 'routing',
      severity: deviation >= T.routingCritical ? 'critical' : 'warning',
      finding: `queue ${queue.id}: ${total} assignments, ${detail}${strangers ? `; ${strangers} to reps outside the queue` : ''}`,
      recommendation:
        `In config/flywheel.yaml, check ${under.length ? `${under.join(', ')} (under-assigned: out of office, capacity reached or inactive?)` : 'the queue members'}` +
        `${over.length ? ` and ${over.join(', ')} (over-assigned)` : ''}; if the split is intended, set the weights of queue ${queue.id}'s members to match it.`,
    });
  }
  return out;
}

async function incompleteHandoffs(q: Query): Promise<Recommendation[]> {
  const [totals] = await q<{ handed: number; incomplete: number }>(`
    SELECT count(DISTINCT account_id) FILTER (WHERE type IN ('handoff.recorded', 'handoff.incomplete')) AS handed,
           count(DISTINCT account_id) FILTER (WHERE type = 'handoff.incomplete') AS incomplete
    FROM ledger_events WHERE type IN ('handoff.recorded', 'handoff.incomplete') AND account_id IS NOT NULL AND ${IN_PERIOD}`);
  if (!totals || totals.incomplete === 0) return [];
  const fields = await q<{ field: string; rule: string | null; n: number }>(`
    SELECT f AS field, min(data->'rules'->>f) AS rule, count(*) AS n
    FROM ledger_events, jsonb_array_elements_text(CASE WHEN jsonb_typeof(data->'missing') = 'array' THEN data->'missing' ELSE '[]'::jsonb END) AS f
    WHERE type = 'handoff.incomplete' AND ${IN_PERIOD} GROUP BY 1 ORDER BY 3 DESC, 1 LIMIT 3`);
  const rate = totals.incomplete / totals.handed;
  const T = AUDIT_THRESHOLDS;
  const first = fields[0];
  return [
    {
      area: 'handoff',
      severity: rate > T.handoffCritical ? 'critical' : rate > T.handoffWarning ? 'warning' : 'info',
      finding: `${totals.incomplete} of ${totals.handed} hand-offs to customer success incomplete (${pct(rate)}); most missing: ${fields.map((f) => `${f.field} (${f.n})`).join(', ')}`,
      recommendation: first
        ? `Make ${first.field} mandatory in the CRM before an opportunity can be Closed Won (it is required by ${first.rule ?? 'a rule'} in rules/handoff.yaml), or drop it from that rule if CS can start without it.`
        : 'Review the required fields in rules/handoff.yaml.',
    },
  ];
}
