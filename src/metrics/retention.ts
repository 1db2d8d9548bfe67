import type { Ledger } from '../ledger/types.ts';
import { ARR_ROWS } from './arr.ts';
import { checkPeriod, type Period } from './period.ts';

/** Money in the ledger's currency, exact to the cent; contraction and churn are positive amounts that were lost. */
export interface RetentionMetrics {
  from: Date;
  to: Date;
  /** Accounts with ARR > 0 at `from`: the only accounts NRR and GRR look at. */
  cohortAccounts: number;
  /** Cohort accounts with no ARR left at `to`. */
  churnedAccounts: number;
  startingArr: number;
  endingArr: number;
  expansion: number;
  contraction: number;
  churn: number;
  /** ARR at `to` of accounts first won inside the period (never imported ones); reported beside retention, never part of it. */
  newBusiness: number;
  /** endingArr / startingArr, 4 decimals; null without a cohort. */
  nrr: number | null;
  /** Σ min(ARR at to, ARR at from) over the cohort / startingArr, 4 decimals; null without a cohort. */
  grr: number | null;
}

// One pass over the ARR rows before `to`, grouped by account; docs/metrics.md has the definitions.
// Flows are split by sign so that starting + expansion - contraction - churn = ending holds whatever `kind` says:
// the kind only tells churn from contraction. Sums of numeric(18,2) are exact cents, so only ratios need rounding.
const RETENTION_SQL = `
WITH rows AS (
  SELECT account_id, type, occurred_at, arr_delta, occurred_at >= $1::timestamptz AS inside, data->>'kind' AS kind
  FROM ledger_events
  WHERE ${ARR_ROWS} AND occurred_at < $2::timestamptz
), accounts AS (
  SELECT account_id,
         coalesce(sum(arr_delta) FILTER (WHERE NOT inside), 0) AS arr_from,
         sum(arr_delta) AS arr_to,
         min(occurred_at) FILTER (WHERE type = 'deal.won') AS first_won,
         bool_or(type = 'account.imported') AS imported,
         coalesce(sum(arr_delta) FILTER (WHERE inside AND arr_delta > 0), 0) AS expansion,
         coalesce(-sum(arr_delta) FILTER (WHERE inside AND arr_delta < 0 AND kind IS DISTINCT FROM 'churn'), 0) AS contraction,
         coalesce(-sum(arr_delta) FILTER (WHERE inside AND arr_delta < 0 AND kind = 'churn'), 0) AS churn
  FROM rows GROUP BY account_id
), totals AS (
  SELECT count(*) FILTER (WHERE arr_from > 0) AS cohort_accounts,
         count(*) FILTER (WHERE arr_from > 0 AND arr_to <= 0) AS churned_accounts,
         coalesce(sum(arr_from) FILTER (WHERE arr_from > 0), 0) AS starting_arr,
         coalesce(sum(arr_to) FILTER (WHERE arr_from > 0), 0) AS ending_arr,
         coalesce(sum(least(arr_to, arr_from)) FILTER (WHERE arr_from > 0), 0) AS kept_arr,
         coalesce(sum(expansion) FILTER (WHERE arr_from > 0), 0) AS expansion,
         coalesce(sum(contraction) FILTER (WHERE arr_from > 0), 0) AS contraction,
         coalesce(sum(churn) FILTER (WHERE arr_from > 0), 0) AS churn,
         coalesce(sum(arr_to) FILTER (WHERE arr_from <= 0 AND first_won >= $1::timestamptz AND NOT imported), 0) AS new_business
  FROM accounts
)
SELECT cohort_accounts, churned_accounts, starting_arr, ending_arr, expansion, contraction, churn, new_business,
       round(ending_arr / nullif(starting_arr, 0), 4) AS nrr,
       round(kept_arr / nullif(starting_arr, 0), 4) AS grr
FROM totals`;

interface Row {
  cohort_accounts: number;
  churned_accounts: number;
  starting_arr: number;
  ending_arr: number;
  expansion: number;
  contraction: number;
  churn: number;
  new_business: number;
  nrr: number | null;
  grr: number | null;
}

export async function retention(ledger: Pick<Ledger, 'query'>, period: Period): Promise<RetentionMetrics> {
  const { from, to } = checkPeriod(period);
  const [r] = await ledger.query<Row>(RETENTION_SQL, [from.toISOString(), to.toISOString()]);
  if (!r) throw new Error('retention query returned no row');
  return {
    from,
    to,
    cohortAccounts: r.cohort_accounts,
    churnedAccounts: r.churned_accounts,
    startingArr: r.starting_arr,
    endingArr: r.ending_arr,
    expansion: r.expansion,
    contraction: r.contraction,
    churn: r.churn,
    newBusiness: r.new_business,
    nrr: r.nrr,
    grr: r.grr,
  };
}
