import { existsSync } from 'node:fs';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { openLedger } from '../../../src/ledger/open.ts';
import { pgliteStartParams } from '../../../src/ledger/pglite.ts';
import { event, ledgerDir, removeTempRoots, tempRoot } from './helpers/fixtures.ts';

afterAll(removeTempRoots);

describe("the embedded ledger's memory settings", () => {
  it('starts PGlite with a 32MB buffer cache unless FLYWHEEL_LEDGER_SHARED_BUFFERS says otherwise', () => {
    expect(pgliteStartParams({}).slice(-2)).toEqual(['-c', 'shared_buffers=32MB']);
    expect(pgliteStartParams({ FLYWHEEL_LEDGER_SHARED_BUFFERS: '128MB' }).slice(-2)).toEqual(['-c', 'shared_buffers=128MB']);
    // PGlite's own parameters stay (single-user mode, no parallel workers).
    expect(pgliteStartParams({})).toContain('--single');
    // The upkeep's ANALYZE sample and VACUUM memory, small for the same reason (maintenance.ts).
    expect(pgliteStartParams({}).join(' ')).toContain('-c default_statistics_target=10 -c maintenance_work_mem=8MB');
    expect(() => pgliteStartParams({ FLYWHEEL_LEDGER_SHARED_BUFFERS: '32MB; drop table' })).toThrow(/FLYWHEEL_LEDGER_SHARED_BUFFERS must be a Postgres size/);
  });

  it('initialises a new directory in a child process, then opens and reopens it in this one', async () => {
    const root = await tempRoot({ ledger: false });
    const open = () => openLedger({ root, role: 'owner', databaseUrl: undefined, serve: false, initInChild: true });
    const first = await open();
    try {
      expect(existsSync(path.join(ledgerDir(root), 'PG_VERSION'))).toBe(true);
      expect(await first.query<{ shared_buffers: string }>('SHOW shared_buffers')).toEqual([{ shared_buffers: '32MB' }]);
      expect(await first.record([event('child-init-1')])).toEqual({ inserted: 1, duplicates: 0 });
    } finally {
      await first.close();
    }
    // Initialised: no child this time, and the row is still there.
    const again = await open();
    try {
      expect(await again.query(`SELECT event_key FROM ledger_events WHERE event_key = 'child-init-1'`)).toEqual([{ event_key: 'child-init-1' }]);
    } finally {
      await again.close();
    }
  });
});
