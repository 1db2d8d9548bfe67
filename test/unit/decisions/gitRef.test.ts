import { execFileSync } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { DiagnosticsError } from '../../../src/diagnostics/diagnostic.ts';
import { loadConfig } from '../../../src/config/load.ts';
import { loadRules } from '../../../src/rules/load.ts';
import { GitRefError, loadRulesAtRef } from '../../../src/rules/gitRef.ts';
import { ShadowRules } from '../../../src/rules/shadow.ts';
import { scratchProject, type ScratchProject } from '../../support/scratchProject.ts';

const git = (cwd: string, ...args: string[]) => execFileSync('git', ['-C', cwd, '-c', 'user.name=t', '-c', 'user.email=t@example.com', ...args], { encoding: 'utf8' }).trim();
const lead = { now: '2026-03-02T09:00:00Z', lead: { employees: 1500, region: 'na', industry: 'software', technologies: [] }, account: { customer: false } };

describe('rules at a git ref', () => {
  let p: ScratchProject;
  let rules: string;
  let first: string;
  beforeAll(async () => {
    p = await scratchProject('gitref');
    rules = path.join(p.root, 'rules');
    git(p.root, 'init', '-q');
    git(p.root, 'add', '.');
    git(p.root, 'commit', '-qm', 'rules');
    first = git(p.root, 'rev-parse', 'HEAD');
    // The working tree raises the enterprise threshold: 1,500 employees is no longer tier B.
    const icp = path.join(rules, 'icp.yaml');
    writeFileSync(icp, readFileSync(icp, 'utf8').replaceAll('{ ">=": [{ var: lead.employees }, 1000] }', '{ ">=": [{ var: lead.employees }, 2000] }'));
  });

  it('decides with the committed rules, stamped with the commit, while the working tree decides with its own', () => {
    const config = loadConfig(p.configFile).config;
    const base = loadRulesAtRef(rules, 'HEAD', config);
    const head = loadRules(rules, { config });
    expect(base.revision).toMatchObject({ commit: first, dirty: false });
    expect(base.revision.id.startsWith(first.slice(0, 12))).toBe(true);
    expect(head.revision.dirty).toBe(true);
    expect(base.decide('icp', lead).outcome?.tier).toBe('B');
    expect(head.decide('icp', lead).outcome?.tier).not.toBe('B');
  });

  it('refuses a ref that names no commit, and one that looks like an option', () => {
    const config = loadConfig(p.configFile).config;
    expect(() => loadRulesAtRef(rules, 'no-such-branch', config)).toThrow(GitRefError);
    expect(() => loadRulesAtRef(rules, '--output=/tmp/x', config)).toThrow(GitRefError);
  });

  it('names the ref, file and rule of invalid rules at that ref', () => {
    const config = loadConfig(p.configFile).config;
    const routing = path.join(rules, 'routing.yaml');
    const good = readFileSync(routing, 'utf8');
    writeFileSync(routing, good.replace('queue: enterprise-emea', 'queue: no-such-queue'));
    git(p.root, 'commit', '-qam', 'broken routing');
    writeFileSync(routing, good);
    try {
      loadRulesAtRef(rules, 'HEAD', config);
      expect.unreachable('invalid rules at HEAD must throw');
    } catch (e) {
      expect(e).toBeInstanceOf(DiagnosticsError);
      const d = (e as DiagnosticsError).diagnostics[0]!;
      expect(d.file).toBe('HEAD:rules/routing.yaml');
      expect(d.line).toBeGreaterThan(1);
      expect(d.ruleId).toBeTruthy();
    } finally {
      git(p.root, 'reset', '-q', '--hard', first);
    }
  });

  it('a shadow on a ref follows the ref when it moves, and reports a ref it cannot load without throwing', () => {
    const config = loadConfig(p.configFile).config;
    let now = 0;
    git(p.root, 'branch', '-f', 'candidate', first);
    const shadow = new ShadowRules({ ref: 'candidate' }, rules, p.root, config, { recheckMs: 1000, now: () => now });
    const before = shadow.get()!.revision.id;
    expect(before.startsWith(first.slice(0, 12))).toBe(true);
    const icp = path.join(rules, 'icp.yaml');
    const text = readFileSync(icp, 'utf8');
    writeFileSync(icp, text.replace('description: Any other 1,000+ employee company', 'description: Every other 1,000+ employee company'));
    git(p.root, 'commit', '-qam', 'candidate change');
    git(p.root, 'branch', '-f', 'candidate', 'HEAD');
    expect(shadow.get()!.revision.id).toBe(before); // not rechecked yet
    now += 1001;
    expect(shadow.get()!.revision.id).not.toBe(before);
    git(p.root, 'branch', '-D', 'candidate');
    now += 1001;
    expect(shadow.get()).not.toBeNull(); // keeps the last engine it had
    expect(shadow.status().error).toMatch(/candidate/);
    git(p.root, 'reset', '-q', '--hard', first);
  });
});
