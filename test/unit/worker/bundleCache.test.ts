import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, utimesSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import vm from 'node:vm';
import { afterAll, describe, expect, it, vi } from 'vitest';
import { packageRoot } from '../../../src/tools/packageRoot.ts';
import { bundleCacheDirs, bundleKey, loadWorkflowBundle } from '../../../src/worker/bundleCache.ts';

const probe = fileURLToPath(new URL('./bundle/probeWorkflow.ts', import.meta.url));
const nodeImport = fileURLToPath(new URL('./bundle/nodeImportWorkflow.ts', import.meta.url));
const tmp = mkdtempSync(path.join(os.tmpdir(), 'flywheel-bundle-cache-'));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));
const freshDir = (name: string) => path.join(tmp, name);

/** A whole bundle: it ends with the inline source map webpack writes last, and V8 compiles it. */
function expectWholeBundle(file: string) {
  const code = readFileSync(file, 'utf8');
  expect(code).toContain('bundle-cache-probe');
  expect(code.lastIndexOf('//# sourceMappingURL=data:application/json')).toBeGreaterThan(0);
  expect(() => new vm.Script(code)).not.toThrow();
}

describe('workflow bundle cache', () => {
  it('builds once, then serves the same file; keeps only the most recently used bundles', async () => {
    const dir = freshDir('once');
    mkdirSync(dir);
    // Two older bundles of other source states: with keep 2, the older one goes when the new one arrives.
    const old = (n: number, ageS: number) => {
      const f = path.join(dir, `workflow-bundle-${String(n).repeat(64)}.js`);
      writeFileSync(f, '// old');
      utimesSync(f, new Date(Date.now() - ageS * 1000), new Date(Date.now() - ageS * 1000));
      return path.basename(f);
    };
    const older = old(1, 7200);
    const newer = old(2, 3600);

    const first = await loadWorkflowBundle({ entry: probe, dir, keep: 2 });
    expect(first.built).toBe(true);
    expect(path.dirname(first.codePath)).toBe(dir);
    expect(path.basename(first.codePath)).toBe(`workflow-bundle-${first.hash}.js`);
    expectWholeBundle(first.codePath);
    expect(readdirSync(dir).sort()).toEqual([newer, path.basename(first.codePath)].sort());
    expect(older).not.toBe(newer);

    const again = await loadWorkflowBundle({ entry: probe, dir, keep: 2 });
    expect(again).toMatchObject({ codePath: first.codePath, hash: first.hash, built: false });
  });

  it('keys on the entry, the sources a workflow can import and the entry folder', () => {
    // A stand-in package root, so the test can change "workflows/" and "src/" files.
    const root = freshDir('root');
    for (const d of ['workflows', 'src/deep', 'activities', 'bench']) mkdirSync(path.join(root, d), { recursive: true });
    const write = (rel: string, text: string) => writeFileSync(path.join(root, rel), text);
    write('workflows/index.ts', 'export * from "./lead.ts";');
    write('workflows/lead.ts', 'export const a = 1;');
    write('src/deep/helper.ts', 'export const b = 2;');
    write('bench/floorWorkflows.ts', 'export * from "../workflows/index.ts";');
    write('package-lock.json', '{"lockfileVersion":3}');
    const entry = path.join(root, 'workflows/index.ts');
    const bench = path.join(root, 'bench/floorWorkflows.ts');

    const k0 = bundleKey(entry, root);
    expect(bundleKey(entry, root)).toBe(k0);
    expect(k0).toMatch(/^[0-9a-f]{64}$/);
    expect(bundleKey(bench, root)).not.toBe(k0);
    // Tracing's workflow interceptors make another bundle; without them the key is the plain one.
    expect(bundleKey(entry, root, ['/x/workflow-interceptors.js'])).not.toBe(k0);
    expect(bundleKey(entry, root, [])).toBe(k0);

    const keys = new Set([k0]);
    const changed = (rel: string, text: string) => {
      write(rel, text);
      const k = bundleKey(entry, root);
      expect(keys.has(k), `${rel} changed the key`).toBe(false);
      keys.add(k);
    };
    changed('workflows/lead.ts', 'export const a = 3;');
    changed('src/deep/helper.ts', 'export const b = 4;');
    changed('src/deep/new.json', '{}');
    changed('package-lock.json', '{"lockfileVersion":3,"x":1}');
    // The bench entry's own folder counts for the bench bundle, not for workflows/index.ts.
    const benchKey = bundleKey(bench, root);
    write('bench/floorWorkflows.ts', 'export * from "../workflows/index.ts"; export const floor = 1;');
    expect(bundleKey(bench, root)).not.toBe(benchKey);
    expect(bundleKey(entry, root)).toBe([...keys].at(-1));
    // Files the bundler cannot read do not count.
    write('src/deep/notes.md', 'hello');
    expect(bundleKey(entry, root)).toBe([...keys].at(-1));
  });

  it('looks in FLYWHEEL_BUNDLE_CACHE_DIR alone when set, else in node_modules/.cache/flywheel and then a temp folder', () => {
    try {
      vi.stubEnv('FLYWHEEL_BUNDLE_CACHE_DIR', '/somewhere/else');
      expect(bundleCacheDirs()).toEqual(['/somewhere/else']);
      vi.stubEnv('FLYWHEEL_BUNDLE_CACHE_DIR', '');
      const [first, fallback, ...rest] = bundleCacheDirs();
      expect(first).toBe(path.join(packageRoot, 'node_modules', '.cache', 'flywheel'));
      expect(path.dirname(fallback!)).toBe(os.tmpdir());
      expect(rest).toEqual([]);
    } finally {
      vi.unstubAllEnvs();
    }
  });

  it("fails with the bundler's message when a workflow imports a Node module, and caches nothing", async () => {
    const dir = freshDir('refused');
    const error = await loadWorkflowBundle({ entry: nodeImport, dir }).then(
      () => undefined,
      (e: Error) => e,
    );
    // The bundler's verdict first, then webpack's report naming the module.
    expect(error?.message).toMatch(/^workflow bundle of \S*nodeImportWorkflow\.ts failed \(exit 1\): Webpack finished with errors/);
    expect(error?.message).toContain('Reading from "node:fs" is not handled');
    expect(readdirSync(dir)).toEqual([]);
  });

  it('survives builds racing for the same bundle: each caller gets one whole file', async () => {
    const dir = freshDir('race');
    const results = await Promise.all([loadWorkflowBundle({ entry: probe, dir }), loadWorkflowBundle({ entry: probe, dir })]);
    expect(results[0]!.codePath).toBe(results[1]!.codePath);
    // No temp file left behind, exactly one bundle.
    expect(readdirSync(dir)).toEqual([path.basename(results[0]!.codePath)]);
    expectWholeBundle(results[0]!.codePath);
  });
});
