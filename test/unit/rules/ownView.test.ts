import jsonLogic from 'json-logic-js';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { evaluate } from '../../../src/rules/jsonLogic.ts';
import { ownVar, readOwnPath } from '../../../src/rules/ownView.ts';

// Keys from an alphabet that cannot spell an inherited member (toString, map, constructor, ...), plus the
// own `length` of arrays and strings and numeric indexes, which plain JSON does expose.
const key = fc.oneof(fc.stringMatching(/^[a-f]{1,3}$/), fc.constantFrom('length', '0', '1', '2'));
const json = fc.letrec((tie) => ({
  value: fc.oneof(
    { depthSize: 'small', withCrossShrink: true },
    fc.constant(null),
    fc.boolean(),
    fc.integer({ min: -20, max: 20 }),
    fc.double({ noNaN: true, noDefaultInfinity: true }),
    fc.stringMatching(/^[a-c1-3 ]{0,4}$/),
    tie('array'),
    tie('object'),
  ),
  array: fc.array(tie('value'), { maxLength: 4 }),
  object: fc.dictionary(key, tie('value'), { maxKeys: 4 }),
})).value;

const path = fc.array(key, { minLength: 1, maxLength: 3 }).map((segs) => segs.join('.'));
const unary = ['!', '!!'] as const;
const binary = ['==', '===', '!=', '!==', '>', '>=', '<', '<=', '+', '-', '*', '/', '%', 'in', 'cat', 'max', 'min', 'merge'] as const;
const variadic = ['and', 'or', 'if', '?:'] as const;

/** Random expressions over the standard operators: var/missing reach into the data, the rest combines. */
const expr: fc.Arbitrary<unknown> = fc.letrec((tie) => ({
  e: fc.oneof(
    { depthSize: 'small', withCrossShrink: true },
    fc.oneof(fc.constant(null), fc.boolean(), fc.integer({ min: -5, max: 5 }), fc.stringMatching(/^[a-c1-3]{0,2}$/)),
    fc.record({ var: path }),
    fc.tuple(path, tie('e')).map(([p, d]) => ({ var: [p, d] })),
    fc.array(path, { minLength: 1, maxLength: 3 }).map((ps) => ({ missing: ps })),
    fc.tuple(fc.integer({ min: 0, max: 3 }), fc.array(path, { minLength: 1, maxLength: 3 })).map(([n, ps]) => ({ missing_some: [n, ps] })),
    fc.tuple(fc.constantFrom(...unary), tie('e')).map(([op, a]) => ({ [op]: [a] })),
    fc.tuple(fc.constantFrom(...binary), tie('e'), tie('e')).map(([op, a, b]) => ({ [op]: [a, b] })),
    fc.tuple(fc.constantFrom(...variadic), fc.array(tie('e'), { minLength: 1, maxLength: 4 })).map(([op, xs]) => ({ [op]: op === '?:' ? [...xs, null, null].slice(0, 3) : xs })),
    fc.tuple(fc.constantFrom('map', 'filter', 'all', 'some', 'none'), fc.record({ var: path }), tie('e')).map(([op, a, b]) => ({ [op]: [a, b] })),
    fc.tuple(fc.record({ var: path }), tie('e'), tie('e')).map(([a, b, c]) => ({ reduce: [a, b, c] })),
  ),
})).e;

/** What an evaluation produced, with thrown errors as values so both sides can be compared. */
function outcome(f: () => unknown): unknown {
  try {
    return { value: f() };
  } catch (e) {
    return { error: (e as Error).message };
  }
}

describe('own-properties view', () => {
  it('never changes a result on plain JSON (random expressions, random data)', () => {
    fc.assert(
      fc.property(expr, json, (rule, data) => {
        const raw = outcome(() => jsonLogic.apply(rule as never, data));
        const own = outcome(() => evaluate(rule, data));
        expect(own).toEqual(raw);
      }),
      { numRuns: 3000 },
    );
  });

  it('reads declared data the same way as json-logic-js', () => {
    const data = { lead: { technologies: ['dbt', 'snowflake'], title: 'CTO', n: 0, nil: null } };
    for (const p of ['lead.technologies.1', 'lead.technologies.length', 'lead.title.length', 'lead.n', 'lead.nil', 'lead.missing']) {
      expect(evaluate({ var: p }, data)).toEqual(jsonLogic.apply({ var: p }, data));
    }
  });

  it('hides inherited members that json-logic-js would return', () => {
    const data = { lead: { email: 'a@b.example', technologies: ['dbt'] } };
    for (const p of ['lead.email.constructor', 'lead.technologies.map', 'lead.toString', '__proto__', 'lead.__proto__', 'constructor.name']) {
      expect(jsonLogic.apply({ var: p }, data), p).not.toBeNull();
      expect(evaluate({ var: p }, data), p).toBeNull();
      expect(evaluate({ var: [p, 'fallback'] }, data), p).toBe('fallback');
    }
  });

  it('treats inherited members as missing', () => {
    expect(evaluate({ missing: ['lead.toString', 'lead.email'] }, { lead: { email: 'x@y.example' } })).toEqual(['lead.toString']);
  });

  it('still reads own keys that JSON.parse creates, even "__proto__"', () => {
    const data = JSON.parse('{"__proto__": {"x": 1}}') as unknown;
    expect(readOwnPath(data, '__proto__.x')).toEqual({ found: true, value: 1 });
    expect(ownVar({ a: { b: 2 } }, 'a.c', 7)).toBe(7);
  });

  it('does not change the shared json-logic-js instance', () => {
    expect(() => jsonLogic.apply({ domain_of: ['a@b.example'] } as never, {})).toThrow(/Unrecognized operation/);
    expect(evaluate({ domain_of: ['a@B.Example'] }, {})).toBe('b.example');
    expect(() => evaluate({ log: ['x'] }, {})).toThrow(/Unrecognized operation log/);
  });
});
