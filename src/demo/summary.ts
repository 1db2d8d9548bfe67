import type { Ledger } from '../ledger/types.ts';

/**
 * Every ledger query the demo runs about leads, in one place (delight.ts has those about customers): the progress
 * line, the summary and the sales team's view of new SLA clocks all read what the workflows wrote, never the
 * simulator's own bookkeeping. The demo starts on an empty ledger, so the queries need no run filter.
 *
 * Kickoff clocks of customers share the sla.* types with first-touch clocks; they belong to an account and no
 * lead, so every SLA number here counts only rows with a lead_id.
 */

export interface Outcomes {
  /** Leads the rules have evaluated at least once. */
  evaluated: number;
  routed: number;
  disqualified: number;
  nurture: number;
  /** Stopped by data quality (or missing fields the hand-off needs). */
  blocked: number;
  clocks: number;
  met: number;
  warned: number;
  breached: number;
  escalated: number;
  /** Moved on after a breach: to another rep of the queue, or to the overflow queue. */
  reassigned: number;
  /** Of those, moved to the overflow queue after the last allowed reassignment. */
  overflow: number;
  /** Back with sales after a lost deal's cooldown. */
  recycled: number;
  /** Placements that found nobody (every queue at capacity). */
  unassigned: number;
  meetings: number;
  opportunities: number;
  won: number;
  wonArr: number;
  lost: number;
  handoffs: number;
  ignored: number;
  /** First-touch clocks still running (leads that went back to nurture after a lost deal aside). */
  running: number;
  medianTimeToFirstTouchMs: number | null;
  medianTimeToFirstMeetingMs: number | null;
}

// The latest qualification and data-quality decision per lead says where a lead that never reached sales stands.
const FUNNEL_SQL = `
WITH latest AS (
  SELECT DISTINCT ON (lead_id, data->>'kind') lead_id, data->>'kind' AS kind, data->'outcome' AS outcome
  FROM ledger_events
  WHERE type = 'decision.recorded' AND data->>'kind' IN ('qualification', 'data-quality')
  ORDER BY lead_id, data->>'kind', id DESC
), leads AS (
  SELECT lead_id,
         coalesce(bool_or(kind = 'qualification' AND outcome->>'status' = 'nurture'), false) AS nurture,
         coalesce(bool_or(kind = 'data-quality' AND outcome->>'blocking' = 'true'), false) AS blocking
  FROM latest GROUP BY lead_id
), routed AS (
  SELECT DISTINCT lead_id FROM ledger_events WHERE type = 'lead.assigned'
), dq AS (
  SELECT DISTINCT lead_id FROM ledger_events WHERE type = 'stage.changed' AND data->>'status' = 'disqualified'
)
SELECT count(*) AS evaluated,
       count(r.lead_id) AS routed,
       count(d.lead_id) AS disqualified,
       count(*) FILTER (WHERE r.lead_id IS NULL AND d.lead_id IS NULL AND l.nurture AND NOT l.blocking) AS nurture,
       count(*) FILTER (WHERE r.lead_id IS NULL AND d.lead_id IS NULL AND NOT (l.nurture AND NOT l.blocking)) AS blocked
FROM leads l LEFT JOIN routed r USING (lead_id) LEFT JOIN dq d USING (lead_id)`;

const EVENTS_SQL = `
SELECT count(*) FILTER (WHERE type = 'sla.started' AND lead_id IS NOT NULL) AS clocks,
       count(*) FILTER (WHERE type = 'sla.met' AND lead_id IS NOT NULL) AS met,
       count(*) FILTER (WHERE type = 'sla.warned' AND lead_id IS NOT NULL) AS warned,
       count(*) FILTER (WHERE type = 'sla.breached' AND lead_id IS NOT NULL) AS breached,
       count(*) FILTER (WHERE type = 'sla.escalated' AND lead_id IS NOT NULL) AS escalated,
       count(*) FILTER (WHERE type = 'lead.reassigned' AND data->>'reason' IN ('sla-breach', 'overflow')) AS reassigned,
       count(*) FILTER (WHERE type = 'lead.reassigned' AND data->>'reason' = 'overflow') AS overflow,
       count(*) FILTER (WHERE type = 'lead.reassigned' AND data->>'reason' = 'recycled') AS recycled,
       count(*) FILTER (WHERE type = 'lead.held') AS unassigned,
       count(*) FILTER (WHERE type = 'meeting.booked') AS meetings,
       count(*) FILTER (WHERE type = 'deal.created') AS opportunities,
       count(*) FILTER (WHERE type = 'deal.won') AS won,
       coalesce(sum(arr_delta) FILTER (WHERE type = 'deal.won'), 0) AS won_arr,
       count(*) FILTER (WHERE type = 'deal.lost') AS lost,
       count(*) FILTER (WHERE type = 'handoff.recorded') AS handoffs,
       count(*) FILTER (WHERE type = 'event.ignored') AS ignored
FROM ledger_events`;

