import { cpSync, existsSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { PGlite } from '../../../src/ledger/pgliteModule.ts';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { LedgerMigrationError } from '../../../src/ledger/errors.ts';
import { MIGRATIONS_DIR, checksum, loadMigrations } from '../../../src/ledger/migrate.ts';
import { openLedger } from '../../../src/ledger/open.ts';
import { SHIPPED, SHIPPED_FILES, SHIPPED_VERSIONS, ledgerDir, lockFile, pgliteTemplate, removeTempRoots, tempDir, tempRoot } from './helpers/fixtures.ts';

beforeAll(() => pgliteTemplate(), 120_000);
afterAll(removeTempRoots);

/** A copy of the real migrations folder that a test may edit. */
function migrationsCopy(edit: (dir: string) => void = () => undefined): URL {
  const dir = tempDir('flywheel-migrations-');
  cpSync(MIGRATIONS_DIR, dir, { recursive: true });
  edit(dir);
  return pathToFileURL(`${dir}/`);
}

const open = (root: string, migrationsDir?: URL) => openLedger({ root, role: 'owner', databaseUrl: undefined, migrationsDir });

describe('migrations', () => {
  it('apply once, in a transaction each, and are recorded with their checksum', async () => {
    const root = await tempRoot();
    const first = await open(root);
    expect(first.migrationsApplied.map((m) => m.file)).toEqual(SHIPPED_FILES);
    expect(SHIPPED_FILES[0]).toBe('0001_ledger_events.sql');
    const rows = await first.query<{ version: number; name: string; checksum: string; applied_at: Date }>('SELECT * FROM schema_migrations ORDER BY version');
    const sql = readFileSync(new URL('0001_ledger_events.sql', MIGRATIONS_DIR), 'utf8');
    expect(rows[0]).toEqual({ version: 1, name: 'ledger_events', checksum: checksum(sql), applied_at: expect.any(Date) });
    expect(rows.map((r) => r.checksum)).toEqual(SHIPPED.map((m) => m.checksum));
    await first.close();

    const again = await open(root);
    expect(again.migrationsApplied).toEqual([]);
    expect(await again.query('SELECT version FROM schema_migrations ORDER BY version')).toEqual(SHIPPED_VERSIONS);
    const status = await again.migrationStatus();
    expect(status.pending).toEqual([]);
    expect(status.applied.map((a) => a.version)).toEqual(SHIPPED.map((m) => m.version));
    await again.close();
  });

  it('apply a new file on the next open, and only that one', async () => {
    const root = await tempRoot();
    await (await open(root)).close();
    const dir = migrationsCopy((d) => writeFileSync(path.join(d, '9001_stage_index.sql'), 'CREATE INDEX ledger_events_stage ON ledger_events (stage);\n'));
    const l = await open(root, dir);
    expect(l.migrationsApplied.map((m) => m.file)).toEqual(['9001_stage_index.sql']);
    expect(await l.query(`SELECT indexname FROM pg_indexes WHERE indexname = 'ledger_events_stage'`)).toHaveLength(1);
    await l.close();
  });

  it('refuse to run when an applied migration was edited, and release the lock', async () => {
    const root = await tempRoot();
    await (await open(root)).close();
    const dir = migrationsCopy((d) => writeFileSync(path.join(d, '0001_ledger_events.sql'), `${readFileSync(path.join(d, '0001_ledger_events.sql'), 'utf8')}\n-- tweak\n`));
    await expect(open(root, dir)).rejects.toThrow(
      /^migration 0001_ledger_events\.sql was changed after it was applied \(applied checksum [0-9a-f]{12}, file now [0-9a-f]{12}\)\. Applied migrations are immutable/,
    );
    await expect(open(root, dir)).rejects.toBeInstanceOf(LedgerMigrationError);
    expect(existsSync(lockFile(root))).toBe(false);
    await (await open(root)).close();
  });

  it('treat CRLF line endings as the same file', async () => {
    const root = await tempRoot();
    await (await open(root)).close();
    const dir = migrationsCopy((d) => {
      const f = path.join(d, '0001_ledger_events.sql');
      writeFileSync(f, readFileSync(f, 'utf8').replace(/\n/g, '\r\n'));
    });
    await (await open(root, dir)).close();
  });

  it('roll back a failing migration completely', async () => {
    const root = await tempRoot();
    const dir = migrationsCopy((d) => writeFileSync(path.join(d, '9001_broken.sql'), 'CREATE TABLE half_done (id int);\nSELECT no_such_function();\n'));
    await expect(open(root, dir)).rejects.toThrow(/no_such_function/);
    const l = await open(root);
    expect(await l.query(`SELECT to_regclass('half_done') IS NULL AS gone`)).toEqual([{ gone: true }]);
    expect(await l.query('SELECT version FROM schema_migrations ORDER BY version')).toEqual(SHIPPED_VERSIONS);
    await l.close();
  });

  it('refuse a new migration numbered below one already applied', async () => {
    const root = await tempRoot();
    const later = migrationsCopy((d) => writeFileSync(path.join(d, '9003_later.sql'), 'SELECT 1;\n'));
    await (await open(root, later)).close();
    const late = migrationsCopy((d) => {
      writeFileSync(path.join(d, '9003_later.sql'), 'SELECT 1;\n');
      writeFileSync(path.join(d, '9002_merged_late.sql'), 'SELECT 2;\n');
    });
    await expect(open(root, late)).rejects.toThrow('migration 9002_merged_late.sql is numbered below 9003, which is already applied; renumber it after the newest migration');
  });

  it('report migrations applied by a newer Flywheel without failing', async () => {
    const root = await tempRoot();
    await (
      await open(
        root,
        migrationsCopy((d) => writeFileSync(path.join(d, '9002_newer.sql'), 'SELECT 1;\n')),
      )
    ).close();
    const l = await open(root);
    expect((await l.migrationStatus()).unknown.map((u) => u.name)).toEqual(['newer']);
    await l.close();
  });

  it("refuse a schema_migrations table that is not Flywheel's", async () => {
    const root = await tempRoot();
    const db = await PGlite.create({ dataDir: ledgerDir(root) });
    await db.exec('CREATE TABLE schema_migrations (version bigint PRIMARY KEY, dirty boolean)');
    await db.close();
    await expect(open(root)).rejects.toThrow(/already has a schema_migrations table that is not Flywheel's \(no column "name"\)/);
  });

  it('refuse badly named and duplicate migration files', () => {
    expect(() => loadMigrations(migrationsCopy((d) => writeFileSync(path.join(d, '2_bad.sql'), '')))).toThrow('migration file 2_bad.sql must be named NNNN_lowercase_name.sql');
    expect(() => loadMigrations(migrationsCopy((d) => writeFileSync(path.join(d, '0001_again.sql'), '')))).toThrow(/have the same version 0001/);
  });
});
