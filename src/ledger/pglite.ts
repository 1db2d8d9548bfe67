import { existsSync, mkdirSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { PGlite } from './pgliteModule.ts';
import { PGLiteSocketServer } from './pgliteModule.ts';
import { runTsxChild } from '../runtime/tsxChild.ts';
import { LedgerError, LedgerOpenTransactionError } from './errors.ts';
import { acquireLock, lockPathFor, type LockHandle, type LockInfo } from './lock.ts';
import { applyMigrations, readMigrationStatus, type MigrationDriver } from './migrate.ts';
import { TEXT_PARSERS } from './parsers.ts';
import { LedgerMaintenance, MAINTENANCE_INTERVAL_MS, type TableWork } from './maintenance.ts';
import { WireSession } from './pgliteWire.ts';
import { SessionGate } from './sessionGate.ts';
import { newSocketSecret, requireSecret, type SocketAuth } from './socketAuth.ts';
import { TransactionScope, recordWith } from './tx.ts';
import type { LedgerEvent, LedgerTx, MigrationFile, MigrationStatus, OpenedLedger, RecordResult } from './types.ts';

export interface EmbeddedOpenOptions {
  dataDir: string;
  /** How to name the directory in messages (relative to the working directory when possible). */
  displayDir: string;
  migrations: readonly MigrationFile[];
  /** Serve other local processes through a socket (default true). */
  serve?: boolean;
  /**
   * A new directory is initialised (initdb) in a child process. initdb runs a second Postgres in this one and leaves
   * ~120 MiB of freed-but-kept native memory behind, which a long-running process (dev stack, worker) keeps for life.
   */
  initInChild?: boolean;
}

export type EmbeddedOpenResult = { ok: true; ledger: EmbeddedLedger } | { ok: false; holder: LockInfo; lockFile: string };

// Every Flywheel process holds one connection; the server refuses (not queues) connections past this.
const MAX_SOCKET_CONNECTIONS = 64;

/**
 * PGlite's defaults plus a smaller buffer cache. Postgres's shared memory is resident in PGlite's WASM heap from the
 * start (measured: the 128 MB default costs ~120 MiB of RSS before the first query) and a WASM heap never shrinks.
 * 32MB held ledger write and read timings level with 128MB on a 30 MB ledger (bench/ledger.ts); reads past it come
 * from the OS page cache. FLYWHEEL_LEDGER_SHARED_BUFFERS (a Postgres size, e.g. 128MB) overrides it; a new directory's
 * initdb gets the same parameters. The upkeep (maintenance.ts) runs with a smaller statistics sample and VACUUM memory
 * for the same reason: on 100,000 ledger rows the defaults (30,000 sampled rows, 64MB) grew RSS by ~25 MiB for good
 * and held the session 330 ms, these 150 ms with none; the ledger's lookups are by key, which needs no finer statistics.
 */
export function pgliteStartParams(env: NodeJS.ProcessEnv = process.env): string[] {
  const sharedBuffers = env.FLYWHEEL_LEDGER_SHARED_BUFFERS?.trim() || DEFAULT_SHARED_BUFFERS;
  if (!/^\d+(kB|MB|GB)?$/.test(sharedBuffers)) throw new LedgerError(`FLYWHEEL_LEDGER_SHARED_BUFFERS must be a Postgres size such as 32MB, got ${JSON.stringify(sharedBuffers)}`);
  return [...PGlite.defaultStartParams, '-c', 'default_statistics_target=10', '-c', 'maintenance_work_mem=8MB', '-c', `shared_buffers=${sharedBuffers}`];
}
const DEFAULT_SHARED_BUFFERS = '32MB';
const initdbScript = fileURLToPath(new URL('./initdb.ts', import.meta.url));

/**
 * The process that owns the embedded PGlite directory. PGlite is one in-process Postgres: two processes opening the
 * same directory would corrupt it, so ownership is taken with a lock file first, and other processes are served
 * through a socket on 127.0.0.1 whose port and password (a secret made at start; see socketAuth.ts) are written into
 * the lock file, which only its owner can read. This process's own calls and the socket's clients share PGlite's
 * single session through a SessionGate.
 */
export class EmbeddedLedger implements OpenedLedger {
  readonly mode = 'embedded' as const;
  readonly #scope = new TransactionScope();
  readonly #wire: WireSession;
  readonly #maintenance: LedgerMaintenance;
  #closed: Promise<void> | undefined;

  private constructor(
    private readonly db: PGlite,
    /** How this process and the socket's clients take turns on PGlite's one session. */
    readonly gate: SessionGate,
    private readonly lock: LockHandle,
    private readonly server: { socket: PGLiteSocketServer; auth: SocketAuth } | undefined,
    private readonly displayDir: string,
    private readonly files: readonly MigrationFile[],
    readonly migrationsApplied: readonly MigrationFile[],
  ) {
    this.#wire = new WireSession(db);
    // Autovacuum's work, which single-user PGlite never does (maintenance.ts); its failures are reported, not fatal.
    this.#maintenance = new LedgerMaintenance(
      (sql) => this.query(sql),
      (e) => process.stderr.write(`flywheel: upkeep of the embedded ledger at ${displayDir} failed (tried again in ${MAINTENANCE_INTERVAL_MS / 1000} s): ${e.message}\n`),
    );
    this.#maintenance.start();
  }

  /** Vacuums and analyzes the tables that are due now, as the periodic upkeep does; answers what it did. */
  maintain(): Promise<TableWork[]> {
    return this.#maintenance.runOnce();
  }

  static async open(opts: EmbeddedOpenOptions): Promise<EmbeddedOpenResult> {
    // Owner-only where we create it (.flywheel): the data files and the lock's secret are nobody else's business.
    mkdirSync(path.dirname(opts.dataDir), { recursive: true, mode: 0o700 });
    const lockFile = lockPathFor(opts.dataDir);
    const taken = await acquireLock(lockFile, (reason) => process.stderr.write(`flywheel: removed a stale ledger lock ${opts.displayDir}.lock: ${reason}\n`));
    if (!taken.ok) return { ok: false, holder: taken.info, lockFile };
    const lock = taken.handle;
    let db: PGlite | undefined;
    let server: { socket: PGLiteSocketServer; auth: SocketAuth } | undefined;
    let socket: PGLiteSocketServer | undefined;
    try {
      if (opts.initInChild && !existsSync(path.join(opts.dataDir, 'PG_VERSION'))) {
        await runTsxChild(initdbScript, [opts.dataDir], `initialising the embedded ledger at ${opts.displayDir}`);
      }
      db = await PGlite.create({ dataDir: opts.dataDir, parsers: TEXT_PARSERS, startParams: pgliteStartParams() }).catch((e: unknown) => {
        throw new LedgerError(`could not open the embedded ledger at ${opts.displayDir}: ${(e as Error).message}`, { cause: e });
      });
      // Before the socket opens, so no client ever sees a half-migrated schema.
      const applied = await applyMigrations(pgliteDriver(db), opts.migrations);
      const gate = new SessionGate(db);
      if (opts.serve !== false) {
        socket = new PGLiteSocketServer({ db: gate.socketView(), host: '127.0.0.1', port: 0, maxConnections: MAX_SOCKET_CONNECTIONS });
        await socket.start();
        // At once, before any connection is dispatched (that happens in a later event-loop turn).
        const secret = newSocketSecret();
        server = { socket, auth: requireSecret(socket, secret) };
        lock.setSocket(portOf(socket), secret);
      }
      return { ok: true, ledger: new EmbeddedLedger(db, gate, lock, server, opts.displayDir, opts.migrations, applied) };
    } catch (e) {
      server?.auth.close();
      await socket?.stop().catch(() => undefined);
      await db?.close().catch(() => undefined);
      lock.release();
      throw e;
    }
  }

  get description(): string {
    const port = this.lock.info.port;
    return `embedded PGlite at ${this.displayDir}${port ? ` (serving other processes on 127.0.0.1:${port})` : ''}`;
  }

  /** The socket port other processes connect to, if serving. */
  get port(): number | null {
    return this.lock.info.port;
  }

  async record(events: LedgerEvent[]): Promise<RecordResult> {
    this.assertUsable();
    return this.gate.owner(() => recordWith((sql, params) => this.#run(sql, params, false), events));
  }

  async query<T = Record<string, unknown>>(sql: string, params: unknown[] = []): Promise<T[]> {
    this.assertUsable();
    return this.gate.owner(async () => {
      let rows: T[];
      try {
        rows = await this.#run<T>(sql, params, false);
      } catch (e) {
        await this.rollbackIfOpen();
        throw e;
      }
      if (await this.rollbackIfOpen()) throw new LedgerOpenTransactionError();
      return rows;
    });
  }

  async transaction<T>(fn: (tx: LedgerTx) => Promise<T>): Promise<T> {
    this.assertUsable();
    return this.gate.owner(
      async () => {
        await this.#wire.simple('BEGIN', true);
        let out: T;
        try {
          out = await this.#scope.run((sql, params) => this.#run(sql, params, true), fn);
        } catch (e) {
          await this.#wire.simple('ROLLBACK');
          throw e;
        }
        // A failed COMMIT has ended the transaction already (rolled back); its error is the caller's.
        await this.#wire.simple('COMMIT');
        return out;
      },
      { transaction: true },
    );
  }

  async ping(): Promise<{ ok: true; latencyMs: number }> {
    const t0 = performance.now();
    await this.query('SELECT 1');
    return { ok: true, latencyMs: performance.now() - t0 };
  }

  async migrationStatus(): Promise<MigrationStatus> {
    return readMigrationStatus((sql, params) => this.query(sql, params), this.files);
  }

  /** Stops serving, closes PGlite, then releases the lock: the lock must outlive every write to the directory. */
  close(): Promise<void> {
    this.#closed ??= (async () => {
      try {
        await this.#maintenance.stop();
        this.server?.auth.close();
        await this.server?.socket.stop();
      } finally {
        try {
          await this.db.close();
        } finally {
          this.lock.release();
        }
      }
    })();
    return this.#closed;
  }

  /**
   * With parameters, one prepared statement; without, the simple protocol (several statements), as over the socket
   * and on PostgreSQL. Called holding the session (SessionGate), outside or inside this ledger's transaction.
   */
  #run<T>(sql: string, params: unknown[], inTransaction: boolean): Promise<T[]> {
    return params.length > 0 ? this.#wire.run<T>(sql, params, inTransaction) : this.#wire.simple<T>(sql, inTransaction);
  }

  /** A statement that left the shared session in a transaction (or in an aborted one) must not outlive its call. */
  private async rollbackIfOpen(): Promise<boolean> {
    if (!this.db.isInTransaction()) return false;
    await this.db.exec('ROLLBACK');
    return true;
  }

  private assertUsable(): void {
    if (this.#closed) throw new LedgerError(`the embedded ledger at ${this.displayDir} is closed`);
    this.#scope.assertOutside();
  }
}

function pgliteDriver(db: PGlite): MigrationDriver {
  return {
    transaction: (fn) =>
      db.transaction((tx) =>
        fn({
          query: async (sql, params) => (await tx.query(sql, params)).rows as never,
          exec: async (sql) => void (await tx.exec(sql)),
        }),
      ),
  };
}

function portOf(server: PGLiteSocketServer): number {
  const port = Number(server.getServerConn().split(':').pop());
  if (!Number.isInteger(port) || port <= 0) throw new LedgerError(`the ledger socket reported no port (${server.getServerConn()})`);
  return port;
}
