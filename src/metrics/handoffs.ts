import type { Period } from './period.ts';
import { isoWeekStart, periodParams, ratio, type MetricsLedger } from './util.ts';

export const HANDOFFS = ['marketing-to-sales', 'sales-to-cs'] as const;
export type Handoff = (typeof HANDOFFS)[number];

/** SLA outcomes of one hand-off, ISO week, team and owner. */
export interface SlaGroup {
  handoff: Handoff;
  /** Monday (UTC) of the ISO week in which the clock was met or breached, YYYY-MM-DD. */
  week: string;
  team: string | null;
  owner: string | null;
  met: number;
  breached: number;
  /** met / (met + breached). */
  compliance: number | null;
}

/** Hand-offs: are the marketing -> sales and sales -> CS hand-offs on time and complete? docs/metrics.md#hand-offs */
export interface HandoffMetrics {
  /** Every group with at least one sla.met or sla.breached in the period, ordered by hand-off, week, team, owner. */
  sla: SlaGroup[];
  /** met / (met + breached) per hand-off over the whole period. */
  compliance: Record<Handoff, number | null>;
  /** Accounts with a handoff.incomplete in the period. */
  incompleteHandoffs: number;
  /** Accounts handed off (handoff.recorded) in the period that also had a handoff.incomplete in it, over accounts handed off. */
  incompleteRate: number | null;
}

// A lead row is the marketing -> sales first-touch clock; an account row without a lead is the CS kickoff clock.
const SLA_SQL = `
SELECT CASE WHEN lead_id IS NOT NULL THEN 'marketing-to-sales' ELSE 'sales-to-cs' END AS handoff,
       occurred_at, team, owner, type = 'sla.met' AS met
FROM ledger_events
WHERE type IN ('sla.met', 'sla.breached') AND (lead_id IS NOT NULL OR account_id IS NOT NULL)
  AND occurred_at >= $1::timestamptz AND occurred_at < $2::timestamptz`;

const INCOMPLETE_SQL = `
WITH recorded AS (
  SELECT DISTINCT account_id FROM ledger_events WHERE type = 'handoff.recorded' AND account_id IS NOT NULL
    AND occurred_at >= $1::timestamptz AND occurred_at < $2::timestamptz
), incomplete AS (
  SELECT DISTINCT account_id FROM ledger_events WHERE type = 'handoff.incomplete' AND account_id IS NOT NULL
    AND occurred_at >= $1::timestamptz AND occurred_at < $2::timestamptz
)
SELECT (SELECT count(*) FROM incomplete) AS incomplete, (SELECT count(*) FROM recorded) AS recorded,
       (SELECT count(*) FROM recorded JOIN incomplete USING (account_id)) AS recorded_incomplete`;

const cmp = (a: string | null, b: string | null): number => (a === b ? 0 : a === null ? 1 : b === null ? -1 : a < b ? -1 : 1);

export async function handoffs(ledger: MetricsLedger, period: Period): Promise<HandoffMetrics> {
  const rows = await ledger.query<{ handoff: Handoff; occurred_at: Date; team: string | null; owner: string | null; met: boolean }>(SLA_SQL, periodParams(period));
  const groups = new Map<string, SlaGroup>();
  const totals: Record<Handoff, { met: number; breached: number }> = { 'marketing-to-sales': { met: 0, breached: 0 }, 'sales-to-cs': { met: 0, breached: 0 } };
  for (const r of rows) {
    const week = isoWeekStart(r.occurred_at);
    const key = JSON.stringify([r.handoff, week, r.team, r.owner]);
    let g = groups.get(key);
    if (!g) groups.set(key, (g = { handoff: r.handoff, week, team: r.team, owner: r.owner, met: 0, breached: 0, compliance: null }));
    if (r.met) g.met++;
    else g.breached++;
    if (r.met) totals[r.handoff].met++;
    else totals[r.handoff].breached++;
  }
  const sla = [...groups.values()]
    .map((g) => ({ ...g, compliance: ratio(g.met, g.met + g.breached) }))
    .sort((a, b) => cmp(a.handoff, b.handoff) || cmp(a.week, b.week) || cmp(a.team, b.team) || cmp(a.owner, b.owner));
  const [inc] = await ledger.query<{ incomplete: number; recorded: number; recorded_incomplete: number }>(INCOMPLETE_SQL, periodParams(period));
  const c = (h: Handoff) => ratio(totals[h].met, totals[h].met + totals[h].breached);
  return {
    sla,
    compliance: { 'marketing-to-sales': c('marketing-to-sales'), 'sales-to-cs': c('sales-to-cs') },
    incompleteHandoffs: inc?.incomplete ?? 0,
    incompleteRate: ratio(inc?.recorded_incomplete ?? 0, inc?.recorded ?? 0),
  };
}
