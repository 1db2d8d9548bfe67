import { cpSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import type { ActivityDeps } from '../../../activities/deps.ts';
import { createEvaluateLead } from '../../../activities/lead/evaluateLead.ts';
import { loadConfig } from '../../../src/config/load.ts';
import type { LoadedConfig } from '../../../src/config/types.ts';
import type { Ledger } from '../../../src/ledger/types.ts';
import { RulesCache } from '../../../src/rules/cache.ts';
import { config, exampleRules, repoRoot, ruleSet, tempDir, validate } from './helpers.ts';

// No customer accounts: accountFacts finds no won deal for any domain.
const noAccounts = { query: async () => [] } as unknown as Ledger;
const demoConfig = loadConfig(path.join(repoRoot, 'demo', 'config', 'flywheel.yaml'));
const evaluateWith = (rulesDir: string, loaded: LoadedConfig = { config: config() } as LoadedConfig) =>
  createEvaluateLead({ rules: new RulesCache(rulesDir, { config: loaded.config }), ledger: noAccounts, config: loaded } as ActivityDeps);
const at = '2026-03-02T09:30:00Z';
const work = { email: 'maria.lopez@acme.example', domain: 'acme.example', company: 'Acme', country: 'ES', title: 'Head of Data', seniority: 'director', employees: 400 };
const dirs: string[] = [];
afterAll(() => dirs.forEach((d) => rmSync(d, { recursive: true, force: true })));

describe('evaluateLead reports whether a disqualification may re-open', () => {
  for (const [name, dir, loaded] of [
    ['rules', exampleRules, undefined],
    ['demo/rules', path.join(repoRoot, 'demo', 'rules'), demoConfig],
  ] as const) {
    const evaluate = evaluateWith(dir, loaded);

    it(`${name}: a personal address without a company domain is reopenable`, async () => {
      const r = await evaluate({ leadId: 'l-1', lead: { ...work, email: 'maria.lopez.1987@gmail.com', domain: null }, at });
      expect(r.status).toBe('disqualified');
      expect(r.disqualified).toEqual({ reasons: ['personal e-mail address and no company domain'], reopenable: true });
    });

    it(`${name}: a competitor is not`, async () => {
      const r = await evaluate({ leadId: 'l-2', lead: { ...work, email: 'j.doe@contoso-analytics.example', domain: 'contoso-analytics.example' }, at });
      expect(r.disqualified).toEqual({ reasons: ['works for a competitor'], reopenable: false });
    });

    it(`${name}: one reason that cannot change keeps the lead closed, even beside a reopenable one`, async () => {
      const r = await evaluate({ leadId: 'l-3', lead: { ...work, email: 'tom@web.de', domain: '', title: 'Werkstudent Data', seniority: 'student' }, at });
      expect(r.disqualified?.reasons).toEqual(['student or academic address', 'personal e-mail address and no company domain']);
      expect(r.disqualified?.reopenable).toBe(false);
    });

    it(`${name}: a qualified lead has no disqualification at all`, async () => {
      const r = await evaluate({ leadId: 'l-4', lead: work, at });
      expect(r.status).not.toBe('disqualified');
      expect(r.disqualified).toBeNull();
    });
  }

  it('a disqualification by the qualification rules alone is not reopenable', async () => {
    const dir = tempDir();
    dirs.push(dir);
    cpSync(exampleRules, dir, { recursive: true });
    rmSync(path.join(dir, 'tests'), { recursive: true, force: true });
    const file = path.join(dir, 'qualification.yaml');
    const qualRule = `rules:
  - id: qual-test-interns
    description: test-only rule, qualification disqualifies on its own
    when: { "==": [{ var: lead.title }, Intern] }
    then: { status: disqualified, reason: interns do not buy }
`;
    writeFileSync(file, readFileSync(file, 'utf8').replace(/^rules:\n/m, qualRule));
    const r = await evaluateWith(dir)({ leadId: 'l-5', lead: { ...work, title: 'Intern' }, at });
    expect(r.status).toBe('disqualified');
    expect(r.disqualified).toEqual({ reasons: ['interns do not buy'], reopenable: false });
  });
});

describe('the disqualification schema', () => {
  it('accepts reopenable true or false and rejects anything else, naming file, line and rule', () => {
    const rule = (id: string, reopenable: string) => `  - id: ${id}
    description: test
    when: true
    then: { code: ${id}, reason: test, reopenable: ${reopenable} }
`;
    expect(validate({ 'disqualification.yaml': ruleSet('disqualification', 'collect', rule('dq-a', 'true') + rule('dq-b', 'false')) }).filter((d) => d.severity === 'error')).toEqual([]);
    const errors = validate({ 'disqualification.yaml': ruleSet('disqualification', 'collect', rule('dq-a', '"yes"')) }).filter((d) => d.severity === 'error');
    expect(errors).toHaveLength(1);
    expect(errors[0]).toMatchObject({ line: 8, ruleId: 'dq-a' });
    expect(errors[0]!.file).toMatch(/disqualification\.yaml$/);
  });
});
