import type { LoadedConfig } from '../src/config/types.ts';
import type { Ledger, LedgerEvent } from '../src/ledger/types.ts';
import { printable } from '../workflows/shared/failures.ts';
import { classify } from './failures.ts';

export function createLedgerActivities(ledger: Ledger, config?: LoadedConfig) {
  const teamOf = (rep: string | undefined) => (rep ? config?.config.reps.find((r) => r.id === rep)?.team : undefined);
  return {
    /**
     * Idempotent by event key, so a retried activity or a replayed workflow never double-counts. Workflows know a
     * row's owner, not the org chart: the owner's team is filled in here, so per-team metrics need no join.
     * A row the ledger refuses (bad data) must not take the rest of the batch with it, nor stall the record by
     * retrying: the others are written and the refused one is replaced by a `*.failed` row naming the cause.
     */
    async recordLedgerEvents(events: LedgerEvent[]): Promise<{ inserted: number; duplicates: number; mode: string; refused?: string[] }> {
      const rows = events.map((e) => (e.team !== undefined ? e : { ...e, team: teamOf(e.owner) }));
      try {
        return { ...(await ledger.record(rows)), mode: ledger.mode };
      } catch (e) {
        if (!classify(e)) throw e;
      }
      let inserted = 0;
      let duplicates = 0;
      const refused: string[] = [];
      for (const row of rows) {
        try {
          const r = await ledger.record([row]);
          inserted += r.inserted;
          duplicates += r.duplicates;
        } catch (e) {
          if (!classify(e)) throw e;
          refused.push(row.key);
          const r = await ledger.record([refusedRow(row, e as Error)]);
          inserted += r.inserted;
          duplicates += r.duplicates;
        }
      }
      return { inserted, duplicates, mode: ledger.mode, refused };
    },
  };
}

/** What stands in the ledger for a row it refused: which row, and why, with none of the row's own (bad) data. */
export function refusedRow(row: LedgerEvent, cause: Error): LedgerEvent {
  const at = typeof row.occurredAt === 'string' && !Number.isNaN(Date.parse(row.occurredAt)) ? row.occurredAt : new Date().toISOString();
  return {
    key: `${printable(String(row.key)).slice(0, 400)}:failed`,
    type: row.leadId || !row.accountId ? 'lead.failed' : 'account.failed',
    occurredAt: at,
    leadId: row.leadId === undefined ? undefined : printable(String(row.leadId)),
    accountId: row.accountId === undefined ? undefined : printable(String(row.accountId)),
    workflowId: row.workflowId === undefined ? undefined : printable(String(row.workflowId)),
    owner: row.owner === undefined ? undefined : printable(String(row.owner)),
    team: row.team,
    data: { what: 'ledger row refused', refusedType: row.type, refusedKey: printable(String(row.key)), cause: printable(cause.message) },
  };
}
