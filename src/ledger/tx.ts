import { AsyncLocalStorage } from 'node:async_hooks';
import { LedgerError, LedgerNestedCallError, LedgerTransactionAbortedError } from './errors.ts';
import { RECORD_SQL, insertedCount, recordParams } from './insert.ts';
import type { LedgerEvent, LedgerTx, RecordResult } from './types.ts';
import { validateEvents } from './validate.ts';

type Run = <T>(sql: string, params: unknown[]) => Promise<T[]>;

/** Validation, the one INSERT, and its count: the same for a ledger and a transaction, in every mode. */
export async function recordWith(run: Run, events: LedgerEvent[]): Promise<RecordResult> {
  validateEvents(events);
  if (events.length === 0) return { inserted: 0, duplicates: 0 };
  return insertedCount(await run<{ inserted: number }>(RECORD_SQL, recordParams(events)), events.length);
}

/**
 * Knows whether the current async call chain is inside one of this ledger's transactions, so that calling the
 * ledger itself from there fails at once instead of waiting forever for the transaction it is part of.
 */
export class TransactionScope {
  readonly #inside = new AsyncLocalStorage<true>();

  assertOutside(): void {
    if (this.#inside.getStore()) throw new LedgerNestedCallError();
  }

  /**
   * Calls fn with a LedgerTx over `run`, and throws (so the caller rolls back) if any statement failed, even when fn
   * caught the error: PostgreSQL has aborted the transaction by then, and COMMIT would silently roll it back.
   */
  async run<T>(run: Run, fn: (tx: LedgerTx) => Promise<T>): Promise<T> {
    let ended = false;
    let failure: unknown;
    const query: Run = async (sql, params) => {
      if (ended) throw new LedgerError('this transaction has ended; use the ledger, or start another transaction');
      try {
        return await run(sql, params);
      } catch (e) {
        failure ??= e;
        throw e;
      }
    };
    const tx: LedgerTx = {
      query: (sql, params = []) => query(sql, params),
      record: (events) => recordWith(query, events),
    };
    try {
      const out = await this.#inside.run(true, () => fn(tx));
      if (failure !== undefined) throw new LedgerTransactionAbortedError(failure);
      return out;
    } finally {
      ended = true;
    }
  }
}
