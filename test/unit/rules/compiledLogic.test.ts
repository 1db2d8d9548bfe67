import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import type { CompiledSet } from '../../../src/rules/compile.ts';
import { compileCondition } from '../../../src/rules/compiledLogic.ts';
import { decideSet, RuleEvaluationError } from '../../../src/rules/evaluate.ts';
import { loadRules } from '../../../src/rules/load.ts';
import { validateRulesDir } from '../../../src/rules/validate/index.ts';
import { compiled, interpreted } from './compiledOracle.ts';
import { config, exampleRules } from './helpers.ts';

type Case = [rule: unknown, data: unknown, expected: unknown];
const suite = (JSON.parse(readFileSync(new URL('../../fixtures/jsonlogic/tests.json', import.meta.url), 'utf8')) as (string | Case)[]).filter((e): e is Case => typeof e !== 'string');

describe('compiled conditions against json-logic-js (the oracle)', () => {
  it('agree on every case of the JsonLogic suite: value, thrown-ness and reads', () => {
    expect(suite).toHaveLength(277);
    for (const [rule, data, expected] of suite) {
      const want = interpreted(rule, data);
      expect(compiled(rule, data), JSON.stringify(rule)).toStrictEqual(want);
      expect(want.outcome).toEqual({ value: expected });
    }
  });

  it('agree on every example rule over every example test case', () => {
    const validation = validateRulesDir(exampleRules, { config: config() });
    const facts = validation.suites.flatMap((s) => s.cases.map((c) => c.facts));
    const rules = validation.sets.flatMap((s) => s.doc.rules);
    expect(facts.length).toBeGreaterThan(50);
    for (const rule of rules) {
      for (const f of facts) expect(compiled(rule.when, f), `${rule.id} on ${JSON.stringify(f)}`).toStrictEqual(interpreted(rule.when, f));
    }
  });

  // Corners the random expressions rarely reach; each is checked against the oracle and pinned to its value.
  const corners: [what: string, expr: unknown, facts: unknown, outcome: { value: unknown } | { error: RegExp }, reads: [string, unknown][]][] = [
    [
      'reads in evaluation order, every occurrence',
      { and: [{ var: 'b' }, { var: 'a' }, { var: 'b' }] },
      { a: 1, b: 2 },
      { value: 2 },
      [
        ['b', 2],
        ['a', 1],
        ['b', 2],
      ],
    ],
    [
      'a default is evaluated before the path is read',
      { var: ['a', { var: 'b' }] },
      { b: 2 },
      { value: 2 },
      [
        ['b', 2],
        ['a', null],
      ],
    ],
    ['a computed path', { var: { cat: ['le', 'ad.n'] } }, { lead: { n: 3 } }, { value: 3 }, [['lead.n', 3]]],
    ['numeric path', { var: 1 }, { 1: 'x' }, { value: 'x' }, [['1', 'x']]],
    ['array path: read but not reported', { var: [['a']] }, { a: 5 }, { value: 5 }, []],
    ['the whole data: not reported', { var: '' }, { a: 1 }, { value: { a: 1 } }, []],
    ['no prototype paths', { var: 'lead.email.constructor' }, { lead: { email: 'x@y' } }, { value: null }, [['lead.email.constructor', null]]],
    ['element reads inside map are not reported', { map: [{ var: 'xs' }, { var: 'n' }] }, { xs: [{ n: 1 }, { n: 2 }] }, { value: [1, 2] }, [['xs', [{ n: 1 }, { n: 2 }]]]],
    ['…unless the element is the facts themselves', { map: [[{ var: '' }], { var: 'a' }] }, { a: 7 }, { value: [7] }, [['a', 7]]],
    ['reduce over the facts as accumulator', { reduce: [[1, 2], { '+': [{ var: 'current' }, { var: 'accumulator' }] }, 0] }, {}, { value: 3 }, []],
    [
      'missing with a key that is logic',
      { missing: [{ var: 'k' }] },
      { k: { var: 'j' }, j: 'a', a: '' },
      { value: [{ var: 'j' }] },
      [
        ['k', { var: 'j' }],
        ['j', 'a'],
        ['a', ''],
      ],
    ],
    [
      'missing_some evaluates its options again',
      { missing_some: [1, { merge: [['a'], ['b']] }] },
      { b: 1 },
      { value: [] },
      [
        ['a', null],
        ['b', 1],
      ],
    ],
    ['missing_some without options throws', { missing_some: [1, null] }, null, { error: /Cannot read properties of null/ }, []],
    [
      'an unknown operator throws when reached',
      { or: [{ var: 'a' }, { nope: [{ var: 'b' }] }] },
      { a: 0, b: 1 },
      { error: /Unrecognized operation nope/ },
      [
        ['a', 0],
        ['b', 1],
      ],
    ],
    ['…and not when short-circuited', { or: [true, { nope: [] }] }, {}, { value: true }, []],
    ['a dotted operator walks json-logic-js’s table', { 'var.prototype.constructor': 'a' }, { a: 1 }, { value: 1 }, [['a', 1]]],
    ['log is gone', { log: 1 }, {}, { error: /Unrecognized operation log/ }, []],
    ['empty and is undefined', { and: [] }, {}, { value: undefined }, []],
    ['between with an undefined bound', { '<': [1, 2, { and: [] }] }, {}, { value: true }, []],
    ['product of nothing throws', { '*': [] }, {}, { error: /Reduce of empty array/ }, []],
    ['rule text stays data', { cat: ['a', "'); process.exit(1); ('"] }, {}, { value: "a'); process.exit(1); ('" }, []],
  ];
  it.each(corners)('%s', (_what, expr, facts, outcome, reads) => {
    const got = compiled(expr, facts);
    expect(got).toStrictEqual(interpreted(expr, facts));
    expect(got.reads).toStrictEqual(reads);
    if ('error' in outcome) expect(got.outcome).toMatchObject({ error: expect.stringMatching(outcome.error) });
    else expect(got.outcome).toStrictEqual(outcome);
  });
});

describe('rule sets use compiled conditions', () => {
  it('compiles every rule once when a set is compiled, keeping its condition text', () => {
    const engine = loadRules(exampleRules, { config: config() });
    for (const kind of engine.kinds()) {
      for (const rule of engine.set(kind).rules) {
        expect(rule.condition, rule.id).toBeTypeOf('function');
        expect(rule.when, rule.id).not.toBeUndefined();
      }
    }
  });

  it('reports a condition that throws as a RuleEvaluationError naming the rule', () => {
    const when = { and: [{ var: 'a' }, { nope: [] }] };
    const set: CompiledSet<'icp'> = {
      kind: 'icp',
      file: 'rules/icp.yaml',
      hitPolicy: 'first',
      rules: [{ id: 'broken', description: '', when, condition: compileCondition(when), then: { tier: 'A' }, line: 4, column: 5 }],
    };
    const revision = loadRules(exampleRules, { config: config() }).revision;
    expect(decideSet(set, { a: 0 }, revision).matched).toEqual([]);
    expect(() => decideSet(set, { a: 1 }, revision)).toThrow(RuleEvaluationError);
    expect(() => decideSet(set, { a: 1 }, revision)).toThrow(/rules\/icp\.yaml:4: \[rule broken\] evaluation failed .*Unrecognized operation nope/);
  });
});
