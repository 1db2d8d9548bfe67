import { MS_PER_HOUR } from '../calendar/civil.ts';
import type { Period } from './period.ts';
import { isoWeekStart, periodParams, ratio, round, type MetricsLedger } from './util.ts';

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

/** Business hours excluded from the SLA clocks of one hand-off by pauses. */
export interface PausedTime {
  /** Distinct clocks (record and clock number) with at least one resume in the period. */
  clocks: number;
  hours: number;
}

/** Time leads waited without an owner because nobody could take them (marketing -> sales routing). */
export interface HeldTime {
  leads: number;
  hours: number;
}

/** Hand-offs: are the marketing -> sales and sales -> CS hand-offs on time and complete? docs/metrics.md#hand-offs */
export interface HandoffMetrics {
  /** Every group with at least one sla.met or sla.breached in the period, ordered by hand-off, week, team, owner. */
  sla: SlaGroup[];
  /**
   * met / (met + breached) per hand-off over the whole period. A paused clock's deadline moved by its paused
   * business time, so paused time is counted out of compliance: it neither breaches nor meets a clock.
   */
  compliance: Record<Handoff, number | null>;
  /** Clocks resumed in the period (sla.resumed with data.pausedMs) and the business hours they were paused. */
  paused: Record<Handoff, PausedTime>;
  /** Leads placed in the period after being held (lead.assigned / lead.reassigned with data.heldMs), and the hours (wall clock) they waited. */
  held: HeldTime;
  /** Accounts with a handoff.incomplete in the period. */
  incompleteHandoffs: number;
  /** Accounts handed off (handoff.recorded) in the period that also had a handoff.incomplete in it, over accounts handed off. */
  incompleteRate: number | null;
}

// A lead row is the marketing -> sales first-touch clock; an account row without a lead is the CS kickoff clock.
export const HANDOFF_OF_ROW = `CASE WHEN lead_id IS NOT NULL THEN 'marketing-to-sales' ELSE 'sales-to-cs' END`;

// A clock an import started from a hand-off made before Flywheel (lead.imported data.importedClock) is no sample.
const SLA_SQL = `
SELECT ${HANDOFF_OF_ROW} AS handoff,
       occurred_at, team, owner, type = 'sla.met' AS met
FROM ledger_events e
WHERE type IN ('sla.met', 'sla.breached') AND (lead_id IS NOT NULL OR account_id IS NOT NULL)
  AND occurred_at >= $1::timestamptz AND occurred_at < $2::timestamptz
  AND NOT EXISTS (SELECT 1 FROM ledger_events i WHERE i.type = 'lead.imported' AND i.lead_id = e.lead_id
                  AND i.data->>'importedClock' = substring(e.event_key from ':sla:([0-9]+):'))`;

// Each resume carries the business ms since its pause; a clock paused twice is one clock with both pauses' time.
// The clock is the record plus the clock number of its key (src/sla/clockKeys.ts: <entity>:<id>:sla:<clock>:resumed:<n>).
const PAUSED_SQL = `
SELECT coalesce(data->>'handoff', ${HANDOFF_OF_ROW}) AS handoff,
       count(DISTINCT concat_ws(':', lead_id, account_id, substring(event_key from ':sla:([0-9]+):resumed:'))) AS clocks,
       sum((data->>'pausedMs')::numeric) AS ms
FROM ledger_events
WHERE type = 'sla.resumed' AND jsonb_typeof(data->'pausedMs') = 'number' AND (lead_id IS NOT NULL OR account_id IS NOT NULL)
  AND occurred_at >= $1::timestamptz AND occurred_at < $2::timestamptz
GROUP BY 1`;

const HELD_SQL = `
SELECT count(DISTINCT lead_id) AS leads, coalesce(sum((data->>'heldMs')::numeric), 0) AS ms
FROM ledger_events
WHERE type IN ('lead.assigned', 'lead.reassigned') AND lead_id IS NOT NULL AND jsonb_typeof(data->'heldMs') = 'number'
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
  const pausedRows = await ledger.query<{ handoff: Handoff; clocks: number | string; ms: number | string }>(PAUSED_SQL, periodParams(period));
  const paused = (h: Handoff): PausedTime => {
    const r = pausedRows.find((x) => x.handoff === h);
    return { clocks: Number(r?.clocks ?? 0), hours: round(Number(r?.ms ?? 0) / MS_PER_HOUR, 2) };
  };
  const [held] = await ledger.query<{ leads: number | string; ms: number | string }>(HELD_SQL, periodParams(period));
  return {
    sla,
    compliance: { 'marketing-to-sales': c('marketing-to-sales'), 'sales-to-cs': c('sales-to-cs') },
    paused: { 'marketing-to-sales': paused('marketing-to-sales'), 'sales-to-cs': paused('sales-to-cs') },
    held: { leads: Number(held?.leads ?? 0), hours: round(Number(held?.ms ?? 0) / MS_PER_HOUR, 2) },
    incompleteHandoffs: inc?.incomplete ?? 0,
    incompleteRate: ratio(inc?.recorded_incomplete ?? 0, inc?.recorded ?? 0),
  };
}
