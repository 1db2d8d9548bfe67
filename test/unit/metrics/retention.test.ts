import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { LedgerEvent } from '../../../src/ledger/types.ts';
import { arrByAccount } from '../../../src/metrics/arr.ts';
import { parsePeriod, type Period } from '../../../src/metrics/period.ts';
import { retention, type RetentionMetrics } from '../../../src/metrics/retention.ts';
import { emptyLedgerPerTest } from '../ledger/helpers/emptyLedger.ts';

const Q1: Period = parsePeriod('2027-01-01', '2027-04-01');

const ledger = emptyLedgerPerTest();

let seq = 0;
const won = (accountId: string, arrDelta: number, occurredAt: string): LedgerEvent => ({ key: `won-${seq++}`, type: 'deal.won', accountId, arrDelta, occurredAt });
function changed(accountId: string, kind: 'renewal' | 'expansion' | 'contraction' | 'churn', arrDelta: number, arrAfter: number, occurredAt: string): LedgerEvent {
  return { key: `arr-${seq++}`, type: 'arr.changed', accountId, arrDelta, occurredAt, data: { kind, arrAfter } };
}

/** The flow identity, compared in cents so float addition of exact cent amounts cannot fail it by 1e-12. */
function expectFlowsAddUp(m: RetentionMetrics): void {
  const cents = (x: number) => Math.round(x * 100);
  expect(cents(m.startingArr) + cents(m.expansion) - cents(m.contraction) - cents(m.churn)).toBe(cents(m.endingArr));
}

describe('retention over a hand-computed cohort (Q1 2027, the example in docs/metrics.md)', () => {
  /*
   * ARR at 2027-01-01 (from) and 2027-04-01 (to), and the flows in between:
   *   A  won 10,000         +2,000 expansion, +3,000 renewal          10,000.00 -> 15,000.00  exp 5,000
   *   B  won 22,000, -2,000 in 2026; -4,000 contraction               20,000.00 -> 16,000.00  con 4,000
   *   C  won 8,000          -8,000 churn                               8,000.00 ->      0.00  churn 8,000
   *   D  won 12,000         +3,000 deal.won, then -2,000 contraction  12,000.00 -> 13,000.00  exp 3,000, con 2,000
   *   E  won 6,000.50       renewal at the same ARR (delta 0)          6,000.50 ->  6,000.50
   *   ------------------------------------------------------------------------------------------------
   *   cohort 5 accounts, churned 1        starting 56,000.50          ending 50,000.50
   *   expansion 5,000 + 3,000 = 8,000; contraction 4,000 + 2,000 = 6,000; churn 8,000
   *   56,000.50 + 8,000 - 6,000 - 8,000 = 50,000.50
   *   NRR = 50,000.50 / 56,000.50 = 0.892858... -> 0.8929
   *   kept = min per account: 10,000 + 16,000 + 0 + 12,000 + 6,000.50 = 44,000.50 (D's contraction costs nothing:
   *   it still has more than it started with)
   *   GRR = 44,000.50 / 56,000.50 = 0.785725... -> 0.7857
   *   F  won 9,000 on 2027-02-20, +1,000 expansion: not in the cohort; newBusiness = its ARR at `to` = 10,000
   *   G  won 7,000 on 2027-04-15 and A's +2,000 on 2027-05-01: after the period, ignored
   */
  const rows = (): LedgerEvent[] => [
    won('A', 10_000, '2026-03-10T10:00:00Z'),
    changed('A', 'expansion', 2_000, 12_000, '2027-01-15T09:00:00Z'),
    changed('A', 'renewal', 3_000, 15_000, '2027-03-10T09:00:00Z'),
    changed('A', 'expansion', 2_000, 17_000, '2027-05-01T09:00:00Z'),
    won('B', 22_000, '2026-06-01T10:00:00Z'),
    changed('B', 'contraction', -2_000, 20_000, '2026-11-01T09:00:00Z'),
    changed('B', 'contraction', -4_000, 16_000, '2027-03-01T09:00:00Z'),
    won('C', 8_000, '2026-01-20T10:00:00Z'),
    changed('C', 'churn', -8_000, 0, '2027-02-01T09:00:00Z'),
    won('D', 12_000, '2026-09-01T10:00:00Z'),
    won('D', 3_000, '2027-01-10T10:00:00Z'),
    changed('D', 'contraction', -2_000, 13_000, '2027-03-20T09:00:00Z'),
    won('E', 6_000.5, '2026-02-01T10:00:00Z'),
    changed('E', 'renewal', 0, 6_000.5, '2027-02-01T09:00:00Z'),
    won('F', 9_000, '2027-02-20T10:00:00Z'),
    changed('F', 'expansion', 1_000, 10_000, '2027-03-25T10:00:00Z'),
    won('G', 7_000, '2027-04-15T10:00:00Z'),
  ];

  it('gives exactly the hand-computed figures', async () => {
    await ledger.record(rows());
    const m = await retention(ledger, Q1);
    expect(m).toEqual({
      from: new Date('2027-01-01T00:00:00Z'),
      to: new Date('2027-04-01T00:00:00Z'),
      cohortAccounts: 5,
      churnedAccounts: 1,
      startingArr: 56_000.5,
      endingArr: 50_000.5,
      expansion: 8_000,
      contraction: 6_000,
      churn: 8_000,
      newBusiness: 10_000,
      nrr: 0.8929,
      grr: 0.7857,
    });
    expectFlowsAddUp(m);
  });

  it('reads ARR per account at an instant', async () => {
    await ledger.record(rows());
    expect(await arrByAccount(ledger, Q1.from)).toEqual(
      new Map([
        ['A', 10_000],
        ['B', 20_000],
        ['C', 8_000],
        ['D', 12_000],
        ['E', 6_000.5],
      ]),
    );
    expect(await arrByAccount(ledger, Q1.to)).toEqual(
      new Map([
        ['A', 15_000],
        ['B', 16_000],
        ['C', 0],
        ['D', 13_000],
        ['E', 6_000.5],
        ['F', 10_000],
      ]),
    );
  });

  it('does not count the old hand-off rows that carry arr_delta', async () => {
    await ledger.record(rows());
    const before = await retention(ledger, Q1);
    const handoff = (accountId: string, arrDelta: number, occurredAt: string): LedgerEvent => ({ key: `handoff-${seq++}`, type: 'handoff.recorded', accountId, arrDelta, occurredAt });
    await ledger.record([
      handoff('A', 10_000, '2026-03-11T10:00:00Z'), // before the period: would inflate starting ARR
      handoff('B', 5_000, '2027-02-01T10:00:00Z'), // inside: would be expansion
      handoff('H', 4_000, '2027-02-01T10:00:00Z'), // an account with no deal: would be a cohort or new-business account
      handoff('H', 4_000, '2026-02-01T10:00:00Z'),
    ]);
    expect(await retention(ledger, Q1)).toEqual(before);
    expect((await arrByAccount(ledger, Q1.to)).has('H')).toBe(false);
  });
});

