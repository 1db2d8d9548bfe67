import type { PGlite } from '@electric-sql/pglite';
import { LedgerError } from './errors.ts';

/**
 * PGlite is a single PostgreSQL session, shared by the owning process and every socket client. They take turns here:
 *
 * - pglite-socket runs each client message through `runExclusive` of the PGlite it was given; `socketView()` makes
 *   that pass through this gate, one message at a time. pglite-socket itself keeps other clients out while one
 *   client is between BEGIN and COMMIT.
 * - The owner's calls hold the gate for their whole duration, a transaction included, so no client statement can
 *   land inside the owner's transaction; and they wait while a client has a transaction open, so no owner statement
 *   lands inside a client's.
 */
export class SessionGate {
  #tail: Promise<void> = Promise.resolve();
  #ownerTransaction = false;
  #waitingForIdle: (() => void)[] = [];
  #socketArrivals: (() => void)[] = [];

  constructor(private readonly db: PGlite) {}

  /** Runs fn with the session to itself, once no socket client is inside a transaction. */
  async owner<T>(fn: () => Promise<T>, opts: { transaction?: boolean } = {}): Promise<T> {
    for (;;) {
      const release = await this.#acquire();
      if (this.db.closed) {
        release();
        throw new LedgerError('the embedded ledger was closed while this call waited for its turn');
      }
      if (!this.db.isInTransaction()) {
        this.#ownerTransaction = opts.transaction === true;
        try {
          return await fn();
        } finally {
          this.#ownerTransaction = false;
          release();
        }
      }
      // Registered before the gate is released, so the client's COMMIT cannot slip past unnoticed.
      const idle = new Promise<void>((resolve) => this.#waitingForIdle.push(resolve));
      release();
      await idle;
    }
  }

  /** The PGlite that pglite-socket is given. */
  socketView(): PGlite {
    return new Proxy(this.db, {
      get: (target, prop) => {
        if (prop === 'runExclusive') return <T>(fn: () => Promise<T>) => this.#socketTurn(() => target.runExclusive(fn));
        // pglite-socket's only exec: ROLLBACK for a client that disconnected inside a transaction.
        if (prop === 'exec') return (sql: string) => this.#socketTurn(() => target.exec(sql));
        // While the owner runs its own transaction (holding the gate), pglite-socket must not think a client is in
        // one: it would hold back every other client's messages, or roll the owner's transaction back when a
        // client disconnects.
        if (prop === 'isInTransaction') return () => !this.#ownerTransaction && target.isInTransaction();
        const value: unknown = Reflect.get(target, prop, target);
        return typeof value === 'function' ? value.bind(target) : value;
      },
    });
  }

  /** Resolves when the next socket client message asks for the session (tests use it to order events without sleeps). */
  nextSocketArrival(): Promise<void> {
    return new Promise((resolve) => this.#socketArrivals.push(resolve));
  }

  async #socketTurn<T>(fn: () => Promise<T>): Promise<T> {
    for (const arrived of this.#socketArrivals.splice(0)) arrived();
    const release = await this.#acquire();
    try {
      return await fn();
    } finally {
      release();
      if (!this.db.closed && !this.db.isInTransaction()) for (const wake of this.#waitingForIdle.splice(0)) wake();
    }
  }

  // First come, first served: each caller waits for the one before it.
  async #acquire(): Promise<() => void> {
    let release!: () => void;
    const mine = new Promise<void>((resolve) => (release = resolve));
    const before = this.#tail;
    this.#tail = before.then(() => mine);
    await before;
    // PGlite is synchronous WebAssembly behind promises, so a queue of turns would otherwise run back to back in
    // microtasks and starve timers and sockets (a Temporal worker in this process stops answering). Each turn
    // first lets the event loop run.
    await new Promise<void>((resolve) => setImmediate(resolve));
    return release;
  }
}
