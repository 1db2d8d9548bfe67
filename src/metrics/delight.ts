import { arrByAccount } from './arr.ts';
import type { Period } from './period.ts';
import { retention, type RetentionMetrics } from './retention.ts';
import { ratio, type MetricsLedger } from './util.ts';

export const HEALTH_BANDS = ['green', 'yellow', 'red'] as const;
export type HealthBand = (typeof HEALTH_BANDS)[number];

/** Delight: do customers stay, grow and stay healthy? docs/metrics.md#delight */
export interface DelightMetrics {
  /** NRR, GRR and the ARR flows of the period: `retention()`. */
  retention: RetentionMetrics;
  /** churnedAccounts / cohortAccounts of `retention`. */
  churnRate: number | null;
  /** expansion / startingArr of `retention`. */
  expansionShare: number | null;
  /** Accounts by the band of their latest health.scored before `to`; other bands are not counted. */
  healthDistribution: Record<HealthBand, number>;
  /** Accounts with ARR > 0 at `to`. */
  customers: number;
}

const HEALTH_SQL = `
SELECT band, count(*) AS n FROM (
  SELECT DISTINCT ON (account_id) account_id, data->>'band' AS band FROM ledger_events
  WHERE type = 'health.scored' AND account_id IS NOT NULL AND occurred_at < $1::timestamptz
  ORDER BY account_id, occurred_at DESC, id DESC
) latest GROUP BY band`;

export async function delight(ledger: MetricsLedger, period: Period): Promise<DelightMetrics> {
  const r = await retention(ledger, period);
  const bands = await ledger.query<{ band: string | null; n: number }>(HEALTH_SQL, [period.to.toISOString()]);
  const healthDistribution: Record<HealthBand, number> = { green: 0, yellow: 0, red: 0 };
  for (const b of bands) if ((HEALTH_BANDS as readonly (string | null)[]).includes(b.band)) healthDistribution[b.band as HealthBand] = b.n;
  const atTo = await arrByAccount(ledger, period.to);
  return {
    retention: r,
    churnRate: ratio(r.churnedAccounts, r.cohortAccounts),
    expansionShare: ratio(r.expansion, r.startingArr),
    healthDistribution,
    customers: [...atTo.values()].filter((arr) => arr > 0).length,
  };
}
