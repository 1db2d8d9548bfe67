import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { LedgerNestedCallError, LedgerTransactionAbortedError } from '../../../src/ledger/errors.ts';
import { openLedger } from '../../../src/ledger/open.ts';
import { PgLedger } from '../../../src/ledger/pg.ts';
import type { EmbeddedLedger } from '../../../src/ledger/pglite.ts';
import type { LedgerMode, OpenedLedger } from '../../../src/ledger/types.ts';
import { SHIPPED, event, events, removeTempRoots, socketUrl, tempDir, tempRoot } from './helpers/fixtures.ts';
import { OneMessagePerTurnSocket } from './helpers/slowSocket.ts';
import { startTempPostgres, type TempPostgres } from './helpers/tempPostgres.ts';

const T = 120_000;
let pg: TempPostgres | null = null;
let embeddedRoot: string;
let owner: OpenedLedger;
const opened: OpenedLedger[] = [];

beforeAll(async () => {
  embeddedRoot = await tempRoot();
  owner = await openLedger({ root: embeddedRoot, role: 'owner', databaseUrl: undefined });
  pg = await startTempPostgres();
  if (!pg) throw new Error('no PostgreSQL to test against: install the postgresql package (initdb/postgres) or set FLYWHEEL_TEST_DATABASE_URL');
}, T);
afterAll(async () => {
  for (const l of opened.reverse()) await l.close();
  await owner?.close();
  await pg?.stop();
  removeTempRoots();
});

/** Three ledgers on one store: the owner and two socket clients, or three PostgreSQL pools. */
async function trio(mode: LedgerMode): Promise<OpenedLedger[]> {
  if (mode === 'postgres') {
    const url = await pg!.freshDatabase();
    const ls = await Promise.all([0, 1, 2].map(() => openLedger({ root: tempDir(), databaseUrl: url })));
    opened.push(...ls);
    return ls;
  }
  const clients = [await openLedger({ root: embeddedRoot, role: 'client', databaseUrl: undefined }), await openLedger({ root: embeddedRoot, role: 'client', databaseUrl: undefined })];
  opened.push(...clients);
  return mode === 'embedded' ? [owner, ...clients] : [clients[0]!, clients[1]!, owner];
}

let seq = 0;
/** A name no other test uses; also a valid SQL identifier. */
const unique = (p: string) => `${p}_${++seq}`;

describe.each(['embedded', 'embedded-client', 'postgres'] as const)('transactions (%s)', (mode) => {
  let l: OpenedLedger;
  let others: OpenedLedger[];
  beforeAll(async () => {
    [l, ...others] = (await trio(mode)) as [OpenedLedger, ...OpenedLedger[]];
  }, T);

  it('commits every statement together and returns the callback value', async () => {
    expect(l.mode).toBe(mode);
    const table = unique('t');
    await l.query(`CREATE TABLE ${table} (x int)`);
    const key = unique('tx-commit');
    const out = await l.transaction(async (tx) => {
      await tx.query(`INSERT INTO ${table} VALUES ($1), ($2)`, [1, 2]);
      expect(await tx.record([event(key)])).toEqual({ inserted: 1, duplicates: 0 });
      return (await tx.query<{ n: number }>(`SELECT count(*) AS n FROM ${table}`))[0]!.n;
    });
    expect(out).toBe(2);
    expect(await others[0]!.query(`SELECT count(*) AS n FROM ledger_events WHERE event_key = $1`, [key])).toEqual([{ n: 1 }]);
  });

  it('rolls everything back when the callback throws, and rethrows its error', async () => {
    const key = unique('tx-throw');
    const boom = new Error('decided against it');
    await expect(
      l.transaction(async (tx) => {
        await tx.record([event(key)]);
        throw boom;
      }),
    ).rejects.toBe(boom);
    expect(await l.query(`SELECT count(*) AS n FROM ledger_events WHERE event_key = $1`, [key])).toEqual([{ n: 0 }]);
  });

  it('rolls back when a statement failed even if the callback caught the error', async () => {
    const key = unique('tx-caught');
    const err = await l
      .transaction(async (tx) => {
        await tx.record([event(key)]);
        await tx.query('SELECT 1/0').catch(() => undefined);
        return 'looks fine';
      })
      .catch((e: unknown) => e);
    expect(err).toBeInstanceOf(LedgerTransactionAbortedError);
    expect((err as Error).message).toMatch(/^the transaction was rolled back: one of its statements failed \(division by zero\)/);
    expect(await l.query(`SELECT count(*) AS n FROM ledger_events WHERE event_key = $1`, [key])).toEqual([{ n: 0 }]);
  });

  it('refuses a call to the ledger itself from inside, and a tx used after its end', async () => {
    let kept: { query: (sql: string) => Promise<unknown> } | undefined;
    await l.transaction(async (tx) => {
      kept = tx;
      await expect(l.query('SELECT 1')).rejects.toBeInstanceOf(LedgerNestedCallError);
      await expect(l.record([event(unique('nested'))])).rejects.toThrow('inside ledger.transaction(), use its tx argument');
      await expect(l.transaction(async () => undefined)).rejects.toBeInstanceOf(LedgerNestedCallError);
    });
    await expect(kept!.query('SELECT 1')).rejects.toThrow('this transaction has ended');
    expect(await l.query('SELECT 1 AS one')).toEqual([{ one: 1 }]);
  });

  it(
    'loses no update when three ledgers read, decide and write the same row at once',
    async () => {
      const table = unique('counter');
      await l.query(`CREATE TABLE ${table} (id int PRIMARY KEY, n int NOT NULL); INSERT INTO ${table} VALUES (1, 0)`);
      const bump = async (who: OpenedLedger) => {
        for (let i = 0; i < 15; i++) {
          await who.transaction(async (tx) => {
            const [row] = await tx.query<{ n: number }>(`SELECT n FROM ${table} WHERE id = 1 FOR UPDATE`);
            await tx.query(`UPDATE ${table} SET n = $1 WHERE id = 1`, [row!.n + 1]);
          });
        }
      };
      await Promise.all([l, ...others].map(bump));
      expect(await l.query(`SELECT n FROM ${table}`)).toEqual([{ n: 45 }]);
    },
    T,
  );
});

