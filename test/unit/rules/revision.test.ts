import { execFileSync } from 'node:child_process';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { findRuleFiles } from '../../../src/rules/files.ts';
import { computeRevision, contentHash } from '../../../src/rules/revision.ts';
import { RulesCache } from '../../../src/rules/cache.ts';
import { config, tempDir } from './helpers.ts';

const git = (cwd: string, ...args: string[]) =>
  execFileSync('git', ['-c', 'user.name=Test', '-c', 'user.email=test@example.com', '-c', 'commit.gpgsign=false', ...args], { cwd, encoding: 'utf8' }).trim();

const revisionOf = (dir: string) =>
  computeRevision(
    dir,
    findRuleFiles(dir).sets.map((abs) => ({ abs, text: readFileSync(abs, 'utf8') })),
  );

function repo() {
  const root = tempDir({ 'rules/routing.yaml': 'kind: routing\n', 'rules/tests/routing.test.yaml': 'kind: routing\n', 'README.md': 'hello\n' });
  git(root, 'init', '-q');
  git(root, 'add', '.');
  git(root, 'commit', '-q', '-m', 'rules');
  return { root, rules: path.join(root, 'rules'), head: git(root, 'rev-parse', 'HEAD') };
}

describe('rules revision', () => {
  it('is the last commit under rules/ plus the content hash, clean after a commit', () => {
    const { rules, head } = repo();
    const r = revisionOf(rules);
    expect(r).toEqual({ commit: head, contentHash: expect.stringMatching(/^[0-9a-f]{64}$/), dirty: false, id: `${head.slice(0, 12)}+${r.contentHash.slice(0, 8)}` });
  });

  it('is dirty when a rule file changes, with a new content hash', () => {
    const { rules, head } = repo();
    const before = revisionOf(rules);
    writeFileSync(path.join(rules, 'routing.yaml'), 'kind: routing\n# edited\n');
    const after = revisionOf(rules);
    expect(after.commit).toBe(head);
    expect(after.dirty).toBe(true);
    expect(after.id).toBe(`${head.slice(0, 12)}+${after.contentHash.slice(0, 8)}-dirty`);
    expect(after.contentHash).not.toBe(before.contentHash);
  });

  it('is dirty for an untracked file under rules/, but not for changes elsewhere', () => {
    const { root, rules } = repo();
    writeFileSync(path.join(root, 'README.md'), 'changed\n');
    expect(revisionOf(rules).dirty).toBe(false);
    writeFileSync(path.join(rules, 'tests', 'new.test.yaml'), 'kind: icp\n');
    expect(revisionOf(rules).dirty).toBe(true);
  });

  it('keeps the commit that last touched rules/ when later commits change other files', () => {
    const { root, rules, head } = repo();
    writeFileSync(path.join(root, 'README.md'), 'changed\n');
    git(root, 'commit', '-q', '-am', 'docs');
    expect(git(root, 'rev-parse', 'HEAD')).not.toBe(head);
    expect(revisionOf(rules).commit).toBe(head);
  });

  it('marks a folder that was never committed', () => {
    const { root } = repo();
    const fresh = path.join(root, 'other-rules');
    mkdirSync(fresh);
    writeFileSync(path.join(fresh, 'icp.yaml'), 'kind: icp\n');
    const r = revisionOf(fresh);
    expect(r.commit).toBeNull();
    expect(r.dirty).toBe(true);
    expect(r.id).toMatch(/^uncommitted\+[0-9a-f]{8}-dirty$/);
  });

  it('works outside Git', () => {
    const dir = tempDir({ 'icp.yaml': 'kind: icp\n' });
    const r = revisionOf(dir);
    expect(r).toMatchObject({ commit: null, dirty: false });
    expect(r.id).toBe(`nogit+${r.contentHash.slice(0, 8)}`);
  });

  it('hashes paths and contents, not the order files are listed in', () => {
    const a = { abs: '/r/a.yaml', text: 'x' };
    const b = { abs: '/r/b.yaml', text: 'y' };
    expect(contentHash('/r', [a, b])).toBe(contentHash('/r', [b, a]));
    expect(contentHash('/r', [a, b])).not.toBe(contentHash('/r', [{ ...a, abs: '/r/c.yaml' }, b]));
  });
});

describe('RulesCache and Git', () => {
  const routing = `kind: routing\nversion: 1\ndescription: r\nhitPolicy: first\nrules:\n  - id: r\n    description: r\n    when: true\n    then: { strategy: queue, queue: mid-market }\n`;

  it('restamps decisions after a commit without running git while nothing changed', () => {
    const root = tempDir({ 'rules/routing.yaml': routing });
    git(root, 'init', '-q');
    const rules = path.join(root, 'rules');
    let now = 0;
    const cache = new RulesCache(rules, { config: config(), recheckMs: 1000, now: () => now });
    const before = cache.get().revision;
    expect(before.id).toMatch(/^uncommitted\+[0-9a-f]{8}-dirty$/);
    now = 2000;
    expect(cache.get().revision).toBe(before);
    git(root, 'add', '.');
    git(root, 'commit', '-q', '-m', 'rules');
    now = 4000;
    const after = cache.get().revision;
    expect(after.commit).toBe(git(root, 'rev-parse', 'HEAD'));
    expect(after.dirty).toBe(false);
    expect(after.contentHash).toBe(before.contentHash);
  });
});
