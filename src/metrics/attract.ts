import { closedDeals, type ClosedDeal } from './deals.ts';
import { funnel, type Funnel } from './funnel.ts';
import type { Period } from './period.ts';
import { periodParams, ratio, round, sortedRecord, sumMoney, UNKNOWN, type MetricsLedger } from './util.ts';

/** Lead sources that are not marketing's: sales prospecting and referrals. */
export const NON_MARKETING_SOURCES: readonly string[] = ['outbound', 'referral', 'partner-referral'];
/** ICP tiers that count as a match; anything else (D, none, unknown) does not. */
export const ICP_MATCH_TIERS: readonly string[] = ['A', 'B', 'C'];

/** Attract: are we bringing in the right leads, and what does pipeline cost? docs/metrics.md#attract */
export interface AttractMetrics {
  /** Leads whose first decision.recorded is in the period. */
  leads: number;
  /** Distinct leads with an MQL qualification decision in the period. */
  mqls: number;
  /** Share of the period's leads that became MQL before `to`. */
  leadToMqlRate: number | null;
  /** Σ amount of deal.created in the period. */
  qualifiedPipeline: number;
  /** qualifiedPipeline split by the deal's data.source ('unknown' without one). */
  pipelineBySource: Record<string, number>;
  /** For each channel with spend: spend / its pipeline (null when it has no pipeline); {} without spend. */
  costPerPipelineDollar: Record<string, number | null>;
  /** Share of bookings (won ARR in the period) whose source is not outbound, referral or partner-referral. */
  marketingSourcedShare: number | null;
  /** Inbound leads (source not outbound) whose latest ICP decision in the period has tier A, B or C, over inbound leads scored. */
  icpMatchRate: number | null;
}

export interface AttractOptions {
  /** Marketing spend in the period per channel (lead source), in the ledger's currency. */
  spendByChannel?: Record<string, number>;
}

const PIPELINE_SQL = `
SELECT coalesce(data->>'source', '${UNKNOWN}') AS source, coalesce(sum(amount), 0) AS pipeline
FROM ledger_events
WHERE type = 'deal.created' AND occurred_at >= $1::timestamptz AND occurred_at < $2::timestamptz
GROUP BY 1`;

const ICP_SQL = `
SELECT DISTINCT ON (lead_id) lead_id, data->'outcome'->>'tier' AS tier, coalesce(data->>'source', '${UNKNOWN}') AS source
FROM ledger_events
WHERE type = 'decision.recorded' AND data->>'kind' = 'icp' AND lead_id IS NOT NULL
  AND occurred_at >= $1::timestamptz AND occurred_at < $2::timestamptz
ORDER BY lead_id, occurred_at DESC, id DESC`;

export async function attract(ledger: MetricsLedger, period: Period, opts: AttractOptions = {}, shared?: { funnel?: Funnel; deals?: ClosedDeal[] }): Promise<AttractMetrics> {
  const f = shared?.funnel ?? (await funnel(ledger, period));
  const deals = shared?.deals ?? (await closedDeals(ledger, period));
  const pipeline = await ledger.query<{ source: string; pipeline: number }>(PIPELINE_SQL, periodParams(period));
  const pipelineBySource = sortedRecord(pipeline.map((r) => [r.source, r.pipeline]));
  const costPerPipelineDollar = sortedRecord(
    Object.entries(opts.spendByChannel ?? {}).map(([channel, spend]): [string, number | null] => {
      const p = pipelineBySource[channel] ?? 0;
      return [channel, p === 0 ? null : round(spend / p, 4)];
    }),
  );
  const won = deals.filter((d) => d.outcome === 'won');
  const bookings = sumMoney(won.map((d) => d.arr));
  const marketing = sumMoney(won.filter((d) => !NON_MARKETING_SOURCES.includes(d.source)).map((d) => d.arr));
  const inbound = (await ledger.query<{ tier: string | null; source: string }>(ICP_SQL, periodParams(period))).filter((r) => r.source !== 'outbound');
  const matched = inbound.filter((r) => r.tier !== null && ICP_MATCH_TIERS.includes(r.tier)).length;
  return {
    leads: f.leads,
    mqls: f.mqls,
    leadToMqlRate: ratio(f.leadsToMql, f.leads),
    qualifiedPipeline: sumMoney(pipeline.map((r) => r.pipeline)),
    pipelineBySource,
    costPerPipelineDollar,
    marketingSourcedShare: ratio(marketing, bookings),
    icpMatchRate: ratio(matched, inbound.length),
  };
}
