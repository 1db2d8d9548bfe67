import { writeFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { exampleRules, ruleSet, runRules, tempDir } from './helpers.ts';

const shadowed = ruleSet(
  'routing',
  'first',
  `  - id: route-all
    description: everything
    when: true
    then: { strategy: queue, queue: sales-overflow }
  - id: route-never
    description: unreachable
    when: { "==": [{ var: lead.region }, emea] }
    then: { strategy: queue, queue: enterprise-emea }
`,
);
const invalid = ruleSet(
  'routing',
  'first',
  `  - id: enterprise-emea
    description: typo
    when: true
    then: { strategy: queue, queue: enterprise-emae }
`,
);

describe('flywheel rules validate', () => {
  it('exits 0 on the example rules', async () => {
    const run = await runRules(['rules', 'validate', exampleRules, '--strict']);
    expect(run).toMatchObject({ code: 0, stderr: '' });
    expect(run.stdout).toMatch(/: 11 rule sets, 65 rules, 11 test files: valid\n$/);
  });

  it('exits 0 with warnings, 1 with --strict, and prints file:line:column and rule id', async () => {
    const dir = tempDir({ 'routing.yaml': shadowed });
    const lax = await runRules(['rules', 'validate', dir]);
    expect(lax.code).toBe(0);
    expect(lax.stderr).toMatch(/routing\.yaml:11:11: \[rule route-never\] warning: rules\[1\]\.when: never reached: the catch-all rule "route-all"/);
    expect(lax.stdout).toContain('valid with 1 warning');
    expect((await runRules(['rules', 'validate', dir, '--strict'])).code).toBe(1);
  });

  it('exits 2 when invalid', async () => {
    const run = await runRules(['rules', 'validate', tempDir({ 'routing.yaml': invalid })]);
    expect(run.code).toBe(2);
    expect(run.stderr).toMatch(/routing\.yaml:8:37: \[rule enterprise-emea\] rules\[0\]\.then\.queue: unknown queue "enterprise-emae" \(did you mean "enterprise-emea"\?\)/);
    expect(run.stdout).toContain('invalid: 1 error, 0 warnings');
  });

  it('prints GitHub annotations with --format github', async () => {
    const dir = tempDir({ 'routing.yaml': invalid });
    const run = await runRules(['rules', 'validate', dir, '--format', 'github']);
    expect(run.code).toBe(2);
    const file = path.join(dir, 'routing.yaml');
    expect(run.stdout).toContain(`::error file=${file},line=8,col=37,title=rule enterprise-emea::rules[0].then.queue: unknown queue "enterprise-emae" (did you mean "enterprise-emea"?)\n`);
  });

  it('prints JSON with --json', async () => {
    const run = await runRules(['rules', 'validate', tempDir({ 'routing.yaml': invalid }), '--json']);
    const out = JSON.parse(run.stdout) as { valid: boolean; errors: number; diagnostics: { code: string; line: number; ruleId: string }[] };
    expect(out).toMatchObject({ valid: false, errors: 1, diagnostics: [{ code: 'unknown-queue', line: 8, ruleId: 'enterprise-emea' }] });
    expect(run.code).toBe(2);
  });

  it('exits 2 for a missing folder and a bad --format', async () => {
    expect(await runRules(['rules', 'validate', '/nonexistent/rules'])).toMatchObject({ code: 2, stderr: 'flywheel: rules folder not found: /nonexistent/rules\n' });
    expect((await runRules(['rules', 'validate', exampleRules, '--format', 'xml'])).code).toBe(2);
  });
});

describe('flywheel rules explain', () => {
  const factsFile = (facts: unknown) => {
    const file = path.join(tempDir(), 'facts.json');
    writeFileSync(file, JSON.stringify(facts, null, 2));
    return file;
  };

  it('prints the trace, or JSON', async () => {
    const file = factsFile({ lead: { region: 'emea', employees: 40 }, icp: { tier: 'C' } });
    const text = await runRules(['rules', 'explain', 'routing', '--facts', file, '--dir', exampleRules]);
    expect(text.code).toBe(0);
    expect(text.stdout).toMatch(/✓ route-smb +rules\/routing\.yaml:\d+ +matched, decides/);
    const json = await runRules(['rules', 'explain', 'routing', '--facts', file, '--dir', exampleRules, '--json']);
    expect(JSON.parse(json.stdout)).toMatchObject({ kind: 'routing', decision: { matched: ['route-smb'] } });
  });

  it('rejects facts that do not fit the facts schema, located in the facts file', async () => {
    const file = factsFile({ lead: { employess: 40 } });
    const run = await runRules(['rules', 'explain', 'routing', '--facts', file, '--dir', exampleRules]);
    expect(run.code).toBe(2);
    expect(run.stderr).toContain(`${file}:3:5: lead.employess: undeclared fact "employess" (did you mean "employees"?)`);
  });

  it('rejects an unknown kind', async () => {
    const run = await runRules(['rules', 'explain', 'routng', '--facts', factsFile({}), '--dir', exampleRules]);
    expect(run).toMatchObject({ code: 2, stderr: expect.stringContaining('unknown kind "routng" (did you mean "routing"?)') });
  });
});

describe('flywheel rules revision', () => {
  it('prints the revision id, or JSON', async () => {
    const dir = tempDir({ 'icp.yaml': 'kind: icp\n' });
    const text = await runRules(['rules', 'revision', dir]);
    expect(text.stdout).toMatch(/^nogit\+[0-9a-f]{8}\n$/);
    const json = JSON.parse((await runRules(['rules', 'revision', dir, '--json'])).stdout) as Record<string, unknown>;
    expect(json).toMatchObject({ commit: null, dirty: false, contentHash: expect.stringMatching(/^[0-9a-f]{64}$/) });
  });
});

describe('help', () => {
  it('every rules command has --help', async () => {
    for (const cmd of ['validate', 'test', 'explain', 'revision']) {
      const run = await runRules(['rules', cmd, '--help']);
      expect(run.code, cmd).toBe(0);
      expect(run.stdout, cmd).toMatch(new RegExp(`^Usage: flywheel rules ${cmd}`));
    }
  });
});
