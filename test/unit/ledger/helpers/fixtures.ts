import { cpSync, existsSync, mkdirSync, mkdtempSync, readFileSync, renameSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { PGlite } from '../../../../src/ledger/pgliteModule.ts';
import { loadMigrations } from '../../../../src/ledger/migrate.ts';
import { socketConnectionString } from '../../../../src/ledger/open.ts';
import type { LedgerEvent } from '../../../../src/ledger/types.ts';

/** The migrations this checkout ships (other features add theirs), in order. */
export const SHIPPED = loadMigrations();
export const SHIPPED_FILES = SHIPPED.map((m) => m.file);
export const SHIPPED_VERSIONS = SHIPPED.map((m) => ({ version: m.version }));

const pglitePackage = new URL('../../../../node_modules/@electric-sql/pglite/package.json', import.meta.url);
const pgliteVersion = (JSON.parse(readFileSync(pglitePackage, 'utf8')) as { version: string }).version;
let template: Promise<string> | undefined;

/**
 * A PGlite data directory that has been through initdb (about 6 s) but has no Flywheel schema, shared by every test
 * in the run. Built in a private folder and renamed into place, so parallel test files never see a half-built one.
 */
export function pgliteTemplate(): Promise<string> {
  template ??= (async () => {
    const dir = path.join(os.tmpdir(), `flywheel-test-pglite-${pgliteVersion}`);
    if (existsSync(path.join(dir, 'PG_VERSION'))) return dir;
    const building = mkdtempSync(`${dir}.building-`);
    const db = await PGlite.create({ dataDir: path.join(building, 'data') });
    await db.close();
    try {
      renameSync(path.join(building, 'data'), dir);
    } catch (e) {
      // Another test file won the race: use its copy.
      if (!existsSync(path.join(dir, 'PG_VERSION'))) throw e;
    }
    rmSync(building, { recursive: true, force: true });
    return dir;
  })();
  return template;
}

const roots: string[] = [];

/** A project root in a temp folder; with `ledger: true` it already holds an initialised (unmigrated) embedded ledger. */
export async function tempRoot(opts: { ledger?: boolean } = { ledger: true }): Promise<string> {
  const root = tempDir();
  if (opts.ledger !== false) {
    mkdirSync(path.join(root, '.flywheel'), { recursive: true });
    cpSync(await pgliteTemplate(), path.join(root, '.flywheel', 'ledger'), { recursive: true });
  }
  return root;
}

/** An empty temp folder, removed with the roots. */
export function tempDir(prefix = 'flywheel-ledger-test-'): string {
  const dir = mkdtempSync(path.join(os.tmpdir(), prefix));
  roots.push(dir);
  return dir;
}

export function removeTempRoots(): void {
  for (const r of roots.splice(0)) rmSync(r, { recursive: true, force: true });
}

export function ledgerDir(root: string): string {
  return path.join(root, '.flywheel', 'ledger');
}

export function lockFile(root: string): string {
  return `${ledgerDir(root)}.lock`;
}

/** The owner's socket with the secret from its lock file: what an embedded client connects with. */
export function socketUrl(root: string): string {
  const lock = JSON.parse(readFileSync(lockFile(root), 'utf8')) as { port: number; secret: string };
  return socketConnectionString(lock.port, lock.secret);
}

export function event(key: string, over: Partial<LedgerEvent> = {}): LedgerEvent {
  return { key, type: 'stage.changed', occurredAt: '2026-03-02T09:30:00Z', leadId: 'lead-1', owner: 'jonas-becker', stage: 'sql', ...over };
}

export function events(prefix: string, n: number, over: Partial<LedgerEvent> = {}): LedgerEvent[] {
  return Array.from({ length: n }, (_, i) => event(`${prefix}-${i}`, over));
}
