import os from 'node:os';
import path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { LedgerError, LedgerLockedError } from './errors.ts';
import { inspectLock, lockPathFor, type LockInfo } from './lock.ts';
import { loadMigrations } from './migrate.ts';
import { PgLedger } from './pg.ts';
import { EmbeddedLedger } from './pglite.ts';
import type { MigrationFile, OpenedLedger } from './types.ts';

export const DEFAULT_EMBEDDED_DIR = '.flywheel/ledger';

export interface OpenLedgerOptions {
  /** Project root; a relative embeddedDir is resolved against it. */
  root: string;
  embeddedDir?: string;
  /**
   * PostgreSQL connection string. When the property is absent, DATABASE_URL is used; passing `undefined` explicitly
   * means "no PostgreSQL" (tests use that to get an embedded ledger whatever the environment says).
   */
  databaseUrl?: string | undefined;
  /**
   * Embedded only. owner: open the directory in this process (fails if another process has it). client: connect to
   * the owner's socket. auto: client if a live owner exists, else owner.
   */
  role?: 'owner' | 'client' | 'auto';
  /** How long to wait for an owner that is still opening the directory before its socket is up (default 60 s). */
  startupTimeoutMs?: number;
  /** Serve other processes through a socket when owner (default true). */
  serve?: boolean;
  /** Embedded owner of a new directory: run initdb in a child process (long-running processes; see EmbeddedOpenOptions). */
  initInChild?: boolean;
  /** Another migrations folder (tests). */
  migrationsDir?: URL;
}

export async function openLedger(opts: OpenLedgerOptions): Promise<OpenedLedger> {
  const files = loadMigrations(opts.migrationsDir);
  const target = ledgerTarget(opts);
  if (target.kind === 'postgres') return PgLedger.open({ connectionString: target.url, mode: 'postgres', migrations: files, migrate: true });
  return openEmbedded(target.dataDir, opts.role ?? 'auto', files, opts);
}

/** Where openLedger would go, without opening anything (the CLI uses it to avoid creating a ledger just to report on it). */
export function ledgerTarget(opts: Pick<OpenLedgerOptions, 'root' | 'embeddedDir' | 'databaseUrl'>): { kind: 'postgres'; url: string } | { kind: 'embedded'; dataDir: string; lockFile: string } {
  const url = 'databaseUrl' in opts ? opts.databaseUrl : process.env.DATABASE_URL;
  // An empty DATABASE_URL (a blank line in .env) means unset, not "connect to defaults".
  if (url && url.trim() !== '') return { kind: 'postgres', url };
  const dataDir = path.resolve(opts.root, opts.embeddedDir ?? DEFAULT_EMBEDDED_DIR);
  return { kind: 'embedded', dataDir, lockFile: lockPathFor(dataDir) };
}

async function openEmbedded(dataDir: string, role: 'owner' | 'client' | 'auto', files: readonly MigrationFile[], opts: OpenLedgerOptions): Promise<OpenedLedger> {
  const display = displayPath(dataDir);
  const lockFile = lockPathFor(dataDir);
  const deadline = performance.now() + (opts.startupTimeoutMs ?? 60_000);
  for (;;) {
    const seen = inspectLock(lockFile);
    if (role === 'owner' || (role === 'auto' && seen.state !== 'held' && seen.state !== 'busy')) {
      const r = await EmbeddedLedger.open({ dataDir, displayDir: display, migrations: files, serve: opts.serve, initInChild: opts.initInChild });
      if (r.ok) return r.ledger;
      if (role === 'owner') throw lockedError(display, lockFile, r.holder);
      continue; // auto: another process won the race to own it; connect to that one.
    }
    if (seen.state === 'held') {
      if (seen.info.host !== os.hostname()) throw lockedError(display, lockFile, seen.info);
      if (seen.info.port !== null) {
        if (seen.info.secret === null) {
          throw new LedgerError(`process ${seen.info.pid} serves the embedded ledger at ${display} without a socket secret in ${displayPath(lockFile)} ` + `(an older Flywheel?); restart it`);
        }
        const client = await connectToOwner(seen.info, seen.info.port, seen.info.secret, display, files).catch((e: unknown) => e as Error);
        if (!(client instanceof Error)) return client;
        // The owner may have stopped between our read and the connect: look again before blaming it.
        const now = inspectLock(lockFile);
        if (now.state === 'held' && now.info.startedAt === seen.info.startedAt) {
          throw new LedgerError(
            `process ${seen.info.pid} holds the embedded ledger at ${display}, but its socket 127.0.0.1:${seen.info.port} does not answer ` +
              `(${client.message}). If process ${seen.info.pid} is not Flywheel, delete ${displayPath(lockFile)}.`,
            { cause: client },
          );
        }
        continue;
      }
    } else if (role === 'client' && seen.state !== 'busy') {
      throw new LedgerError(`no process has the embedded ledger at ${display} open; start \`flywheel dev\`, or set DATABASE_URL`);
    }
    // The owner is still opening (its port is not in the lock yet), or the lock is being written right now.
    if (performance.now() > deadline) {
      const who = seen.state === 'held' ? `process ${seen.info.pid}` : 'another process';
      throw new LedgerError(`${who} is opening the embedded ledger at ${display} but has not opened its socket in time; try again when it is up`);
    }
    await sleep(50);
  }
}

function connectToOwner(owner: LockInfo, port: number, secret: string, display: string, files: readonly MigrationFile[]): Promise<PgLedger> {
  return PgLedger.open({
    connectionString: socketConnectionString(port, secret),
    mode: 'embedded-client',
    description: `embedded ledger at ${display}, through process ${owner.pid} on 127.0.0.1:${port}`,
    migrations: files,
    migrate: false,
  });
}

/**
 * How a process reaches an owner's socket. Any user and database name do; the password is the secret from the lock
 * file (hex, so it needs no escaping), checked with SCRAM (socketAuth.ts). No TLS: only this machine reaches
 * 127.0.0.1. The string holds the secret: never print it (the ledger's description names the directory instead).
 */
export function socketConnectionString(port: number, secret: string): string {
  return `postgres://postgres:${secret}@127.0.0.1:${port}/postgres?sslmode=disable`;
}

function lockedError(display: string, lockFile: string, holder: LockInfo): LedgerLockedError {
  const where = holder.host === os.hostname() ? `process ${holder.pid}` : `process ${holder.pid} on host ${holder.host}`;
  return new LedgerLockedError(
    `The embedded ledger at ${display} is open in ${where} (flywheel dev?). Stop it, or run this command while it runs ` + `(it connects through its socket), or set DATABASE_URL.`,
    lockFile,
    holder.pid,
  );
}

export function displayPath(abs: string): string {
  const rel = path.relative(process.cwd(), abs);
  return rel && !rel.startsWith('..') && !path.isAbsolute(rel) ? rel : abs;
}