describe('a failed statement over a slow network', () => {
  // node-postgres rejects on the error message; the server's "now in an aborted transaction" comes in the next
  // message. The connection must not go back to the pool (or, over the socket, hold the shared session) aborted.
  for (const mode of ['embedded-client', 'postgres'] as const) {
    it(
      `leaves no aborted transaction behind (${mode})`,
      async () => {
        const url = mode === 'postgres' ? await pg!.freshDatabase() : socketUrl(embeddedRoot);
        const l = await PgLedger.open({ connectionString: url, mode, migrations: SHIPPED, migrate: mode === 'postgres', poolOptions: { stream: () => new OneMessagePerTurnSocket() } });
        try {
          await expect(l.query('BEGIN; SELECT 1/0; COMMIT')).rejects.toThrow('division by zero');
          expect(await l.query('SELECT 1 AS one')).toEqual([{ one: 1 }]);
          await expect(l.transaction(async (tx) => tx.query('SELECT 1/0'))).rejects.toThrow('division by zero');
          expect(await l.query('SELECT 2 AS two')).toEqual([{ two: 2 }]);
        } finally {
          await l.close();
        }
        // And the shared embedded session is free for everyone else.
        expect(await owner.query('SELECT 3 AS three')).toEqual([{ three: 3 }]);
      },
      T,
    );
  }
});

/** Outcome as a value, so a rejection is compared (and never reported as unhandled while the test waits). */
function settle<T>(p: Promise<T>): Promise<{ value: T } | { error: string }> {
  return p.then(
    (value) => ({ value }),
    (e: Error) => ({ error: e.message }),
  );
}

/** A promise with its resolve, to hold a transaction open exactly as long as a test needs. */
function deferred<T = void>() {
  let resolve!: (v: T) => void;
  const promise = new Promise<T>((r) => (resolve = r));
  return { promise, resolve };
}

describe('one embedded session, shared fairly', () => {
  it(
    'lets the event loop run while calls queue up (a Temporal worker in the same process keeps answering)',
    async () => {
      const order: string[] = [];
      setImmediate(() => order.push('event loop'));
      await Promise.all(
        Array.from({ length: 30 }, (_, i) =>
          owner.transaction(async (tx) => {
            await tx.record([event(unique(`fair-${i}`))]);
            order.push('transaction');
          }),
        ),
      );
      // PGlite answers through promises only: without a yield, all 30 would finish before any timer or socket ran.
      expect(order[0]).toBe('event loop');
    },
    T,
  );

  it(
    "keeps the owner's statements out of a socket client's open transaction",
    async () => {
      const client = await openLedger({ root: embeddedRoot, role: 'client', databaseUrl: undefined });
      opened.push(client);
      const key = unique('client-tx');
      const inside = deferred();
      const finish = deferred();
      const tx = client
        .transaction(async (t) => {
          await t.record([event(key)]);
          inside.resolve();
          await finish.promise;
          throw new Error('roll it back');
        })
        .catch((e: Error) => e.message);
      await inside.promise;
      // Issued while the client's transaction is open; inside it, this read would see the uncommitted row.
      const read = settle(owner.query<{ n: number }>(`SELECT count(*) AS n FROM ledger_events WHERE event_key = $1`, [key]));
      finish.resolve();
      expect(await tx).toBe('roll it back');
      expect(await read).toEqual({ value: [{ n: 0 }] });
    },
    T,
  );

  it(
    "keeps socket clients' statements out of the owner's open transaction",
    async () => {
      const client = await openLedger({ root: embeddedRoot, role: 'client', databaseUrl: undefined });
      opened.push(client);
      const key = unique('owner-tx');
      // Makes this client the last one pglite-socket served, which its own queue would let through during a transaction.
      await client.query('SELECT 1');
      const inside = deferred();
      const finish = deferred();
      const tx = owner
        .transaction(async (t) => {
          await t.record([event(key)]);
          inside.resolve();
          await finish.promise;
          throw new Error('roll it back');
        })
        .catch((e: Error) => e.message);
      await inside.promise;
      const arrived = (owner as EmbeddedLedger).gate.nextSocketArrival();
      const read = settle(client.query<{ n: number }>(`SELECT count(*) AS n FROM ledger_events WHERE event_key = $1`, [key]));
      // Hold the owner's transaction until the read reaches the owner. Were the read let into the transaction, it would
      // finish first instead, and see the uncommitted row.
      await Promise.race([arrived, read]);
      const write = settle(client.record(events(unique('during-owner-tx'), 2)));
      finish.resolve();
      expect(await tx).toBe('roll it back');
      expect(await read).toEqual({ value: [{ n: 0 }] });
      // The client's write waited for the rollback instead of being rolled back with it.
      expect(await write).toEqual({ value: { inserted: 2, duplicates: 0 } });
    },
    T,
  );
});
