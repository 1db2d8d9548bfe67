import { MS_PER_DAY, MS_PER_HOUR } from '../calendar/civil.ts';
import type { Period } from './period.ts';
import { median, periodParams, round2, sortedRecord, type MetricsLedger } from './util.ts';

/** A lead whose last stage change is older than this before `to` (and is still open) is stalled. */
export const STALLED_AFTER_DAYS = 14;
/** Stages a lead is done in: never stalled. */
export const SETTLED_STAGES: readonly string[] = ['Closed', 'Delight'];
/** The signal of a churned account with no warning before its churn. */
export const NO_SIGNAL = 'none';

/** Friction: where do leads wait, and what did churn look like before it happened? docs/metrics.md#friction */
export interface FrictionMetrics {
  /** Per stage left: hours between a lead's stage.changed into it and its next stage.changed, when that next one is in the period. */
  dwellHours: Record<string, { median: number | null; n: number }>;
  /** Leads whose latest stage.changed before `to` is more than 14 days before `to` and not Closed or Delight. */
  stalledLeads: number;
  /** Accounts that churned in the period, by their earliest warning before the churn; most accounts first. */
  churnStartsAt: { signal: string; accounts: number }[];
}

const STAGES_SQL = `
SELECT lead_id, coalesce(stage, 'unknown') AS stage, occurred_at FROM ledger_events
WHERE type = 'stage.changed' AND lead_id IS NOT NULL AND occurred_at < $1::timestamptz
ORDER BY lead_id, occurred_at, id`;

// For each account whose first churn in the period is at c.at: its earliest warning row strictly before c.at.
const CHURN_SIGNALS_SQL = `
WITH churns AS (
  SELECT account_id, min(occurred_at) AS at FROM ledger_events
  WHERE type = 'arr.changed' AND data->>'kind' = 'churn' AND account_id IS NOT NULL
    AND occurred_at >= $1::timestamptz AND occurred_at < $2::timestamptz
  GROUP BY account_id
), signals AS (
  SELECT e.account_id, e.occurred_at, e.id,
         CASE WHEN e.type = 'health.scored' AND e.data->>'band' = 'red' THEN 'health:red'
              WHEN e.type = 'health.scored' AND e.data->>'band' = 'yellow' THEN 'health:yellow'
              WHEN e.type = 'renewal.overdue' THEN 'renewal.overdue'
              WHEN e.type = 'arr.changed' AND e.data->>'kind' = 'contraction' THEN 'contraction'
              WHEN e.type = 'sla.breached' AND e.lead_id IS NULL THEN 'kickoff-breached'
              WHEN e.type = 'handoff.incomplete' THEN 'handoff-incomplete' END AS signal
  FROM ledger_events e JOIN churns c ON c.account_id = e.account_id AND e.occurred_at < c.at
  WHERE e.type IN ('health.scored', 'renewal.overdue', 'arr.changed', 'sla.breached', 'handoff.incomplete')
)
SELECT DISTINCT ON (c.account_id) c.account_id, coalesce(s.signal, '${NO_SIGNAL}') AS signal
FROM churns c LEFT JOIN signals s ON s.account_id = c.account_id AND s.signal IS NOT NULL
ORDER BY c.account_id, s.occurred_at, s.id`;

export async function friction(ledger: MetricsLedger, period: Period): Promise<FrictionMetrics> {
  const rows = await ledger.query<{ lead_id: string; stage: string; occurred_at: Date }>(STAGES_SQL, [period.to.toISOString()]);
  const dwell = new Map<string, number[]>();
  const last = new Map<string, { stage: string; at: number }>();
  for (const r of rows) {
    const at = r.occurred_at.getTime();
    const prev = last.get(r.lead_id);
    if (prev && at >= period.from.getTime()) {
      const hours = dwell.get(prev.stage) ?? [];
      hours.push((at - prev.at) / MS_PER_HOUR);
      dwell.set(prev.stage, hours);
    }
    last.set(r.lead_id, { stage: r.stage, at });
  }
  const stalledBefore = period.to.getTime() - STALLED_AFTER_DAYS * MS_PER_DAY;
  const stalledLeads = [...last.values()].filter((l) => l.at < stalledBefore && !SETTLED_STAGES.includes(l.stage)).length;
  const churns = await ledger.query<{ account_id: string; signal: string }>(CHURN_SIGNALS_SQL, periodParams(period));
  const bySignal = new Map<string, number>();
  for (const c of churns) bySignal.set(c.signal, (bySignal.get(c.signal) ?? 0) + 1);
  return {
    dwellHours: sortedRecord([...dwell].map(([stage, hours]) => [stage, { median: round2(median(hours)), n: hours.length }])),
    stalledLeads,
    churnStartsAt: [...bySignal].map(([signal, accounts]) => ({ signal, accounts })).sort((a, b) => b.accounts - a.accounts || (a.signal < b.signal ? -1 : a.signal > b.signal ? 1 : 0)),
  };
}
