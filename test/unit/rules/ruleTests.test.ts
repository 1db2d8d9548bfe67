import { cpSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { engineFrom } from '../../../src/rules/load.ts';
import { lineDiff, partialMatch } from '../../../src/rules/testing/diff.ts';
import { mergeFacts } from '../../../src/rules/testing/suites.ts';
import { runRuleTests } from '../../../src/rules/testing/run.ts';
import { validateRulesDir } from '../../../src/rules/validate/index.ts';
import { config, exampleRules, runRules, tempDir } from './helpers.ts';

function copyOfExamples(): string {
  const dir = path.join(tempDir(), 'rules');
  cpSync(exampleRules, dir, { recursive: true });
  return dir;
}

describe('the example rules’ own tests', () => {
  it('all pass and match every rule', () => {
    const v = validateRulesDir(exampleRules, { config: config() });
    const report = runRuleTests(engineFrom(v), v.suites);
    expect(report.results.filter((r) => !r.passed)).toEqual([]);
    expect(report.passed).toBeGreaterThanOrEqual(70);
    expect(report.coverage).toMatchObject({ percent: 100, uncovered: [] });
    expect(report.coverage.total).toBe(65);
  });

  it('pass through `flywheel rules test rules --coverage-min 100`', async () => {
    const run = await runRules(['rules', 'test', exampleRules, '--coverage-min', '100']);
    expect(run.code).toBe(0);
    expect(run.stdout).toMatch(/\d+ cases: \d+ passed, 0 failed/);
    expect(run.stdout).toContain('coverage: 65/65 rules matched by at least one case (100%)');
  });

  it('fail with a readable diff when a case is wrong', async () => {
    const dir = copyOfExamples();
    const file = path.join(dir, 'tests', 'routing.test.yaml');
    writeFileSync(
      file,
      readFileSync(file, 'utf8').replace('expect: { rule: route-enterprise-na, outcome: { queue: enterprise-na } }', 'expect: { rule: route-enterprise-emea, outcome: { queue: enterprise-emea } }'),
    );
    const run = await runRules(['rules', 'test', dir]);
    expect(run.code).toBe(1);
    expect(run.stdout).toMatch(/^FAIL .*routing\.test\.yaml:\d+:\d+ {2}routing: tier A in the US goes to enterprise NA$/m);
    expect(run.stdout).toContain(['  outcome differs (- expected, + actual)', '      {', '    -   "queue": "enterprise-emea"', '    +   "queue": "enterprise-na"', '      }'].join('\n'));
    expect(run.stdout).toContain('  expected rule route-enterprise-emea to match; matched: route-enterprise-na');
    expect(run.stdout).toMatch(/inputs read: .*lead\.region = "na"/);
    expect(run.stdout).toMatch(/\d+ cases: \d+ passed, 1 failed/);
  });

  it('fail below --coverage-min and list the rules no case matched', async () => {
    const dir = copyOfExamples();
    const file = path.join(dir, 'tests', 'sla.test.yaml');
    const text = readFileSync(file, 'utf8');
    writeFileSync(file, text.slice(0, text.indexOf('  - name: enterprise customer kickoff')));
    const run = await runRules(['rules', 'test', dir, '--coverage-min', '96']);
    expect(run.code).toBe(1);
    expect(run.stdout).toContain('coverage: 62/65 rules matched by at least one case (95.3%)');
    expect(run.stdout).toMatch(/sla\.yaml:\d+:\d+ {2}\[rule sla-stc-enterprise\]/);
    expect(run.stdout).toContain('coverage 95.3% is below the minimum of 96%');
    expect((await runRules(['rules', 'test', dir, '--coverage-min', '90'])).code).toBe(0);
  });

  it('refuse to run with invalid test files (exit 2)', async () => {
    const dir = copyOfExamples();
    writeFileSync(path.join(dir, 'tests', 'icp.test.yaml'), 'kind: icp\ncases:\n  - name: typo\n    facts: { lead: { employess: 5 } }\n    expect: { rule: icp-d-default }\n');
    const run = await runRules(['rules', 'test', dir]);
    expect(run.code).toBe(2);
    expect(run.stderr).toMatch(/icp\.test\.yaml:4:\d+: cases\[0\]\.facts\.lead\.employess: undeclared fact "employess" \(did you mean "employees"\?\)/);
  });
});

describe('test helpers', () => {
  it('match outcomes partially, arrays element by element', () => {
    expect(partialMatch({ a: 1 }, { a: 1, b: 2 })).toBe(true);
    expect(partialMatch({ xs: [{ a: 1 }] }, { xs: [{ a: 1, b: 2 }] })).toBe(true);
    expect(partialMatch({ xs: [{ a: 1 }] }, { xs: [{ a: 1 }, { a: 2 }] })).toBe(false);
    expect(partialMatch({ a: null }, {})).toBe(false);
  });

  it('merge defaults deeply, replacing arrays and nulls', () => {
    expect(mergeFacts({ lead: { a: 1, t: ['x'] }, account: { id: 'a' } }, { lead: { b: 2, t: ['y'] }, account: null })).toEqual({ lead: { a: 1, b: 2, t: ['y'] }, account: null });
  });

  it('diff lines by longest common subsequence', () => {
    expect(lineDiff(['{', 'a', 'b', '}'], ['{', 'a', 'c', '}'])).toEqual(['  {', '  a', '- b', '+ c', '  }']);
  });
});
