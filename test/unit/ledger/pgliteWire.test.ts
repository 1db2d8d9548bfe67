import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { PGlite } from '../../../src/ledger/pgliteModule.ts';
import { TEXT_PARSERS } from '../../../src/ledger/parsers.ts';
import { WireSession } from '../../../src/ledger/pgliteWire.ts';

// One in-memory PGlite with the ledger's parsers: the wire path must answer exactly what PGlite's query() answers.
let db: PGlite;
beforeAll(async () => {
  db = await PGlite.create({ parsers: TEXT_PARSERS });
  await db.exec(`CREATE TABLE t (k text PRIMARY KEY, n int8, amount numeric(18,2), day date, at timestamptz, ok boolean, doc jsonb, tags text[], w float8)`);
}, 60_000);
afterAll(() => db?.close());

const row = {
  k: 'a',
  n: 9_007_199_254_740_993n.toString(),
  amount: 1234.5,
  day: '2026-12-07',
  at: new Date('2026-12-07T09:30:00.123Z'),
  ok: true,
  doc: { nested: { list: [1, 'two', null] }, text: 'ä "quoted"' },
  tags: ['x', 'y,z', 'with "quote"', ''],
  w: -0.25,
};
const insert = 'INSERT INTO t (k, n, amount, day, at, ok, doc, tags, w) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)';
const values = (r: typeof row, k: string) => [k, r.n, r.amount, r.day, r.at, r.ok, r.doc, r.tags, r.w];

describe('WireSession (the embedded ledger on PGlite wire protocol)', () => {
  it('answers the same rows as PGlite query() for every column type the ledger uses, nulls included', async () => {
    const wire = new WireSession(db);
    await db.query(insert, values(row, 'by-query'));
    await wire.run(insert, values(row, 'by-wire'), false);
    await wire.run('INSERT INTO t (k) VALUES ($1)', ['nulls'], false);
    const select = 'SELECT * FROM t WHERE k = ANY($1::text[]) ORDER BY k';
    const keys = [['by-query', 'by-wire', 'nulls']];
    const viaQuery = (await db.query(select, keys)).rows;
    const viaWire = await wire.run(select, keys, false);
    expect(viaWire).toEqual(viaQuery);
    const [byQuery, byWire] = viaWire as Record<string, unknown>[];
    expect({ ...byWire, k: 'by-query' }).toEqual(byQuery);
    expect(byWire).toMatchObject({ n: row.n, amount: 1234.5, day: '2026-12-07', ok: true, doc: row.doc, tags: row.tags, w: -0.25 });
    expect((byWire as { at: Date }).at.toISOString()).toBe('2026-12-07T09:30:00.123Z');
  });

  it('parses each statement once, and runs the simple protocol (several statements) without parameters', async () => {
    const wire = new WireSession(db);
    for (let i = 0; i < 5; i++) await wire.run('SELECT $1::int + 1 AS n', [i], false);
    expect(wire.size).toBe(1);
    expect(await wire.simple('SELECT 1 AS a; SELECT 2 AS b')).toEqual([{ b: 2 }]);
  });

  it('keeps at most `max` statements, closing the least recently used', async () => {
    const wire = new WireSession(db, 3);
    const names = async () => (await db.query<{ name: string }>(`SELECT name FROM pg_prepared_statements WHERE name LIKE 'flywheel_ledger_%'`)).rows.length;
    const before = await names();
    for (let i = 0; i < 6; i++) expect(await wire.run(`SELECT $1::int * ${i} AS n`, [2], false)).toEqual([{ n: 2 * i }]);
    expect(wire.size).toBe(3);
    expect((await names()) - before).toBe(3);
  });

  it('names the statement on an error, never its parameters, and the session goes on', async () => {
    const wire = new WireSession(db);
    const err = await wire.run('INSERT INTO t (k, n) VALUES ($1, $2)', ['secret@example.com', 'not a number'], false).then(
      () => null,
      (e: unknown) => e as { code?: string; query?: string; params?: unknown; message: string },
    );
    expect(err?.code).toBe('22P02');
    expect(err?.query).toBe('INSERT INTO t (k, n) VALUES ($1, $2)');
    expect(err?.params).toBeUndefined();
    expect(JSON.stringify(err)).not.toContain('secret@example.com');
    expect(await wire.run('SELECT $1::text AS ok', ['yes'], false)).toEqual([{ ok: 'yes' }]);
  });

  it('prepares again when a statement it holds is gone (a socket client ran DEALLOCATE ALL)', async () => {
    const wire = new WireSession(db);
    expect(await wire.run('SELECT $1::int AS n', [1], false)).toEqual([{ n: 1 }]);
    await db.exec('DEALLOCATE ALL');
    expect(await wire.run('SELECT $1::int AS n', [2], false)).toEqual([{ n: 2 }]);
  });

  it('inside a transaction: a failed statement aborts it, and statements prepared in it outlive its rollback', async () => {
    const wire = new WireSession(db);
    await wire.simple('BEGIN');
    await wire.run('INSERT INTO t (k) VALUES ($1)', ['in-tx'], true);
    await expect(wire.run('INSERT INTO t (k) VALUES ($1)', ['in-tx'], true)).rejects.toMatchObject({ code: '23505' });
    await expect(wire.run('SELECT $1::int AS n', [1], true)).rejects.toMatchObject({ code: '25P02' });
    await wire.simple('ROLLBACK');
    expect(db.isInTransaction()).toBe(false);
    expect(await wire.run('SELECT count(*)::int AS n FROM t WHERE k = $1', ['in-tx'], false)).toEqual([{ n: 0 }]);
    expect(await wire.run('INSERT INTO t (k) VALUES ($1) RETURNING k', ['after'], false)).toEqual([{ k: 'after' }]);
  });
});