// A clock is resolved by its met or breached row (same key, other suffix). A lost deal drops the lead's clock and
// sends it to nurture, so those leads do not count as in flight.
const RUNNING_SQL = `
SELECT count(*) AS running
FROM ledger_events s
WHERE s.type = 'sla.started' AND s.lead_id IS NOT NULL
  AND NOT EXISTS (
    SELECT 1 FROM ledger_events r
    WHERE r.event_key IN (regexp_replace(s.event_key, ':started$', ':met'), regexp_replace(s.event_key, ':started$', ':breached')))
  AND NOT EXISTS (SELECT 1 FROM ledger_events l WHERE l.type = 'deal.lost' AND l.lead_id = s.lead_id)`;

// Per lead, its first touch and first meeting: a lead reassigned twice counts once, with its own first time.
const MEDIANS_SQL = `
SELECT (SELECT percentile_cont(0.5) WITHIN GROUP (ORDER BY ms) FROM (
          SELECT min((data->>'timeToFirstTouchMs')::float8) AS ms FROM ledger_events WHERE type = 'sla.met' AND lead_id IS NOT NULL GROUP BY lead_id) t) AS touch_ms,
       (SELECT percentile_cont(0.5) WITHIN GROUP (ORDER BY ms) FROM (
          SELECT min((data->>'timeToFirstMeetingMs')::float8) AS ms FROM ledger_events WHERE type = 'meeting.booked' GROUP BY lead_id) m) AS meeting_ms`;

type Row = Record<string, number | string | null>;
const num = (v: unknown) => (v === null || v === undefined ? 0 : Number(v));
const orNull = (v: unknown) => (v === null || v === undefined ? null : Number(v));

export async function readOutcomes(ledger: Ledger): Promise<Outcomes> {
  const [funnel] = await ledger.query<Row>(FUNNEL_SQL);
  const [ev] = await ledger.query<Row>(EVENTS_SQL);
  const [run] = await ledger.query<Row>(RUNNING_SQL);
  const [med] = await ledger.query<Row>(MEDIANS_SQL);
  const f = funnel ?? {};
  const e = ev ?? {};
  return {
    evaluated: num(f.evaluated),
    routed: num(f.routed),
    disqualified: num(f.disqualified),
    nurture: num(f.nurture),
    blocked: num(f.blocked),
    clocks: num(e.clocks),
    met: num(e.met),
    warned: num(e.warned),
    breached: num(e.breached),
    escalated: num(e.escalated),
    reassigned: num(e.reassigned),
    overflow: num(e.overflow),
    recycled: num(e.recycled),
    unassigned: num(e.unassigned),
    meetings: num(e.meetings),
    opportunities: num(e.opportunities),
    won: num(e.won),
    wonArr: num(e.won_arr),
    lost: num(e.lost),
    handoffs: num(e.handoffs),
    ignored: num(e.ignored),
    running: num(run?.running),
    medianTimeToFirstTouchMs: orNull(med?.touch_ms),
    medianTimeToFirstMeetingMs: orNull(med?.meeting_ms),
  };
}

/** A first-touch clock as the sales team sees it in the CRM: who has the lead, and by when they should call. */
export interface ClockRow {
  id: number;
  leadId: string;
  /** 0 for the hand-off, then one per reassignment, overflow or recycling. */
  clock: number;
  owner: string | null;
  pool: string | null;
  startedAt: number;
  warnAt: number;
  deadline: number;
}

const CLOCKS_SQL = `
SELECT id, lead_id, event_key, owner, occurred_at, data->>'pool' AS pool, data->>'warnAt' AS warn_at, data->>'deadline' AS deadline
FROM ledger_events
WHERE type = 'sla.started' AND lead_id IS NOT NULL AND id > $1
ORDER BY id`;

/** Clocks recorded after row `afterId` (callers re-read a margin and de-duplicate, so a late commit is not missed). */
export async function clocksSince(ledger: Ledger, afterId: number): Promise<ClockRow[]> {
  const rows = await ledger.query<{ id: number; lead_id: string; event_key: string; owner: string | null; occurred_at: Date; pool: string | null; warn_at: string; deadline: string }>(CLOCKS_SQL, [
    afterId,
  ]);
  return rows.map((r) => ({
    id: Number(r.id),
    leadId: r.lead_id,
    clock: Number(/:sla:(\d+):started$/.exec(r.event_key)?.[1] ?? 0),
    owner: r.owner,
    pool: r.pool,
    startedAt: r.occurred_at.getTime(),
    warnAt: Date.parse(r.warn_at),
    deadline: Date.parse(r.deadline),
  }));
}

const EXAMPLES_SQL = `
SELECT (SELECT lead_id FROM ledger_events WHERE type = 'lead.reassigned' AND data->>'reason' = 'sla-breach' ORDER BY id LIMIT 1) AS reassigned,
       (SELECT lead_id FROM ledger_events WHERE type = 'deal.won' ORDER BY id LIMIT 1) AS won,
       (SELECT lead_id FROM ledger_events WHERE type = 'event.ignored' ORDER BY id LIMIT 1) AS ignored`;

/** One lead of each interesting kind, for the `flywheel lead show` examples under the summary. */
export async function exampleLeads(ledger: Ledger): Promise<{ reassigned: string | null; won: string | null; ignored: string | null }> {
  const [r] = await ledger.query<{ reassigned: string | null; won: string | null; ignored: string | null }>(EXAMPLES_SQL);
  return { reassigned: r?.reassigned ?? null, won: r?.won ?? null, ignored: r?.ignored ?? null };
}
