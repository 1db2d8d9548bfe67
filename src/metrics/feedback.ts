import { arrByAccount } from './arr.ts';
import { closedDeals, groupDeals, winRateOf, type ClosedDeal } from './deals.ts';
import { checkPeriod, type Period } from './period.ts';
import { ratio, sortedRecord, UNKNOWN, type MetricsLedger } from './util.ts';

/** Feedback: which tiers and sources are worth more of? What Delight and Engage teach Attract. docs/metrics.md#feedback */
export interface FeedbackMetrics {
  /** Retention cohort (ARR > 0 at `from`) split by the account's ICP tier, with the GRR of each part. */
  retentionByTier: Record<string, { accounts: number; grr: number | null }>;
  /** Deals closed in the period by lead source. */
  winRateBySource: Record<string, { won: number; lost: number; winRate: number | null }>;
}

// An account's tier: data.tier of its earliest deal.won or account.imported (before `to`) that has one.
const TIER_SQL = `
SELECT DISTINCT ON (account_id) account_id, data->>'tier' AS tier FROM ledger_events
WHERE type IN ('deal.won', 'account.imported') AND account_id IS NOT NULL AND occurred_at < $1::timestamptz
ORDER BY account_id, (data->>'tier') IS NULL, occurred_at, id`;

export async function feedback(ledger: MetricsLedger, period: Period, shared?: { deals?: ClosedDeal[] }): Promise<FeedbackMetrics> {
  const { from, to } = checkPeriod(period);
  const deals = shared?.deals ?? (await closedDeals(ledger, period));
  const tiers = new Map((await ledger.query<{ account_id: string; tier: string | null }>(TIER_SQL, [to.toISOString()])).map((r) => [r.account_id, r.tier ?? UNKNOWN]));
  const [atFrom, atTo] = [await arrByAccount(ledger, from), await arrByAccount(ledger, to)];
  // In cents, so the sums are exact as in retention(); GRR per tier is the same formula restricted to the tier.
  const byTier = new Map<string, { accounts: number; start: number; kept: number }>();
  for (const [account, arr] of atFrom) {
    if (arr <= 0) continue;
    const tier = tiers.get(account) ?? UNKNOWN;
    const t = byTier.get(tier) ?? { accounts: 0, start: 0, kept: 0 };
    t.accounts++;
    t.start += Math.round(arr * 100);
    t.kept += Math.round(Math.min(arr, atTo.get(account) ?? 0) * 100);
    byTier.set(tier, t);
  }
  return {
    retentionByTier: sortedRecord([...byTier].map(([tier, t]) => [tier, { accounts: t.accounts, grr: ratio(t.kept, t.start) }])),
    winRateBySource: Object.fromEntries(groupDeals(deals, (d) => d.source).map(([source, g]) => [source, winRateOf(g)])),
  };
}
