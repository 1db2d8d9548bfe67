import type { LoadedConfig } from '../src/config/types.ts';
import type { Ledger, LedgerEvent } from '../src/ledger/types.ts';

export function createLedgerActivities(ledger: Ledger, config?: LoadedConfig) {
  const teamOf = (rep: string | undefined) => (rep ? config?.config.reps.find((r) => r.id === rep)?.team : undefined);
  return {
    /**
     * Idempotent by event key, so a retried activity or a replayed workflow never double-counts. Workflows know a
     * row's owner, not the org chart: the owner's team is filled in here, so per-team metrics need no join.
     */
    async recordLedgerEvents(events: LedgerEvent[]): Promise<{ inserted: number; duplicates: number; mode: string }> {
      const r = await ledger.record(events.map((e) => (e.team !== undefined ? e : { ...e, team: teamOf(e.owner) })));
      return { ...r, mode: ledger.mode };
    },
  };
}
