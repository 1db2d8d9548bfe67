import { cpSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { loadConfig } from '../../../src/config/load.ts';
import { checkShadowAtStart } from '../../../src/runtime/rulesAtStart.ts';
import { shadowFromConfig } from '../../../src/rules/shadow.ts';

const repo = path.resolve(new URL('../../..', import.meta.url).pathname);
const root = mkdtempSync(path.join(os.tmpdir(), 'flywheel-shadow-start-'));
afterAll(() => rmSync(root, { recursive: true, force: true }));

/** The shipped config with rules.shadow set, as the worker would build its shadow from it. */
function shadowOf(shadow: { dir?: string; ref?: string }) {
  const loaded = loadConfig(path.join(repo, 'config', 'flywheel.yaml'));
  loaded.config.rules = { ...loaded.config.rules, shadow };
  return shadowFromConfig(loaded.config, root, path.join(repo, 'rules'));
}

describe('the shadow at worker start', () => {
  it('says nothing when there is no shadow or it loads', () => {
    const warnings: string[] = [];
    expect(checkShadowAtStart(undefined, (m) => warnings.push(m))).toBeUndefined();
    cpSync(path.join(repo, 'rules'), path.join(root, 'candidate'), { recursive: true });
    expect(checkShadowAtStart(shadowOf({ dir: 'candidate' }), (m) => warnings.push(m))).toEqual({ source: 'folder candidate', revision: expect.stringMatching(/^nogit\+[0-9a-f]{8}$/), error: null });
    expect(warnings).toEqual([]);
  });

  it('warns once, with every diagnostic, and never throws, when the shadow folder is invalid', () => {
    cpSync(path.join(repo, 'rules'), path.join(root, 'broken'), { recursive: true });
    const file = path.join(root, 'broken', 'icp.yaml');
    writeFileSync(file, readFileSync(file, 'utf8').replace('then: { tier: B, reason: enterprise outside the core profile }', 'then: { tier: Q, reason: no such tier }'));
    const warnings: string[] = [];
    const status = checkShadowAtStart(shadowOf({ dir: 'broken' }), (m) => warnings.push(m));
    expect(status).toMatchObject({ source: 'folder broken', revision: null, error: expect.stringContaining('icp.yaml') });
    expect(warnings).toHaveLength(1);
    expect(warnings[0]).toMatch(/^rules\.shadow \(folder broken\) cannot decide, so no disagreement is recorded until it can; live decisions are not affected:\n {2}.*icp\.yaml:\d+:\d+:/);
  });

  it('warns when a ref does not name a commit', () => {
    const warnings: string[] = [];
    const status = checkShadowAtStart(shadowOf({ ref: 'no-such-branch-for-flywheel-tests' }), (m) => warnings.push(m));
    expect(status).toMatchObject({ source: 'ref no-such-branch-for-flywheel-tests', revision: null, error: expect.stringContaining('rev-parse') });
    expect(warnings).toHaveLength(1);
  });
});
