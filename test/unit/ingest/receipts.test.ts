import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { CrmEvent } from '../../../src/events/catalog.ts';
import { recordReceipts } from '../../../src/ingest/receipts.ts';
import type { DeliveryResult } from '../../../src/ingest/temporalSink.ts';
import { openLedger } from '../../../src/ledger/open.ts';
import type { Ledger, OpenedLedger } from '../../../src/ledger/types.ts';
import { pgliteTemplate, removeTempRoots, tempRoot } from '../ledger/helpers/fixtures.ts';

let ledger: OpenedLedger;
beforeAll(async () => {
  await pgliteTemplate();
  ledger = await openLedger({ root: await tempRoot(), role: 'owner', databaseUrl: undefined });
}, 120_000);
afterAll(async () => {
  await ledger?.close();
  removeTempRoots();
});

const delivered = (...keys: string[]): DeliveryResult[] => keys.map((key) => ({ key, workflowId: `lead:${key}`, event: { id: key } as CrmEvent }));

/** The real ledger, counting the receipt statements it is sent and able to fail the next one. */
function counted(l: Ledger) {
  const seen = { statements: 0, rowsPerStatement: [] as number[], failNext: false };
  const ledger: Ledger = {
    ...l,
    get mode() {
      return l.mode;
    },
    query: async <T>(sql: string, params: unknown[] = []) => {
      seen.statements++;
      seen.rowsPerStatement.push((params[0] as unknown[]).length);
      if (seen.failNext) {
        seen.failNext = false;
        throw new Error('ledger unavailable');
      }
      return l.query<T>(sql, params);
    },
  };
  return { ledger, seen };
}

describe('ingest receipts', () => {
  it('writes requests that arrive during a write together in the next statement, each answered in its own order', async () => {
    const { ledger: l, seen } = counted(ledger);
    const first = recordReceipts(l, delivered('c-1'));
    // These three arrive while the first is being written: one statement for all of them.
    const rest = [recordReceipts(l, delivered('c-2', 'c-3')), recordReceipts(l, delivered('c-1', 'c-4')), recordReceipts(l, delivered('c-4'))];
    expect(await first).toEqual([false]);
    expect(await Promise.all(rest)).toEqual([[false, false], [true, false], [true]]);
    expect(seen.rowsPerStatement).toEqual([1, 5]);
    expect(await ledger.query(`SELECT event_key FROM ingest_receipts WHERE event_key LIKE 'c-%' ORDER BY event_key`)).toEqual(['c-1', 'c-2', 'c-3', 'c-4'].map((event_key) => ({ event_key })));
  });

  it('fails every request of a failed statement, and the next request is written', async () => {
    const { ledger: l, seen } = counted(ledger);
    seen.failNext = true;
    const failing = recordReceipts(l, delivered('f-1'));
    const after = recordReceipts(l, delivered('f-2'));
    await expect(failing).rejects.toThrow('ledger unavailable');
    expect(await after).toEqual([false]);
    expect(await recordReceipts(l, delivered('f-1'))).toEqual([false]);
    expect(seen.statements).toBe(3);
  });

  it('keeps one request whole, however large, and starts a new statement past 2,000 rows', async () => {
    const { ledger: l, seen } = counted(ledger);
    const keys = (p: string, n: number) => Array.from({ length: n }, (_, i) => `${p}-${i}`);
    const head = recordReceipts(l, delivered('big-0'));
    const big = [recordReceipts(l, delivered(...keys('big-a', 2_500))), recordReceipts(l, delivered(...keys('big-b', 10))), recordReceipts(l, delivered(...keys('big-c', 1_995)))];
    await head;
    const answers = await Promise.all(big);
    expect(answers.map((a) => a.length)).toEqual([2_500, 10, 1_995]);
    expect(answers.flat().every((d) => d === false)).toBe(true);
    expect(seen.rowsPerStatement).toEqual([1, 2_500, 10, 1_995]);
  });

  it('answers a request whose receipts wait past the deadline without flags, and writes them once the ledger answers', async () => {
    let answer!: () => void;
    const stuck = new Promise<void>((resolve) => (answer = resolve));
    const slow: Ledger = {
      ...ledger,
      query: async <T>(sql: string, params: unknown[] = []) => {
        await stuck;
        return ledger.query<T>(sql, params);
      },
    };
    await expect(recordReceipts(slow, delivered('slow-1'), { waitMs: 50 })).rejects.toThrow('did not write the ingest receipts within 50 ms');
    const queued = recordReceipts(slow, delivered('slow-2', 'slow-1'), { waitMs: 60_000, maxWaitingRows: 3 });
    // Behind the stuck statement two rows wait; two more would pass the limit of three: refused at once, not queued.
    await expect(recordReceipts(slow, delivered('slow-3', 'slow-4'), { maxWaitingRows: 3 })).rejects.toThrow('2 ingest receipts already wait for the ledger');
    answer();
    expect(await queued).toEqual([false, true]);
    expect(await ledger.query(`SELECT event_key FROM ingest_receipts WHERE event_key LIKE 'slow-%' ORDER BY event_key`)).toEqual([{ event_key: 'slow-1' }, { event_key: 'slow-2' }]);
  });
});
