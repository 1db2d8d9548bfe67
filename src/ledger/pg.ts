import pg from 'pg';
import { LedgerError, LedgerOpenTransactionError } from './errors.ts';
import { inlineParams } from './inline.ts';
import { applyMigrations, readMigrationStatus, type MigrationDriver } from './migrate.ts';
import { pgTypes } from './parsers.ts';
import { redactConnectionString } from './redact.ts';
import { TransactionScope, recordWith } from './tx.ts';
import type { LedgerEvent, LedgerTx, MigrationFile, MigrationStatus, OpenedLedger, RecordResult } from './types.ts';

// pg_advisory_xact_lock key for migrations: "flyw" in ASCII. Held per migration transaction, released at its end.
export const MIGRATION_LOCK_KEY = 0x666c7977;

export interface PgOpenOptions {
  connectionString: string;
  mode: 'postgres' | 'embedded-client';
  /** Overrides the redacted connection string (the embedded client names the directory and owner instead). */
  description?: string;
  migrations: readonly MigrationFile[];
  /** Apply pending migrations on open (PostgreSQL yes; an embedded client never: its owner did). */
  migrate: boolean;
  /** More node-postgres pool options, e.g. `ssl` with a CA bundle, which a URL cannot carry. */
  poolOptions?: Omit<pg.PoolConfig, 'connectionString' | 'types'>;
}

/**
 * PostgreSQL through node-postgres, for production (DATABASE_URL) and for processes that reach an embedded ledger
 * through its owner's socket. The two differ in one way: over the socket each call is sent as one simple-protocol
 * message with its parameters inlined as literals (see inline.ts for why).
 */
export class PgLedger implements OpenedLedger {
  readonly mode: 'postgres' | 'embedded-client';
  readonly description: string;
  private readonly files: readonly MigrationFile[];
  readonly #scope = new TransactionScope();
  #applied: readonly MigrationFile[] = [];
  #closed: Promise<void> | undefined;

  private constructor(
    private readonly pool: pg.Pool,
    opts: PgOpenOptions,
  ) {
    this.mode = opts.mode;
    this.description = opts.description ?? `PostgreSQL ${redactConnectionString(opts.connectionString)}`;
    this.files = opts.migrations;
  }

  get migrationsApplied(): readonly MigrationFile[] {
    return this.#applied;
  }

  static async open(opts: PgOpenOptions): Promise<PgLedger> {
    const socket = opts.mode === 'embedded-client';
    const pool = new pg.Pool({
      connectionString: opts.connectionString,
      // The owner runs one statement at a time anyway; one connection per process keeps its connection slots free.
      max: socket ? 1 : 10,
      types: pgTypes,
      allowExitOnIdle: true,
      // Also how long a call waits for a pooled connection, which over the socket may be busy with a transaction.
      connectionTimeoutMillis: socket ? 60_000 : 15_000,
      // Day boundaries in metrics SQL (date_trunc, ::date) must match the embedded store, which runs in UTC.
      // Not over the socket: there the session is the owner's, already UTC.
      ...(socket ? {} : { onConnect: (c: pg.ClientBase) => c.query(`SET TIME ZONE 'UTC'`) }),
      ...opts.poolOptions,
    });
    // An idle connection that drops (database restart, owner stopped) must not crash the process; the next call
    // reconnects or reports the error.
    pool.on('error', () => undefined);
    const ledger = new PgLedger(pool, opts);
    try {
      await ledger.ping().catch((e: unknown) => {
        const root = e instanceof LedgerError && e.cause instanceof Error ? e.cause : (e as Error);
        throw new LedgerError(`could not connect to ${ledger.description}: ${root.message}`, { cause: root });
      });
      if (opts.migrate) ledger.#applied = await applyMigrations(pgDriver(pool), opts.migrations);
      return ledger;
    } catch (e) {
      await pool.end().catch(() => undefined);
      throw e;
    }
  }

  async record(events: LedgerEvent[]): Promise<RecordResult> {
    return recordWith((sql, params) => this.query(sql, params), events);
  }

  async query<T = Record<string, unknown>>(sql: string, params: unknown[] = []): Promise<T[]> {
    this.assertUsable();
    return this.withClient(async (client) => {
      let result: pg.QueryResult | pg.QueryResult[];
      try {
        result = await this.send(client, sql, params);
      } catch (e) {
        // An error between BEGIN and COMMIT leaves the session in an aborted transaction. node-postgres rejects on the
        // error itself, before the server's ReadyForQuery says so (it may come in a later packet), so the status is
        // not known yet: a ROLLBACK queued behind it ends whatever is open, and only warns when nothing is.
        if (e instanceof pg.DatabaseError) await client.query('ROLLBACK');
        throw e;
      }
      // A pooled connection would carry an open transaction into someone else's call; over the socket, into everyone's.
      if (await rollbackIfOpen(client)) throw new LedgerOpenTransactionError();
      return rowsOf<T>(result);
    });
  }

