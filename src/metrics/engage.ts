import { MS_PER_DAY, MS_PER_HOUR } from '../calendar/civil.ts';
import { closedDeals, groupDeals, winRateOf, type ClosedDeal } from './deals.ts';
import { funnel, type Funnel } from './funnel.ts';
import type { Period } from './period.ts';
import { mean, median, periodParams, ratio, round, round2, sumMoney, type MetricsLedger } from './util.ts';

/** Engage: do qualified leads turn into revenue, and how fast? docs/metrics.md#engage */
export interface EngageMetrics {
  /** deal.created rows in the period. */
  opportunities: number;
  /** Share of the period's MQLs with a deal.created before `to`. */
  mqlToOpportunityRate: number | null;
  /** Share of the period's new leads with a deal.created before `to`. */
  leadToOpportunityRate: number | null;
  /** deal.won rows in the period. */
  won: number;
  /** deal.lost rows in the period. */
  lost: number;
  /** won / (won + lost). */
  winRate: number | null;
  /** winRate per ICP tier of the deal ('unknown' without one). */
  winRateByTier: Record<string, number | null>;
  /** Σ ARR (arr_delta) of deal.won in the period. */
  bookings: number;
  /** bookings / won: the mean ACV, to the cent. */
  averageDealSize: number | null;
  /** Days from the lead's latest deal.created to the deal.won or deal.lost, over the deals closed in the period. */
  salesCycleDays: { median: number | null; mean: number | null };
  /** Hours from the sales hand-off to the lead's first meeting, over the meetings booked in the period. */
  timeToFirstMeetingHours: { median: number | null };
}

const OPPORTUNITIES_SQL = `
SELECT count(*) AS n FROM ledger_events
WHERE type = 'deal.created' AND occurred_at >= $1::timestamptz AND occurred_at < $2::timestamptz`;

// One figure per lead: its earliest meeting.booked in the period that carries the measurement.
const MEETINGS_SQL = `
SELECT lead_id, min(CASE WHEN jsonb_typeof(data->'timeToFirstMeetingMs') = 'number' THEN (data->>'timeToFirstMeetingMs')::numeric END) AS ms
FROM ledger_events
WHERE type = 'meeting.booked' AND lead_id IS NOT NULL AND occurred_at >= $1::timestamptz AND occurred_at < $2::timestamptz
GROUP BY lead_id`;

export async function engage(ledger: MetricsLedger, period: Period, shared?: { funnel?: Funnel; deals?: ClosedDeal[] }): Promise<EngageMetrics> {
  const f = shared?.funnel ?? (await funnel(ledger, period));
  const deals = shared?.deals ?? (await closedDeals(ledger, period));
  const [opps] = await ledger.query<{ n: number }>(OPPORTUNITIES_SQL, periodParams(period));
  const meetings = await ledger.query<{ lead_id: string; ms: number | null }>(MEETINGS_SQL, periodParams(period));
  const { won, lost, winRate } = winRateOf(deals);
  const bookings = sumMoney(deals.filter((d) => d.outcome === 'won').map((d) => d.arr));
  const cycles = deals.flatMap((d) => (d.createdAt === null ? [] : [(d.closedAt.getTime() - d.createdAt.getTime()) / MS_PER_DAY]));
  const toMeeting = meetings.flatMap((m) => (m.ms === null ? [] : [m.ms / MS_PER_HOUR]));
  return {
    opportunities: opps?.n ?? 0,
    mqlToOpportunityRate: ratio(f.mqlsToOpportunity, f.mqls),
    leadToOpportunityRate: ratio(f.leadsToOpportunity, f.leads),
    won,
    lost,
    winRate,
    winRateByTier: Object.fromEntries(groupDeals(deals, (d) => d.tier).map(([tier, g]) => [tier, winRateOf(g).winRate])),
    bookings,
    averageDealSize: won === 0 ? null : round(bookings / won, 2),
    salesCycleDays: { median: round2(median(cycles)), mean: round2(mean(cycles)) },
    timeToFirstMeetingHours: { median: round2(median(toMeeting)) },
  };
}
