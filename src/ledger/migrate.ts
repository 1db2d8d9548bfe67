import { createHash } from 'node:crypto';
import { readdirSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { LedgerMigrationError } from './errors.ts';
import type { AppliedMigration, MigrationFile, MigrationStatus } from './types.ts';

// Read from disk beside the code: tsx runs the sources directly, so there is no build step to embed them.
export const MIGRATIONS_DIR = new URL('./migrations/', import.meta.url);
const FILE_NAME = /^(\d{4})_([a-z0-9_]+)\.sql$/;

/** The statements a migration runs in; the driver decides what a transaction is and which lock it holds. */
export interface MigrationTx {
  query<T = Record<string, unknown>>(sql: string, params?: unknown[]): Promise<T[]>;
  /** Several statements, no parameters. */
  exec(sql: string): Promise<void>;
}

export interface MigrationDriver {
  /** Runs fn in one transaction; on PostgreSQL it first takes the migration advisory lock. */
  transaction<T>(fn: (tx: MigrationTx) => Promise<T>): Promise<T>;
}

const TABLE_PRESENT = `SELECT to_regclass('schema_migrations') IS NOT NULL AS present`;
const CREATE_TABLE = `
CREATE TABLE schema_migrations (
  version    integer PRIMARY KEY,
  name       text NOT NULL,
  applied_at timestamptz NOT NULL DEFAULT now(),
  checksum   text NOT NULL
)`;

export function loadMigrations(dir: URL = MIGRATIONS_DIR): MigrationFile[] {
  const files: MigrationFile[] = [];
  for (const file of readdirSync(dir).sort()) {
    if (!file.endsWith('.sql')) continue;
    const m = FILE_NAME.exec(file);
    if (!m) throw new LedgerMigrationError(`migration file ${file} must be named NNNN_lowercase_name.sql`);
    // Line endings are normalised so a Windows checkout (autocrlf) doesn't look like an edited migration.
    const sql = readFileSync(new URL(file, dir), 'utf8').replace(/\r\n/g, '\n');
    const version = Number(m[1]);
    const clash = files.find((f) => f.version === version);
    if (clash) throw new LedgerMigrationError(`migrations ${clash.file} and ${file} have the same version ${m[1]}`);
    files.push({ version, name: m[2]!, file, sql, checksum: checksum(sql) });
  }
  if (files.length === 0) throw new LedgerMigrationError(`no migrations found in ${fileURLToPath(dir)}`);
  return files;
}

export function checksum(sql: string): string {
  return createHash('sha256').update(sql).digest('hex');
}

/**
 * Applies pending migrations in order, each in its own transaction together with its schema_migrations row, so a
 * failure leaves the ledger at the last good version. Each transaction re-reads what is applied after taking the
 * driver's lock, so two processes starting at once apply every migration exactly once.
 */
export async function applyMigrations(driver: MigrationDriver, files: readonly MigrationFile[]): Promise<MigrationFile[]> {
  const pending = await driver.transaction(async (tx) => {
    const [table] = await tx.query<{ present: boolean }>(TABLE_PRESENT);
    // Checked first instead of IF NOT EXISTS, which would send a NOTICE on every start.
    if (!table?.present) await tx.exec(CREATE_TABLE);
    else await assertOwnTable(tx);
    return compare(await readApplied(tx), files).pending;
  });
  const applied: MigrationFile[] = [];
  for (const file of pending) {
    const done = await driver.transaction(async (tx) => {
      // Another process may have applied it between our read and this lock.
      if (!compare(await readApplied(tx), files).pending.some((p) => p.version === file.version)) return false;
      await tx.exec(file.sql);
      await tx.query('INSERT INTO schema_migrations (version, name, checksum) VALUES ($1, $2, $3)', [file.version, file.name, file.checksum]);
      return true;
    });
    if (done) applied.push(file);
  }
  return applied;
}

/** Read-only: works for every mode, including an embedded client that may not migrate. */
export async function readMigrationStatus(query: MigrationTx['query'], files: readonly MigrationFile[]): Promise<MigrationStatus> {
  const [exists] = await query<{ present: boolean }>(TABLE_PRESENT);
  if (!exists?.present) return { applied: [], pending: [...files], unknown: [] };
  return compare(await readApplied({ query }), files, { verifyOrder: false });
}

async function readApplied(tx: Pick<MigrationTx, 'query'>): Promise<AppliedMigration[]> {
  const rows = await tx.query<{ version: number; name: string; applied_at: Date; checksum: string }>('SELECT version, name, applied_at, checksum FROM schema_migrations ORDER BY version');
  return rows.map((r) => ({ version: r.version, name: r.name, appliedAt: r.applied_at, checksum: r.checksum }));
}

/** Refuses an edited applied migration and a new one numbered below the newest applied (e.g. from a late merge). */
function compare(applied: AppliedMigration[], files: readonly MigrationFile[], opts = { verifyOrder: true }): MigrationStatus {
  const byVersion = new Map(files.map((f) => [f.version, f]));
  for (const a of applied) {
    const f = byVersion.get(a.version);
    if (f && f.checksum !== a.checksum) {
      throw new LedgerMigrationError(
        `migration ${f.file} was changed after it was applied (applied checksum ${a.checksum.slice(0, 12)}, file now ${f.checksum.slice(0, 12)}). ` +
          'Applied migrations are immutable: restore the file and put the change in a new migration.',
      );
    }
  }
  const appliedVersions = new Set(applied.map((a) => a.version));
  const pending = files.filter((f) => !appliedVersions.has(f.version));
  const newest = Math.max(0, ...applied.map((a) => a.version));
  const late = pending.find((p) => p.version < newest);
  if (opts.verifyOrder && late) {
    throw new LedgerMigrationError(`migration ${late.file} is numbered below ${String(newest).padStart(4, '0')}, which is already applied; renumber it after the newest migration`);
  }
  return { applied: applied.filter((a) => byVersion.has(a.version)), pending, unknown: applied.filter((a) => !byVersion.has(a.version)) };
}

// `schema_migrations` is a common name (Rails, golang-migrate); in a shared database it may belong to another tool.
async function assertOwnTable(tx: MigrationTx): Promise<void> {
  // The table that unqualified `schema_migrations` resolves to on this search_path, which is the one we write.
  const cols = await tx.query<{ column_name: string }>(
    `SELECT attname AS column_name FROM pg_attribute
     WHERE attrelid = to_regclass('schema_migrations') AND attnum > 0 AND NOT attisdropped`,
  );
  const names = new Set(cols.map((c) => c.column_name));
  for (const c of ['version', 'name', 'applied_at', 'checksum']) {
    if (!names.has(c)) {
      throw new LedgerMigrationError(
        `the database already has a schema_migrations table that is not Flywheel's (no column "${c}"). ` +
          'Give Flywheel its own database, or its own schema via DATABASE_URL (e.g. ?options=-c%20search_path%3Dflywheel).',
      );
    }
  }
}