describe('retention edge cases', () => {
  it('is all zeros with null ratios on an empty ledger', async () => {
    expect(await retention(ledger, Q1)).toEqual({
      from: Q1.from,
      to: Q1.to,
      cohortAccounts: 0,
      churnedAccounts: 0,
      startingArr: 0,
      endingArr: 0,
      expansion: 0,
      contraction: 0,
      churn: 0,
      newBusiness: 0,
      nrr: null,
      grr: null,
    });
    expect(await arrByAccount(ledger, Q1.to)).toEqual(new Map());
  });

  it('has null ratios when the only ARR is new business', async () => {
    await ledger.record([won('N', 5_000, '2027-02-01T00:00:00Z')]);
    expect(await retention(ledger, Q1)).toMatchObject({ cohortAccounts: 0, startingArr: 0, newBusiness: 5_000, nrr: null, grr: null });
  });

  it('is half-open: a change exactly at `from` is in the period, one exactly at `to` is not', async () => {
    await ledger.record([
      won('X', 1_000, '2026-06-01T00:00:00Z'),
      changed('X', 'expansion', 500, 1_500, '2027-01-01T00:00:00Z'),
      changed('X', 'contraction', -200, 1_300, '2027-04-01T00:00:00Z'),
      won('Y', 700, '2027-01-01T00:00:00Z'), // won at `from`: new business, not cohort
      won('Z', 900, '2027-04-01T00:00:00Z'), // won at `to`: next period's
    ]);
    const m = await retention(ledger, Q1);
    expect(m).toMatchObject({ cohortAccounts: 1, startingArr: 1_000, endingArr: 1_500, expansion: 500, contraction: 0, newBusiness: 700, nrr: 1.5, grr: 1 });
    expectFlowsAddUp(m);
    // The same instants seen from the next period: the contraction and Z's deal now fall inside.
    const q2 = await retention(ledger, parsePeriod('2027-04-01', '2027-07-01'));
    expect(q2).toMatchObject({ cohortAccounts: 2, startingArr: 2_200, endingArr: 2_000, contraction: 200, newBusiness: 900 });
    expect(await arrByAccount(ledger, Q1.to)).toEqual(
      new Map([
        ['X', 1_500],
        ['Y', 700],
      ]),
    );
  });

  it('keeps a churned and re-won account in the cohort, with both flows', async () => {
    await ledger.record([won('R', 4_000, '2026-05-01T00:00:00Z'), changed('R', 'churn', -4_000, 0, '2027-01-20T00:00:00Z'), won('R', 3_000, '2027-03-01T00:00:00Z')]);
    const m = await retention(ledger, Q1);
    expect(m).toMatchObject({ cohortAccounts: 1, churnedAccounts: 0, startingArr: 4_000, endingArr: 3_000, expansion: 3_000, churn: 4_000, newBusiness: 0, nrr: 0.75, grr: 0.75 });
    expectFlowsAddUp(m);
  });

  it('refuses an empty or inverted period', async () => {
    const day = new Date('2027-01-01T00:00:00Z');
    await expect(retention(ledger, { from: day, to: day })).rejects.toThrow('period from 2027-01-01T00:00:00.000Z must be before to 2027-01-01T00:00:00.000Z');
  });

  it('adds up on any ledger that follows the conventions, with GRR <= 1 and GRR <= NRR', async () => {
    const start = Date.parse('2026-07-01T00:00:00Z');
    const span = Date.parse('2027-07-01T00:00:00Z') - start;
    // Per account: a first deal, then steps [kind, offset after the deal (ms), cents] that keep ARR >= 0 as the
    // account workflow does; periods and amounts are random, the relations between the figures are not.
    const step = fc.tuple(fc.constantFrom('won', 'expansion', 'contraction', 'renewal', 'churn'), fc.integer({ min: 0, max: span - 1 }), fc.integer({ min: 1, max: 2_000_000 }));
    const account = fc.tuple(fc.integer({ min: 0, max: span - 1 }), fc.integer({ min: 1, max: 5_000_000 }), fc.array(step, { maxLength: 5 }));
    await fc.assert(
      fc.asyncProperty(fc.array(account, { minLength: 1, maxLength: 6 }), async (accounts) => {
        await ledger.query('DELETE FROM ledger_events');
        const events: LedgerEvent[] = [];
        accounts.forEach(([wonAt, firstCents, steps], i) => {
          const id = `p${i}`;
          let arr = firstCents;
          events.push(won(id, firstCents / 100, new Date(start + wonAt).toISOString()));
          const later = steps.map(([k, at, c]) => [k, wonAt + 1 + (at % (span - wonAt)), c] as const).sort((a, b) => a[1] - b[1]);
          for (const [kind, at, c] of later) {
            const when = new Date(start + Math.min(at, span - 1)).toISOString();
            if (kind === 'won') {
              arr += c;
              events.push(won(id, c / 100, when));
              continue;
            }
            // A renewal renews at c cents: up, down or (when c happens to equal ARR) flat.
            const delta = kind === 'churn' ? -arr : kind === 'contraction' ? -Math.min(c, arr) : kind === 'renewal' ? c - arr : c;
            arr += delta;
            events.push(changed(id, kind, delta / 100, arr / 100, when));
          }
        });
        await ledger.record(events);
        const m = await retention(ledger, Q1);
        expectFlowsAddUp(m);
        // The same figures from ARR per account at both ends: the two queries share one definition of ARR.
        const [atFrom, atTo] = [await arrByAccount(ledger, Q1.from), await arrByAccount(ledger, Q1.to)];
        const cohort = [...atFrom].filter(([, arr]) => arr > 0).map(([id, arr]) => ({ start: arr, end: atTo.get(id) ?? 0 }));
        const sum = (xs: number[]) => xs.reduce((a, b) => a + Math.round(b * 100), 0) / 100;
        expect(m).toMatchObject({
          cohortAccounts: cohort.length,
          churnedAccounts: cohort.filter((a) => a.end === 0).length,
          startingArr: sum(cohort.map((a) => a.start)),
          endingArr: sum(cohort.map((a) => a.end)),
        });
        if (m.grr !== null) expect(m.grr).toBeCloseTo(sum(cohort.map((a) => Math.min(a.start, a.end))) / m.startingArr, 3);
        if (m.nrr === null || m.grr === null) expect(m.startingArr).toBe(0);
        else {
          expect(m.grr).toBeGreaterThanOrEqual(0);
          expect(m.grr).toBeLessThanOrEqual(1);
          expect(m.grr).toBeLessThanOrEqual(m.nrr);
        }
      }),
      { numRuns: 40 },
    );
  });
});

describe('parsePeriod', () => {
  it('reads dates as midnight UTC and date-times with their zone', () => {
    expect(parsePeriod('2027-01-01', '2027-04-01')).toEqual({ from: new Date('2027-01-01T00:00:00Z'), to: new Date('2027-04-01T00:00:00Z') });
    expect(parsePeriod('2027-01-01T09:30:00+01:00', '2027-01-02T00:00:00Z').from).toEqual(new Date('2027-01-01T08:30:00Z'));
  });

  it('names the bad value', () => {
    expect(() => parsePeriod('2027-02-30', '2027-04-01')).toThrow('from "2027-02-30" is not a date');
    expect(() => parsePeriod('2027-01-01', '2027-04-01T00:00:00')).toThrow('to "2027-04-01T00:00:00" is not a date (2027-01-01, midnight UTC) or an ISO date-time with a time zone');
    expect(() => parsePeriod('2027-04-01', '2027-01-01')).toThrow('period from 2027-04-01T00:00:00.000Z must be before to 2027-01-01T00:00:00.000Z');
  });
});
