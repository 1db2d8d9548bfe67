import { execFileSync } from 'node:child_process';
import { cpSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { DiagnosticsError } from '../../../src/diagnostics/diagnostic.ts';
import { RulesCache, type RulesLogger } from '../../../src/rules/cache.ts';
import { config, exampleRules } from './helpers.ts';

/** A copy of the shipped rules outside Git, so a test may break it. */
function rulesCopy(): string {
  const dir = path.join(mkdtempSync(path.join(os.tmpdir(), 'flywheel-rules-cache-')), 'rules');
  cpSync(exampleRules, dir, { recursive: true });
  return dir;
}

function edit(dir: string, file: string, from: string, to: string): void {
  const abs = path.join(dir, file);
  const text = readFileSync(abs, 'utf8');
  expect(text).toContain(from);
  writeFileSync(abs, text.replace(from, to));
}

function captured() {
  const warnings: string[] = [];
  const infos: string[] = [];
  const logger: RulesLogger = { warn: (m) => warnings.push(m), info: (m) => infos.push(m) };
  return { logger, warnings, infos };
}

const now = '2025-03-04T10:00:00Z';
const enterpriseEmea = { now, lead: { region: 'emea', employees: 2000 }, icp: { tier: 'A' }, account: {}, owner: {} };
const handRaiser = { now, lead: { source: 'demo-request' }, account: {}, icp: { tier: 'A', disqualified: false, reasons: [] } };

// Each breaks routing.yaml the way the fault test did; the line is where the validator points.
const breakages = [
  {
    name: 'a YAML syntax error',
    from: '    then: { strategy: account-owner, fallbackQueue: sales-overflow, reason: open opportunity on the account }',
    to: '    then: { strategy: account-owner, fallbackQueue: sales-overflow, reason: open opportunity on the account',
    code: /^yaml/,
    ruleId: 'route-open-opportunity',
  },
  {
    name: 'a rule reading an undeclared fact',
    from: '        - { in: [{ var: lead.region }, [emea, apac]] }',
    to: '        - { in: [{ var: lead.regon }, [emea, apac]] }',
    code: /^undeclared-fact$/,
    ruleId: 'route-enterprise-emea',
    line: 38,
  },
  {
    name: 'an operator off the allow-list',
    from: '        - { in: [{ var: lead.region }, [emea, apac]] }',
    to: '        - { method: [{ var: lead.region }, toUpperCase] }',
    code: /^unknown-operator$/,
    ruleId: 'route-enterprise-emea',
    line: 38,
  },
];

describe('RulesCache refusing an invalid change', () => {
  it.each(breakages)('keeps the last valid routing rules on $name and takes a valid qualification change', ({ from, to, code, ruleId, line }) => {
    const dir = rulesCopy();
    const log = captured();
    const cache = new RulesCache(dir, { config: config(), recheckMs: 0, logger: log.logger });
    const before = cache.decide('routing', enterpriseEmea);
    expect(before.matched).toEqual(['route-enterprise-emea']);
    expect(cache.health()).toMatchObject({ status: 'ok', rejected: null, diagnostics: [] });

    edit(dir, 'routing.yaml', from, to);
    edit(dir, 'qualification.yaml', 'reason: hand-raiser inside the profile', 'reason: hand-raiser, changed');

    const routing = cache.decide('routing', enterpriseEmea);
    expect(routing.matched).toEqual(['route-enterprise-emea']);
    expect(routing.outcome).toEqual(before.outcome);
    expect(cache.decide('qualification', handRaiser).outcome).toMatchObject({ status: 'mql', reason: 'hand-raiser, changed' });

    const health = cache.health();
    expect(health.status).toBe('degraded');
    expect(health.kept).toEqual(['routing']);
    // The stamp names the content that decides (old routing, new qualification), never the refused content.
    expect(routing.revision.contentHash).toBe(health.revision!.contentHash);
    expect(health.revision!.contentHash).not.toBe(before.revision.contentHash);
    expect(health.rejected!.contentHash).not.toBe(health.revision!.contentHash);
    expect(health.diagnostics.length).toBeGreaterThan(0);
    for (const d of health.diagnostics) {
      expect(d.file).toMatch(/routing\.yaml$/);
      expect(d.severity).toBe('error');
    }
    const first = health.diagnostics[0]!;
    expect(first).toMatchObject({ ruleId });
    expect(first.code).toMatch(code);
    if (line) expect(first.line).toBe(line);
    expect(log.warnings).toHaveLength(1);
    expect(log.warnings[0]).toContain('the last valid routing rules keep deciding');
    expect(log.warnings[0]).toMatch(new RegExp(`routing\\.yaml:${first.line}:${first.column}: \\[rule ${ruleId}\\]`));
  });

  it('logs once per refused content, not once per decision, and once when valid again', () => {
    const dir = rulesCopy();
    const log = captured();
    const cache = new RulesCache(dir, { config: config(), recheckMs: 0, logger: log.logger });
    cache.get();
    edit(dir, 'routing.yaml', '{ var: lead.region }, [emea, apac]', '{ var: lead.regon }, [emea, apac]');
    for (let i = 0; i < 50; i++) expect(cache.decide('routing', enterpriseEmea).matched).toEqual(['route-enterprise-emea']);
    expect(log.warnings).toHaveLength(1);
    expect(cache.health().status).toBe('degraded');
    expect(log.warnings).toHaveLength(1);

    // A second, different invalid content is a new refusal, said once more.
    // (Lengths differ at each step: the cache notices a change by size and mtime.)
    edit(dir, 'routing.yaml', '{ var: lead.regon }', '{ var: lead.rgn }');
    for (let i = 0; i < 20; i++) cache.get();
    expect(log.warnings).toHaveLength(2);
    expect(log.warnings[1]).toContain('lead.rgn');

    edit(dir, 'routing.yaml', '{ var: lead.rgn }', '{ var: lead.region }');
    for (let i = 0; i < 20; i++) cache.get();
    expect(log.warnings).toHaveLength(2);
    expect(log.infos).toHaveLength(1);
    expect(log.infos[0]).toMatch(/is valid; every kind decides with it/);
    expect(cache.health()).toMatchObject({ status: 'ok', kept: [], rejected: null, diagnostics: [] });
  });

  it('keeps a kind whose file is deleted, and every kind when the folder is gone', () => {
    const dir = rulesCopy();
    const log = captured();
    const cache = new RulesCache(dir, { config: config(), recheckMs: 0, logger: log.logger });
    cache.get();
    rmSync(path.join(dir, 'routing.yaml'));
    expect(cache.decide('routing', enterpriseEmea).matched).toEqual(['route-enterprise-emea']);
    expect(cache.health()).toMatchObject({ status: 'degraded', kept: ['routing'], diagnostics: [{ code: 'kind-removed' }] });

    rmSync(dir, { recursive: true });
    expect(cache.decide('qualification', handRaiser).outcome).toMatchObject({ status: 'mql' });
    expect(cache.health()).toMatchObject({ status: 'degraded', diagnostics: [{ code: 'rules-unreadable' }] });
    expect(cache.health().kept).toHaveLength(11);
    expect(log.warnings).toHaveLength(2);
  });

  it('throws while the folder has never been valid, and reports it without throwing', () => {
    const dir = rulesCopy();
    edit(dir, 'routing.yaml', '{ var: lead.region }, [emea, apac]', '{ var: lead.regon }, [emea, apac]');
    const cache = new RulesCache(dir, { config: config(), recheckMs: 0, logger: captured().logger });
    expect(() => cache.get()).toThrow(DiagnosticsError);
    expect(() => cache.get()).toThrow(/routing\.yaml:38:\d+: \[rule route-enterprise-emea\] .*undeclared fact "lead\.regon"/);
    expect(cache.health()).toMatchObject({ status: 'degraded', revision: null, diagnostics: [{ code: 'undeclared-fact', ruleId: 'route-enterprise-emea', line: 38 }] });
  });
});

describe('RulesCache stamps after a refused commit', () => {
  const git = (cwd: string, ...args: string[]) =>
    execFileSync('git', ['-c', 'user.name=Test', '-c', 'user.email=test@example.com', '-c', 'commit.gpgsign=false', ...args], { cwd, encoding: 'utf8' }).trim();

  it('marks the rules in use dirty when a commit holds rules that were refused', () => {
    const dir = rulesCopy();
    git(dir, 'init', '-q');
    git(dir, 'add', '.');
    git(dir, 'commit', '-q', '-m', 'valid rules');
    const cache = new RulesCache(dir, { config: config(), recheckMs: 0, logger: captured().logger });
    expect(cache.get().revision).toMatchObject({ dirty: false });
    edit(dir, 'routing.yaml', '{ var: lead.region }, [emea, apac]', '{ var: lead.regon }, [emea, apac]');
    git(dir, 'commit', '-q', '-am', 'broken routing');
    const head = git(dir, 'rev-parse', 'HEAD');
    const health = cache.health();
    // The commit holds the refused routing file; what decides is the previous content, so the stamp says dirty.
    expect(health.rejected).toMatchObject({ commit: head, dirty: false });
    expect(health.revision).toMatchObject({ commit: head, dirty: true });
    expect(health.revision!.id).toMatch(/-dirty$/);
    expect(cache.decide('routing', enterpriseEmea).revision.id).toBe(health.revision!.id);
  });
});
