import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { LedgerOpenTransactionError } from '../../../src/ledger/errors.ts';
import { openLedger } from '../../../src/ledger/open.ts';
import { redactConnectionString } from '../../../src/ledger/redact.ts';
import type { OpenedLedger } from '../../../src/ledger/types.ts';
import { SHIPPED_FILES, SHIPPED_VERSIONS, event, events, removeTempRoots, tempDir } from './helpers/fixtures.ts';
import { startTempPostgres, type TempPostgres } from './helpers/tempPostgres.ts';

let server: TempPostgres | null = null;
beforeAll(async () => {
  server = await startTempPostgres();
  // The production path is tested for real, never skipped: .ci/run installs PostgreSQL where it is missing.
  if (!server) throw new Error('no PostgreSQL to test against: install the postgresql package (initdb/postgres) or set FLYWHEEL_TEST_DATABASE_URL');
}, 120_000);
afterAll(async () => {
  await server?.stop();
  removeTempRoots();
});

const open = (databaseUrl: string) => openLedger({ root: tempDir(), databaseUrl });

describe('redactConnectionString', () => {
  it('hides passwords and key-like parameters, in URLs and key=value strings', () => {
    expect(redactConnectionString('postgres://fly:s3cr%40t@db.example:5432/flywheel?sslmode=require&sslpassword=x')).toBe(
      'postgres://fly:***@db.example:5432/flywheel?sslmode=require&sslpassword=***',
    );
    expect(redactConnectionString('postgresql:///flywheel?host=/var/run/postgresql')).toBe('postgresql:///flywheel?host=/var/run/postgresql');
    expect(redactConnectionString("host=db user=fly password='a b' sslkey=/k")).toBe('host=db user=fly password=*** sslkey=***');
  });
});

describe('PostgreSQL via DATABASE_URL', () => {
  const ledgers: OpenedLedger[] = [];
  const track = async (p: Promise<OpenedLedger>) => {
    const l = await p;
    ledgers.push(l);
    return l;
  };
  afterAll(async () => {
    for (const l of ledgers) await l.close();
  });

  it('opens, migrates, and never prints the password', async () => {
    const url = await server!.freshDatabase();
    const l = await track(open(url));
    expect(l.mode).toBe('postgres');
    expect(l.description).not.toContain(server!.password);
    expect(l.description).toMatch(/^PostgreSQL postgres:\/\/flywheel:\*\*\*@127\.0\.0\.1:\d+\/flywheel_test_/);
    expect(l.migrationsApplied.map((m) => m.file)).toEqual(SHIPPED_FILES);
    expect(await l.ping()).toEqual({ ok: true, latencyMs: expect.any(Number) });
  });

  it('applies each migration exactly once when several workers start at the same moment', async () => {
    const url = await server!.freshDatabase();
    const all = await Promise.all(Array.from({ length: 5 }, () => track(open(url))));
    // Every migration applied once in all: the five openers' lists add up to exactly the shipped files.
    expect(all.flatMap((l) => l.migrationsApplied.map((m) => m.file)).sort()).toEqual(SHIPPED_FILES);
    expect(await all[0]!.query('SELECT version FROM schema_migrations ORDER BY version')).toEqual(SHIPPED_VERSIONS);
  });

  it('records idempotently, in one statement for a large batch, with the same row types as the embedded store', async () => {
    const l = await track(open(await server!.freshDatabase()));
    const batch = events('pg', 5000);
    expect(await l.record(batch)).toEqual({ inserted: 5000, duplicates: 0 });
    expect(await l.record([...batch.slice(0, 10), event('pg-new')])).toEqual({ inserted: 1, duplicates: 10 });
    await l.record([event('pg-deal', { type: 'deal.won', occurredAt: '2026-03-01T23:30:00-02:00', amount: 48000.5, currency: 'EUR', data: { a: 'q\'"\\' } })]);
    const [row] = await l.query(`SELECT amount, occurred_at, occurred_at::date AS day, data, (SELECT count(*) FROM ledger_events) AS n FROM ledger_events WHERE event_key = $1`, ['pg-deal']);
    expect(row).toEqual({ amount: 48000.5, occurred_at: new Date('2026-03-02T01:30:00Z'), day: '2026-03-02', data: { a: 'q\'"\\' }, n: 5002 });
    expect(await l.query('SHOW TimeZone')).toEqual([{ TimeZone: 'UTC' }]);
  });

  it('keeps every call atomic, as the embedded store does', async () => {
    const l = await track(open(await server!.freshDatabase()));
    await expect(l.query('BEGIN')).rejects.toBeInstanceOf(LedgerOpenTransactionError);
    await expect(l.query('BEGIN; SELECT 1/0; COMMIT')).rejects.toThrow('division by zero');
    expect(await l.query('BEGIN; CREATE TEMP TABLE t (x int); INSERT INTO t VALUES (1), (2); COMMIT; SELECT count(*) AS n FROM t')).toEqual([{ n: 2 }]);
    // The pool (10 connections) hands out clean sessions afterwards.
    const states = await Promise.all(Array.from({ length: 10 }, () => l.query<{ s: string }>(`SELECT current_setting('transaction_isolation') AS s`)));
    expect(states).toHaveLength(10);
  });

  it('is chosen by DATABASE_URL when no databaseUrl is passed', async () => {
    const url = await server!.freshDatabase();
    const before = process.env.DATABASE_URL;
    process.env.DATABASE_URL = url;
    try {
      const l = await track(openLedger({ root: tempDir(), role: 'owner' }));
      expect(l.mode).toBe('postgres');
    } finally {
      if (before === undefined) delete process.env.DATABASE_URL;
      else process.env.DATABASE_URL = before;
    }
  });

  it('reports a failed connection without the password', async () => {
    const u = new URL(await server!.freshDatabase());
    u.password = 'wrong-Pa55';
    const err = await open(u.toString()).catch((e: Error) => e);
    expect(err).toBeInstanceOf(Error);
    expect((err as Error).message).toMatch(/^could not connect to PostgreSQL postgres:\/\/flywheel:\*\*\*@127\.0\.0\.1:\d+\/\S+: password authentication failed/);
    expect((err as Error).message).not.toContain('wrong-Pa55');
  });

  it('refuses a database whose schema_migrations belongs to another tool, and works in a schema of its own', async () => {
    const url = await server!.freshDatabase();
    const c = new pg.Client({ connectionString: url });
    await c.connect();
    await c.query('CREATE TABLE schema_migrations (version bigint PRIMARY KEY, dirty boolean NOT NULL)');
    await c.query('CREATE SCHEMA flywheel');
    await c.end();
    await expect(open(url)).rejects.toThrow(/already has a schema_migrations table that is not Flywheel's/);
    const own = new URL(url);
    own.searchParams.set('options', '-c search_path=flywheel');
    const l = await track(open(own.toString()));
    expect(await l.query(`SELECT to_regclass('flywheel.ledger_events') IS NOT NULL AS ok`)).toEqual([{ ok: true }]);
  });
});
