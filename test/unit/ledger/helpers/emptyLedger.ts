import { afterAll, beforeAll, beforeEach } from 'vitest';
import { openLedger } from '../../../../src/ledger/open.ts';
import type { Ledger, LedgerEvent, OpenedLedger } from '../../../../src/ledger/types.ts';
import { pgliteTemplate, removeTempRoots, tempRoot } from './fixtures.ts';

/**
 * One embedded ledger for the test file, its `tables` emptied before each test (metrics read the whole table). Registers its own
 * beforeAll/afterAll/beforeEach; the returned ledger forwards to it once it is open.
 */
export function emptyLedgerPerTest(tables: readonly string[] = ['ledger_events']): Pick<Ledger, 'query' | 'record' | 'transaction'> {
  let opened: OpenedLedger | undefined;
  beforeAll(async () => {
    await pgliteTemplate();
    opened = await openLedger({ root: await tempRoot(), role: 'owner', databaseUrl: undefined, serve: false });
  }, 120_000);
  afterAll(async () => {
    await opened?.close();
    removeTempRoots();
  });
  beforeEach(() => opened!.query(tables.map((t) => `DELETE FROM ${t}`).join('; ')));
  return {
    query: <T>(sql: string, params?: unknown[]) => opened!.query<T>(sql, params),
    record: (events: LedgerEvent[]) => opened!.record(events),
    transaction: (fn) => opened!.transaction(fn),
  };
}
