import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { evaluate } from '../../../src/rules/jsonLogic.ts';

type Case = [rule: unknown, data: unknown, expected: unknown];

const entries = JSON.parse(readFileSync(new URL('../../fixtures/jsonlogic/tests.json', import.meta.url), 'utf8')) as (string | Case)[];

/** Cases grouped under the suite's own section comments, so a failure names its section. */
function sections(): { title: string; cases: Case[] }[] {
  const out: { title: string; cases: Case[] }[] = [];
  for (const e of entries) {
    if (typeof e === 'string') out.push({ title: e.replace(/^#\s*/, ''), cases: [] });
    else out[out.length - 1]!.cases.push(e);
  }
  return out;
}

describe('JsonLogic shared test suite through Flywheel’s evaluator', () => {
  it('has all 277 cases', () => {
    expect(entries.filter((e) => typeof e !== 'string')).toHaveLength(277);
  });

  for (const section of sections().filter((s) => s.cases.length > 0)) {
    describe(section.title, () => {
      it.each(section.cases.map((c, i) => [i, JSON.stringify(c[0]), c] as const))('#%i %s', (_i, _text, [rule, data, expected]) => {
        expect(evaluate(rule, data)).toEqual(expected);
      });
    });
  }
});
