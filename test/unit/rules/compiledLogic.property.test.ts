import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { OPERATORS } from '../../../src/rules/operators.ts';
import { compiled, interpreted } from './compiledOracle.ts';

// Keys that facts use and paths reach, so most paths resolve; `current`/`accumulator` are reduce's scope,
// `length` and digits the own properties of arrays and strings. Paths add misses and prototype members.
const KEYS = ['a', 'b', 'n', 's', 'xs', '0', '1', 'length', 'current', 'accumulator'] as const;
const PATHS = [
  'a',
  'b',
  'a.b',
  'a.n',
  'n',
  's',
  's.length',
  'xs',
  'xs.0',
  'xs.1',
  'xs.length',
  'xs.0.a',
  'current',
  'accumulator',
  'current.a',
  'nope',
  'a.nope.deeper',
  'a.constructor',
  'toString',
  '',
  0,
  1,
] as const;
const STRINGS = ['', 'a', 'b', 'ab', '0', '1', '10', '2.5', ' 3 ', 'true', 'emea', 'xs', 'a.b'] as const;

const scalar = fc.oneof(fc.constant(null), fc.boolean(), fc.integer({ min: -3, max: 12 }), fc.constantFrom(0.5, -1.5, 1000), fc.constantFrom(...STRINGS));

const json = fc.letrec((tie) => ({
  value: fc.oneof({ depthSize: 'small', withCrossShrink: true }, scalar, tie('array'), tie('object')),
  array: fc.array(tie('value'), { maxLength: 4 }),
  object: fc.dictionary(fc.constantFrom(...KEYS), tie('value'), { maxKeys: 5, noNullPrototype: true }),
}));

/** Facts are an object in Flywheel; now and then a bare value, where a scope element can equal the root. */
const facts = fc.oneof({ weight: 9, arbitrary: json.object }, { weight: 1, arbitrary: json.value });

// Every allowed operator, plus names json-logic-js rejects (or resolves through its table), for thrown-ness.
const OPS = [...Object.keys(OPERATORS), 'nope', 'log', 'var.length'];

/** Random nested expressions; argument counts stray outside each operator's arity on purpose. */
const expr: fc.Arbitrary<unknown> = fc.letrec((tie) => ({
  e: fc.oneof(
    { depthSize: 'small', withCrossShrink: true },
    { weight: 3, arbitrary: scalar },
    { weight: 4, arbitrary: fc.constantFrom(...PATHS).map((p) => ({ var: p })) },
    { weight: 1, arbitrary: fc.tuple(fc.constantFrom(...PATHS), tie('e')).map(([p, d]) => ({ var: [p, d] })) },
    { weight: 1, arbitrary: tie('e').map((p) => ({ var: [p] })) },
    { weight: 1, arbitrary: fc.array(fc.oneof(fc.constantFrom(...PATHS), tie('e')), { maxLength: 3 }).map((ps) => ({ missing: ps })) },
    { weight: 1, arbitrary: fc.tuple(tie('e'), fc.oneof(fc.array(fc.constantFrom(...PATHS), { maxLength: 3 }), tie('e'))).map(([n, ps]) => ({ missing_some: [n, ps] })) },
    { weight: 6, arbitrary: fc.tuple(fc.constantFrom(...OPS), fc.array(tie('e'), { maxLength: 4 })).map(([op, args]) => ({ [op]: args })) },
    { weight: 1, arbitrary: fc.tuple(fc.constantFrom(...OPS), tie('e')).map(([op, arg]) => ({ [op]: arg })) },
    { weight: 1, arbitrary: fc.array(tie('e'), { maxLength: 3 }) },
  ),
})).e;

describe('compiled conditions against json-logic-js on random expressions and facts', () => {
  it('give the same value, throw alike, and report the same reads in the same order', () => {
    fc.assert(
      fc.property(expr, facts, (rule, data) => {
        expect(compiled(rule, data)).toStrictEqual(interpreted(rule, data));
      }),
      { seed: 20_260_302, numRuns: 2000 },
    );
  });

  it('agree when every fact path is present (conditions over real records)', () => {
    const full = fc.record({ a: json.object, b: scalar, n: fc.integer({ min: -5, max: 5 }), s: fc.constantFrom(...STRINGS), xs: fc.array(json.object, { maxLength: 3 }) });
    fc.assert(
      fc.property(expr, full, (rule, data) => {
        expect(compiled(rule, data)).toStrictEqual(interpreted(rule, data));
      }),
      { seed: 4_096, numRuns: 1000 },
    );
  });
});