  async transaction<T>(fn: (tx: LedgerTx) => Promise<T>): Promise<T> {
    this.assertUsable();
    return this.withClient(async (client) => {
      await client.query('BEGIN');
      try {
        const out = await this.#scope.run(async (sql, params) => rowsOf(await this.send(client, sql, params)), fn);
        await client.query('COMMIT');
        return out;
      } catch (e) {
        // Unconditionally, for the same reason as in query(): after a failed statement the status may be stale.
        await client.query('ROLLBACK');
        throw e;
      }
    });
  }

  async ping(): Promise<{ ok: true; latencyMs: number }> {
    const t0 = performance.now();
    await this.query('SELECT 1');
    return { ok: true, latencyMs: performance.now() - t0 };
  }

  migrationStatus(): Promise<MigrationStatus> {
    return readMigrationStatus((sql, params) => this.query(sql, params), this.files);
  }

  close(): Promise<void> {
    this.#closed ??= this.pool.end();
    return this.#closed;
  }

  private assertUsable(): void {
    if (this.#closed) throw new LedgerError(`the ledger (${this.description}) is closed`);
    this.#scope.assertOutside();
  }

  // Over the socket, one simple-protocol message with the values inlined (see inline.ts); else bound parameters.
  private send(client: pg.PoolClient, sql: string, params: unknown[]): Promise<pg.QueryResult | pg.QueryResult[]> {
    return this.mode === 'postgres' ? client.query(sql, params) : client.query(inlineParams(sql, params));
  }

  /** One pooled connection for fn; a connection that broke is discarded, and the error says what was lost. */
  private async withClient<T>(fn: (client: pg.PoolClient) => Promise<T>): Promise<T> {
    const lost = (e: unknown) =>
      new LedgerError(
        this.mode === 'embedded-client'
          ? `lost the embedded ledger socket (${this.description}); has its owner stopped? ${(e as Error).message}`
          : `lost the connection to ${this.description}: ${(e as Error).message}`,
        { cause: e },
      );
    const client = await this.pool.connect().catch((e: unknown) => {
      throw lost(e);
    });
    let broken: Error | undefined;
    // A checked-out client has no pool listener: a connection dropped mid-call must become this call's error.
    const onError = (e: Error) => (broken = e);
    client.on('error', onError);
    try {
      return await fn(client);
    } catch (e) {
      // A SQL error or one of ours: the connection itself is fine.
      if (e instanceof pg.DatabaseError || e instanceof LedgerError) throw e;
      if (broken !== undefined || isConnectionError(e)) {
        broken ??= e as Error;
        throw lost(e);
      }
      // Thrown by the caller's own code inside a transaction (already rolled back).
      throw e;
    } finally {
      client.removeListener('error', onError);
      client.release(broken);
    }
  }
}

async function rollbackIfOpen(client: pg.PoolClient): Promise<boolean> {
  if (client.getTransactionStatus() === 'I') return false;
  await client.query('ROLLBACK');
  return true;
}

// Errors that pg raises for a dead connection, as opposed to SQL errors (pg.DatabaseError) or errors thrown by fn.
function isConnectionError(e: unknown): boolean {
  const msg = (e as Error)?.message ?? '';
  return /Connection terminated|ECONNRESET|ECONNREFUSED|EPIPE|not queryable|Client has encountered a connection error/i.test(msg);
}

function pgDriver(pool: pg.Pool): MigrationDriver {
  return {
    async transaction(fn) {
      const c = await pool.connect();
      let broken: Error | undefined;
      const onError = (e: Error) => (broken = e);
      c.on('error', onError);
      try {
        await c.query('BEGIN');
        // Two workers starting at once: the second waits here, then sees the first one's rows.
        await c.query('SELECT pg_advisory_xact_lock($1)', [MIGRATION_LOCK_KEY]);
        const out = await fn({
          query: async (sql, params) => rowsOf(await c.query(sql, params)),
          exec: async (sql) => void (await c.query(sql)),
        });
        await c.query('COMMIT');
        return out;
      } catch (e) {
        await c.query('ROLLBACK').catch((err: Error) => (broken = err));
        throw e;
      } finally {
        c.removeListener('error', onError);
        c.release(broken);
      }
    },
  };
}

// A parameterless call may hold several statements; its result is then a list, and the last one is the answer.
function rowsOf<T>(result: pg.QueryResult | pg.QueryResult[]): T[] {
  const last = Array.isArray(result) ? result[result.length - 1] : result;
  return (last?.rows ?? []) as T[];
}
