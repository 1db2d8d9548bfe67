import type { Ledger, LedgerEvent } from '../src/ledger/types.ts';

export function createLedgerActivities(ledger: Ledger) {
  return {
    /** Idempotent by event key, so a retried activity or a replayed workflow never double-counts. */
    async recordLedgerEvents(events: LedgerEvent[]): Promise<{ inserted: number; duplicates: number; mode: string }> {
      const r = await ledger.record(events);
      return { ...r, mode: ledger.mode };
    },
  };
}
