import type { Period } from './period.ts';
import { periodParams, type MetricsLedger } from './util.ts';

/** Lead funnel counts shared by attract and engage; docs/metrics.md defines each. */
export interface Funnel {
  /** Leads whose first decision.recorded is in the period: the period's new leads (never imported ones). */
  leads: number;
  /** Of those, the leads with an MQL qualification decision before `to`. */
  leadsToMql: number;
  /** Of those, the leads with a deal.created before `to`. */
  leadsToOpportunity: number;
  /**
   * Distinct leads with an MQL qualification decision in the period. An imported lead's decisions made at its
   * import (route: true) do not count; an imported nurture lead that qualifies at a later update does.
   */
  mqls: number;
  /** Of those, the leads with a deal.created before `to`. */
  mqlsToOpportunity: number;
}

// Imported leads (lead.imported, issue 14) existed before Flywheel: never new leads, and what was decided at the
// import (at the same workflow instant as the lead.imported row) is not a new MQL.
const FUNNEL_SQL = `
WITH imported AS (
  SELECT lead_id, min(occurred_at) AS at FROM ledger_events WHERE type = 'lead.imported' AND lead_id IS NOT NULL GROUP BY lead_id
), first_seen AS (
  SELECT lead_id, min(occurred_at) AS at FROM ledger_events
  WHERE type = 'decision.recorded' AND lead_id IS NOT NULL AND occurred_at < $2::timestamptz GROUP BY lead_id
), cohort AS (
  SELECT lead_id FROM first_seen WHERE at >= $1::timestamptz AND lead_id NOT IN (SELECT lead_id FROM imported)
), mql AS (
  SELECT e.lead_id, bool_or(e.occurred_at >= $1::timestamptz) AS inside FROM ledger_events e
  LEFT JOIN imported i ON i.lead_id = e.lead_id
  WHERE e.type = 'decision.recorded' AND e.lead_id IS NOT NULL AND e.occurred_at < $2::timestamptz
    AND e.data->>'kind' = 'qualification' AND e.data->'outcome'->>'status' = 'mql'
    AND (i.at IS NULL OR e.occurred_at > i.at)
  GROUP BY e.lead_id
), opp AS (
  SELECT DISTINCT lead_id FROM ledger_events WHERE type = 'deal.created' AND lead_id IS NOT NULL AND occurred_at < $2::timestamptz
)
SELECT (SELECT count(*) FROM cohort) AS leads,
       (SELECT count(*) FROM cohort JOIN mql USING (lead_id)) AS leads_to_mql,
       (SELECT count(*) FROM cohort JOIN opp USING (lead_id)) AS leads_to_opportunity,
       (SELECT count(*) FROM mql WHERE inside) AS mqls,
       (SELECT count(*) FROM mql JOIN opp USING (lead_id) WHERE inside) AS mqls_to_opportunity`;

export async function funnel(ledger: MetricsLedger, period: Period): Promise<Funnel> {
  const [r] = await ledger.query<{ leads: number; leads_to_mql: number; leads_to_opportunity: number; mqls: number; mqls_to_opportunity: number }>(FUNNEL_SQL, periodParams(period));
  if (!r) throw new Error('funnel query returned no row');
  return { leads: r.leads, leadsToMql: r.leads_to_mql, leadsToOpportunity: r.leads_to_opportunity, mqls: r.mqls, mqlsToOpportunity: r.mqls_to_opportunity };
}
