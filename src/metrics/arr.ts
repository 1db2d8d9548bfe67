import type { Ledger } from '../ledger/types.ts';

/**
 * The rows that carry ARR, as a WHERE condition on ledger_events. Other types may have arr_delta set (hand-offs
 * in old data copy the deal's ARR) and must never move ARR, so every ARR query selects by type through this.
 * `account.imported` carries an imported customer's opening ARR (dated from its contract start): ARR like any
 * other, but never a won deal, so new-bookings figures (deal.won only) never count it.
 */
export const ARR_ROWS = `type IN ('deal.won', 'arr.changed', 'account.imported') AND account_id IS NOT NULL AND arr_delta IS NOT NULL`;

/**
 * Each account's ARR at instant `at`: the sum of its ARR rows that occurred strictly before `at`. Accounts whose
 * ARR has dropped to 0 (churned) are included with 0; accounts with no ARR row before `at` are absent.
 */
export async function arrByAccount(ledger: Pick<Ledger, 'query'>, at: Date): Promise<Map<string, number>> {
  const rows = await ledger.query<{ account_id: string; arr: number }>(
    `SELECT account_id, sum(arr_delta) AS arr FROM ledger_events WHERE ${ARR_ROWS} AND occurred_at < $1::timestamptz
     GROUP BY account_id ORDER BY account_id`,
    [at.toISOString()],
  );
  return new Map(rows.map((r) => [r.account_id, r.arr]));
}
