import { describe, expect, it } from 'vitest';
import type { LedgerEvent } from '../../../src/ledger/types.ts';
import { arrByAccount } from '../../../src/metrics/arr.ts';
import { closedDeals } from '../../../src/metrics/deals.ts';
import { computeMetrics } from '../../../src/metrics/flywheel.ts';
import { parsePeriod, type Period } from '../../../src/metrics/period.ts';
import { retention } from '../../../src/metrics/retention.ts';
import { emptyLedgerPerTest } from '../ledger/helpers/emptyLedger.ts';

const Q1: Period = parsePeriod('2027-01-01', '2027-04-01');
const ledger = emptyLedgerPerTest();

let seq = 0;
/** The row the account workflow writes for `account.imported`: opening ARR dated from the contract start. */
const imported = (accountId: string, arr: number, occurredAt: string, tier = 'A'): LedgerEvent => ({
  key: `imported-${seq++}`,
  type: 'account.imported',
  accountId,
  owner: 'emma-janssen',
  amount: arr,
  arrDelta: arr,
  occurredAt,
  data: {
    domain: `${accountId.toLowerCase()}.example`,
    tier,
    salesOwner: 'claire-dubois',
    contractStart: occurredAt.slice(0, 10),
    arr,
    currency: 'EUR',
    importedFrom: 'import://file/book.csv',
    handoff: 'imported',
  },
});
const won = (accountId: string, arrDelta: number, occurredAt: string): LedgerEvent => ({
  key: `won-${seq++}`,
  type: 'deal.won',
  accountId,
  leadId: `lead-${accountId}-${seq}`,
  arrDelta,
  occurredAt,
  data: { tier: 'B', source: 'demo-request' },
});
const changed = (accountId: string, kind: 'renewal' | 'expansion' | 'contraction' | 'churn', arrDelta: number, occurredAt: string): LedgerEvent => ({
  key: `arr-${seq++}`,
  type: 'arr.changed',
  accountId,
  arrDelta,
  occurredAt,
  data: { kind },
});

/*
 * Q1 2027. Imported customers (opening ARR, dated from their contract start):
 *   I1  imported 30,000 (contract from 2026-06-01)   +5,000 expansion in Q1          30,000 -> 35,000
 *   I2  imported 20,000 (contract from 2026-09-01)   churned in Q1                   20,000 ->      0
 *   I3  imported 10,000 (contract from 2026-11-01)   renewed at 8,000 in Q1          10,000 ->  8,000
 *   I4  imported 12,000 with its import inside Q1 (contract not started before)   not in the cohort, not new business
 * Won inside Flywheel:
 *   W1  won 40,000 in 2026                                                            40,000 -> 40,000
 *   W2  won 15,000 in Q1                                                              new business 15,000
 * cohort I1, I2, I3, W1: starting 100,000, ending 83,000, expansion 5,000, contraction 2,000, churn 20,000
 * NRR 0.83, GRR (30 + 0 + 8 + 40) / 100 = 0.78
 */
const book = (): LedgerEvent[] => [
  imported('I1', 30_000, '2026-06-01T00:00:00Z'),
  changed('I1', 'expansion', 5_000, '2027-02-01T09:00:00Z'),
  imported('I2', 20_000, '2026-09-01T00:00:00Z', 'B'),
  changed('I2', 'churn', -20_000, '2027-03-01T09:00:00Z'),
  imported('I3', 10_000, '2026-11-01T00:00:00Z'),
  changed('I3', 'renewal', -2_000, '2027-03-15T09:00:00Z'),
  imported('I4', 12_000, '2027-02-10T10:00:00Z'),
  won('W1', 40_000, '2026-05-01T10:00:00Z'),
  won('W2', 15_000, '2027-02-20T10:00:00Z'),
];

describe('imported customers in the metrics: opening ARR, never a new booking', () => {
  it('counts imported ARR as starting ARR of NRR and GRR, and their renewals, expansion and churn as flows', async () => {
    await ledger.record(book());
    expect(await retention(ledger, Q1)).toMatchObject({
      cohortAccounts: 4,
      churnedAccounts: 1,
      startingArr: 100_000,
      endingArr: 83_000,
      expansion: 5_000,
      contraction: 2_000,
      churn: 20_000,
      newBusiness: 15_000,
      nrr: 0.83,
      grr: 0.78,
    });
    expect(await arrByAccount(ledger, Q1.to)).toEqual(
      new Map([
        ['I1', 35_000],
        ['I2', 0],
        ['I3', 8_000],
        ['I4', 12_000],
        ['W1', 40_000],
        ['W2', 15_000],
      ]),
    );
  });

  it('counts none of them in new bookings: won deals, bookings, new business', async () => {
    await ledger.record(book());
    const deals = await closedDeals(ledger, Q1);
    expect(deals.map((d) => d.accountId)).toEqual(['W2']);
    const m = await computeMetrics(ledger, Q1);
    expect(m.engage).toMatchObject({ won: 1, lost: 0, bookings: 15_000, averageDealSize: 15_000 });
    expect(m.delight.retention.newBusiness).toBe(15_000);
    // They are customers, and the retention split by tier knows their imported tier.
    expect(m.delight.customers).toBe(5);
    // A: I1 and I3 keep 30,000 + 8,000 of 40,000; B: I2 (churned) beside W1 (won with tier B) keep 40,000 of 60,000.
    expect(m.feedback.retentionByTier).toEqual({ A: { accounts: 2, grr: 0.95 }, B: { accounts: 2, grr: 0.6667 } });
  });

  it('never counts an imported customer as new business, even with a deal won in the period of its import', async () => {
    await ledger.record([imported('I5', 12_000, '2027-02-10T10:00:00Z'), won('I5', 3_000, '2027-03-01T10:00:00Z'), won('W3', 7_000, '2027-03-02T10:00:00Z')]);
    const m = await retention(ledger, Q1);
    expect(m).toMatchObject({ cohortAccounts: 0, startingArr: 0, newBusiness: 7_000 });
    // The expansion deal itself is a won deal (a booking); the imported ARR is not.
    expect((await closedDeals(ledger, Q1)).map((d) => [d.accountId, d.arr])).toEqual([
      ['I5', 3_000],
      ['W3', 7_000],
    ]);
  });
});
