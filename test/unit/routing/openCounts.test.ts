import { describe, expect, it } from 'vitest';
import { loadConfig } from '../../../src/config/load.ts';
import { claimPooled, openCounts, recordPlacement, releaseLead } from '../../../src/routing/assignmentStore.ts';
import { emptyLedgerPerTest } from '../ledger/helpers/emptyLedger.ts';

// Capacity checks read the per-rep counts the ledger keeps beside lead_assignments (migration 0010). Whatever the
// assignments go through, those counts must equal counting the open rows, as the check did before.
const config = loadConfig('config/flywheel.yaml').config;
const ledger = emptyLedgerPerTest(['lead_assignments']);
const reps = ['anna-schmidt', 'lukas-meyer', 'mia-kowalski'];
const T0 = Date.parse('2026-12-07T10:00:00Z');

async function counted(): Promise<Map<string, number>> {
  const rows = await ledger.query<{ rep: string; n: number }>('SELECT rep, count(*)::int AS n FROM lead_assignments WHERE released_at IS NULL AND rep IS NOT NULL GROUP BY rep');
  return new Map(rows.map((r) => [r.rep, r.n]));
}

async function kept(): Promise<Map<string, number>> {
  const all = await ledger.transaction((tx) => openCounts(tx, reps));
  return new Map([...all].filter(([, n]) => n > 0));
}

function place(leadId: string, attempt: number, rep: string | null, pool: string | null = null) {
  return ledger.transaction((tx) =>
    recordPlacement(
      tx,
      { key: `${leadId}:${attempt}`, leadId, at: T0 + attempt, exclude: new Set() },
      { rep, pool, queue: pool ?? 'enterprise-emea', strategy: pool ? 'pool' : 'weighted-round-robin', skipped: [] },
    ),
  );
}

describe('open assignments per rep', () => {
  it('follow placements, reassignments, releases, claimed pooled leads, held leads, deleted rows and an emptied table', async () => {
    const steps: [string, () => Promise<unknown>][] = [
      ['three placements', async () => Promise.all([place('c-1', 0, 'anna-schmidt'), place('c-2', 0, 'anna-schmidt'), place('c-3', 0, 'lukas-meyer')])],
      ['a reassignment (release and insert in one placement)', () => place('c-1', 1, 'lukas-meyer')],
      ['a held lead and a pooled lead (no rep)', async () => Promise.all([place('c-4', 0, null), place('c-5', 0, null, 'smb-pool')])],
      ['a pooled lead claimed by its first toucher', () => ledger.transaction((tx) => claimPooled(tx, config, 'c-5', 'mia-kowalski', 'smb-pool'))],
      ['a release (lost)', () => ledger.transaction((tx) => releaseLead(tx, 'c-2', T0 + 10, 'lost'))],
      ['a deleted row', () => ledger.query("DELETE FROM lead_assignments WHERE lead_id = 'c-3'")],
    ];
    const seen: string[] = [];
    for (const [what, step] of steps) {
      await step();
      seen.push(what);
      expect({ after: seen.at(-1), counts: await kept() }).toEqual({ after: what, counts: await counted() });
    }
    expect(await kept()).toEqual(
      new Map([
        ['lukas-meyer', 1],
        ['mia-kowalski', 1],
      ]),
    );
    await ledger.query('TRUNCATE lead_assignments');
    expect(await kept()).toEqual(new Map());
  });
});
