import { PGlite } from '../../../src/ledger/pgliteModule.ts';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { inlineParams, toLiteral } from '../../../src/ledger/inline.ts';
import { TEXT_PARSERS } from '../../../src/ledger/parsers.ts';
import { ledgerDir, removeTempRoots, tempRoot } from './helpers/fixtures.ts';

describe('inlineParams', () => {
  it('replaces placeholders outside strings, identifiers, comments and dollar quotes', () => {
    const sql = `SELECT $1, '$1', E'it\\'s $1', "col$1", a$1, $$ $1 $$, $tag$ $1 $tag$, $2 -- $1
      /* $1 /* nested $1 */ $1 */ FROM t WHERE x = $1::int`;
    expect(inlineParams(sql, ['a', 'b'])).toBe(`SELECT 'a', '$1', E'it\\'s $1', "col$1", a$1, $$ $1 $$, $tag$ $1 $tag$, 'b' -- $1
      /* $1 /* nested $1 */ $1 */ FROM t WHERE x = 'a'::int`);
  });

  it('leaves a statement without parameters untouched', () => {
    expect(inlineParams('SELECT 1', [])).toBe('SELECT 1');
  });

  it('fails like a Bind message would when the count does not match', () => {
    expect(() => inlineParams('SELECT $1, $3', ['a', 'b', 'c'])).not.toThrow();
    expect(() => inlineParams('SELECT $2', ['a'])).toThrow('query refers to $2 but 1 parameter was given');
    expect(() => inlineParams('SELECT $1', ['a', 'b'])).toThrow('2 parameters were given but the query uses 1');
  });

  it('quotes every value, escaping quotes and backslashes, and refuses NUL', () => {
    expect(toLiteral(null)).toBe('NULL');
    expect(toLiteral(undefined)).toBe('NULL');
    expect(toLiteral(42)).toBe(`'42'`);
    expect(toLiteral("O'Brien")).toBe(`'O''Brien'`);
    expect(toLiteral('a\\b')).toBe(` E'a\\\\b'`);
    expect(toLiteral(['x', null, 'y"z'])).toBe(String.raw` E'{"x",NULL,"y\\"z"}'`);
    expect(() => toLiteral('a\0b')).toThrow(/NUL/);
    expect(() => toLiteral(new Date(Number.NaN))).toThrow(/invalid Date/);
  });
});

// The inlined form must mean exactly what the same value means as a bound parameter.
describe('inlined values round-trip like parameters', () => {
  let db: PGlite;
  beforeAll(async () => {
    const root = await tempRoot();
    db = await PGlite.create({ dataDir: ledgerDir(root), parsers: TEXT_PARSERS });
  }, 120_000);
  afterAll(async () => {
    await db?.close();
    removeTempRoots();
  });

  const cases: [string, string, unknown][] = [
    ['text with quotes and backslashes', '$1::text', `it's a "test" \\ with \\\\ and \\x41`],
    ['unicode', '$1::text', 'Zoë — 東京 🚀'],
    ['dollar signs and comment markers', '$1::text', '$1 $$ -- /* */'],
    ['numeric', '$1::numeric', 48000.55],
    ['negative integer', '$1::int', -7],
    ['boolean', '$1::boolean', true],
    ['timestamptz from a Date', '$1::timestamptz', new Date('2026-03-01T09:30:00.123Z')],
    ['timestamptz from an ISO string with offset', '$1::timestamptz', '2026-03-01T09:30:00+02:00'],
    ['jsonb from an object', '$1::jsonb', { a: 'q\'"\\', n: [1, null, { deep: true }] }],
    ['text[] with awkward elements', '$1::text[]', ['a,b', 'c"d', 'e\\f', null, '', 'NULL']],
    ['numeric[]', '$1::numeric[]', [1.5, null, -2]],
    ['jsonb[] as text elements', '$1::jsonb[]', [JSON.stringify({ k: 'v"' }), '{}']],
    ['bytea', '$1::bytea', new Uint8Array([0, 1, 254, 255])],
    ['null', '$1::text', null],
  ];
  it.each(cases)('%s', async (_name, expr, value) => {
    const sql = `SELECT ${expr} AS v`;
    const bound = await db.query<{ v: unknown }>(sql, [value]);
    const inlined = await db.query<{ v: unknown }>(inlineParams(sql, [value]));
    expect(inlined.rows[0]!.v).toEqual(bound.rows[0]!.v);
  });
});
