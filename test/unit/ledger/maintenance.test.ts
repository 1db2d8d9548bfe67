import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { dueWork, workStatement } from '../../../src/ledger/maintenance.ts';
import { EmbeddedLedger } from '../../../src/ledger/pglite.ts';
import { openLedger } from '../../../src/ledger/open.ts';
import { pgliteTemplate, removeTempRoots, tempRoot } from './helpers/fixtures.ts';

describe('which tables are due (autovacuum thresholds)', () => {
  const stats = (table: string, live: number, dead: number, modified: number, inserted: number) => ({ table, live, dead, modifiedSinceAnalyze: modified, insertedSinceVacuum: inserted });

  it('analyzes past 50 + 10% changed rows, vacuums past 50 + 20% dead rows or 1,000 + 20% inserted, leaves the rest', () => {
    expect(
      dueWork([stats('quiet', 1000, 10, 100, 100), stats('changed', 1000, 10, 151, 100), stats('dead', 1000, 251, 0, 0), stats('appended', 1000, 0, 0, 1201), stats('new', 0, 0, 51, 51)]),
    ).toEqual([
      { table: 'changed', vacuum: false, analyze: true },
      { table: 'dead', vacuum: true, analyze: false },
      { table: 'appended', vacuum: true, analyze: false },
      { table: 'new', vacuum: false, analyze: true },
    ]);
  });

  it('quotes the table name and runs VACUUM alone', () => {
    expect(workStatement({ table: 'lead_assignments', vacuum: false, analyze: true })).toBe('ANALYZE "lead_assignments"');
    expect(workStatement({ table: 'odd"name', vacuum: true, analyze: true })).toBe('VACUUM (ANALYZE true) "odd""name"');
    expect(workStatement({ table: 't', vacuum: true, analyze: false })).toBe('VACUUM (ANALYZE false) "t"');
  });
});

describe('upkeep of the embedded ledger', () => {
  let ledger: EmbeddedLedger;
  beforeAll(async () => {
    await pgliteTemplate();
    const opened = await openLedger({ root: await tempRoot(), role: 'owner', databaseUrl: undefined, serve: false });
    if (!(opened instanceof EmbeddedLedger)) throw new Error('expected the embedded ledger');
    ledger = opened;
  }, 120_000);
  afterAll(async () => {
    await ledger?.close();
    removeTempRoots();
  });

  const tableStats = async (table: string) =>
    (
      await ledger.query<{ analyzes: number; vacuums: number; dead: number }>(
        `SELECT analyze_count::int AS analyzes, vacuum_count::int AS vacuums, n_dead_tup::int AS dead FROM pg_stat_user_tables WHERE relname = $1`,
        [table],
      )
    )[0]!;
  // Statistics reach the view in batches; this makes the next batch go now, as the periodic upkeep would see later.
  const flushStats = () => ledger.query('SELECT pg_stat_force_next_flush()');

  it('analyzes a table that grew and vacuums one whose rows were released, then finds nothing due', async () => {
    for (let i = 0; i < 300; i++) {
      await ledger.query(`INSERT INTO lead_assignments (assignment_key, lead_id, rep, queue, strategy, assigned_at) VALUES ($1, $2, 'r1', 'q', 'weighted-round-robin', now())`, [`m-${i}:0`, `m-${i}`]);
    }
    await ledger.query(`UPDATE lead_assignments SET released_at = now(), release_reason = 'lost' WHERE lead_id LIKE 'm-%'`);
    await flushStats();
    const before = await tableStats('lead_assignments');
    const done = await ledger.maintain();
    expect(done).toContainEqual({ table: 'lead_assignments', vacuum: true, analyze: true });
    await flushStats();
    const after = await tableStats('lead_assignments');
    expect(after).toEqual({ analyzes: before.analyzes + 1, vacuums: before.vacuums + 1, dead: 0 });
    expect((await ledger.maintain()).map((w) => w.table)).not.toContain('lead_assignments');
  });
});
