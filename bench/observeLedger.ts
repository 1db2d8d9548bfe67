import type { Ledger, LedgerEvent, LedgerTx } from '../src/ledger/types.ts';

/**
 * The ledger as the activities see it, reporting when a `lead.assigned` row has committed. assignLead writes the
 * placement and that row in one transaction, so the commit is the instant a lead has its owner: timing it here,
 * in-process, needs no polling and no clock other than the bench's own.
 */
export function observeAssignments(ledger: Ledger, committed: (leadId: string, owner: string | null, at: number) => void): Ledger {
  return {
    get mode() {
      return ledger.mode;
    },
    get description() {
      return ledger.description;
    },
    record: (events) => ledger.record(events),
    query: <T>(sql: string, params?: unknown[]) => ledger.query<T>(sql, params),
    ping: () => ledger.ping(),
    close: () => ledger.close(),
    async transaction<T>(fn: (tx: LedgerTx) => Promise<T>): Promise<T> {
      const assigned: LedgerEvent[] = [];
      const result = await ledger.transaction((tx) =>
        fn({
          query: <R>(sql: string, params?: unknown[]) => tx.query<R>(sql, params),
          async record(events) {
            const r = await tx.record(events);
            assigned.push(...events.filter((e) => e.type === 'lead.assigned' && e.leadId));
            return r;
          },
        }),
      );
      // Only now has the transaction committed; a rolled-back one threw above and reports nothing.
      const at = performance.now();
      for (const e of assigned) committed(e.leadId!, e.owner ?? null, at);
      return result;
    },
  };
}
