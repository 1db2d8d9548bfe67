/**
 * What PostgreSQL's autovacuum does for a server, done for the embedded ledger. PGlite is one backend in single-user
 * mode, where autovacuum never runs: its tables were never analyzed, and never vacuumed. Without statistics the
 * planner keeps the plans it made for the ledger's prepared statements while the tables were empty: the release of
 * a lead's open assignment (an UPDATE by lead_id) kept scanning all of lead_assignments, 0.46 ms of CPU at 1,000
 * rows and 0.84 at 4,000, 0.16 once analyzed (its unique index). Dead rows (releases, rotation weights, the line of
 * held leads, the per-rep counts) stayed too. Each interval the owner reads pg_stat_user_tables and vacuums and
 * analyzes the tables past autovacuum's default thresholds. On PostgreSQL the server's autovacuum does this.
 */

/** PostgreSQL's defaults (autovacuum_* settings): a table is due once this many rows changed since the last run. */
export const THRESHOLDS = {
  analyze: { base: 50, scale: 0.1 },
  vacuum: { base: 50, scale: 0.2 },
  /** Inserts alone (PostgreSQL 13+): so an append-mostly table (ledger_events) gets its visibility map set. */
  insert: { base: 1000, scale: 0.2 },
} as const;

export interface TableStats {
  table: string;
  live: number;
  dead: number;
  modifiedSinceAnalyze: number;
  insertedSinceVacuum: number;
}

export interface TableWork {
  table: string;
  vacuum: boolean;
  analyze: boolean;
}

/** Which tables are due, and for what. */
export function dueWork(stats: readonly TableStats[]): TableWork[] {
  const over = (n: number, t: { base: number; scale: number }, live: number) => n > t.base + t.scale * live;
  return stats
    .map((s) => ({
      table: s.table,
      vacuum: over(s.dead, THRESHOLDS.vacuum, s.live) || over(s.insertedSinceVacuum, THRESHOLDS.insert, s.live),
      analyze: over(s.modifiedSinceAnalyze, THRESHOLDS.analyze, s.live),
    }))
    .filter((w) => w.vacuum || w.analyze);
}

/** The statement for one table's work: VACUUM cannot run in a transaction, so it goes alone (simple protocol). */
export function workStatement(w: TableWork): string {
  const name = `"${w.table.replace(/"/g, '""')}"`;
  return w.vacuum ? `VACUUM (ANALYZE ${w.analyze ? 'true' : 'false'}) ${name}` : `ANALYZE ${name}`;
}

const STATS_SQL = `SELECT relname AS table, n_live_tup::int AS live, n_dead_tup::int AS dead,
  n_mod_since_analyze::int AS "modifiedSinceAnalyze", n_ins_since_vacuum::int AS "insertedSinceVacuum"
  FROM pg_stat_user_tables WHERE schemaname = current_schema()`;

/** How often the owner looks; the check itself is one read of the statistics view. */
export const MAINTENANCE_INTERVAL_MS = 30_000;

export class LedgerMaintenance {
  #timer: NodeJS.Timeout | undefined;
  #running: Promise<unknown> = Promise.resolve();
  #stopped = false;

  /** `query` takes its turn on the session like any other call of the owner (parameterless: simple protocol). */
  constructor(
    private readonly query: <T>(sql: string) => Promise<T[]>,
    private readonly onError: (e: Error) => void,
    private readonly intervalMs = MAINTENANCE_INTERVAL_MS,
  ) {}

  start(): void {
    if (this.#stopped || this.#timer) return;
    let busy = false;
    this.#timer = setInterval(() => {
      // A check still running (a long VACUUM) is not joined by a second one.
      if (busy) return;
      busy = true;
      this.#running = this.runOnce()
        .catch((e: Error) => {
          if (!this.#stopped) this.onError(e);
        })
        .finally(() => (busy = false));
    }, this.intervalMs);
    // Upkeep never keeps a process alive.
    this.#timer.unref();
  }

  /** One check: vacuums and analyzes what is due; answers what it did. */
  async runOnce(): Promise<TableWork[]> {
    const work = dueWork(await this.query<TableStats>(STATS_SQL));
    for (const w of work) {
      if (this.#stopped) break;
      await this.query(workStatement(w));
    }
    return work;
  }

  /** No further checks; waits for one under way. */
  async stop(): Promise<void> {
    this.#stopped = true;
    clearInterval(this.#timer);
    await this.#running;
  }
}
