import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import * as prettier from 'prettier';

const root = fileURLToPath(new URL('../../../', import.meta.url));
const read = (file: string) => readFileSync(new URL(`../../../${file}`, import.meta.url), 'utf8');
const pkg = JSON.parse(read('package.json')) as { scripts: Record<string, string>; engines: { node: string } };

describe('CI: lint and format are enforced', () => {
  it('.ci/run stops on the first failing step and runs the lint script between the typecheck and the tests', () => {
    const run = read('.ci/run');
    expect(run).toContain('set -euo pipefail');
    const steps = ['npm run typecheck', 'npm run lint', 'npm test'].map((s) => run.indexOf(`\n${s}\n`));
    expect(steps.every((i) => i > 0)).toBe(true);
    expect([...steps].sort((a, b) => a - b)).toEqual(steps);
    expect(pkg.scripts.lint).toBe('eslint . && prettier --check "**/*.{ts,js}"');
  });

  it('the lint step fails on code with a lint error, naming the file, line and rule', () => {
    const r = spawnSync(process.execPath, ['node_modules/eslint/bin/eslint.js', '--stdin', '--stdin-filename', 'src/probe.ts'], {
      cwd: root,
      input: 'const unused = 1;\nexport {};\n',
      encoding: 'utf8',
    });
    expect(r.status).toBe(1);
    expect(r.stdout).toContain('src/probe.ts');
    expect(r.stdout).toMatch(/1:7 +error .*@typescript-eslint\/no-unused-vars/);
  });

  it('the format check refuses code not in the project style and accepts it once formatted', async () => {
    const options = { ...(await prettier.resolveConfig(`${root}src/probe.ts`)), filepath: `${root}src/probe.ts` };
    const messy = 'export const x = {a:1,\n  b : "two"}\n';
    expect(await prettier.check(messy, options)).toBe(false);
    expect(await prettier.check(await prettier.format(messy, options), options)).toBe(true);
  });
});

describe('CI on GitHub Actions', () => {
  const workflow = parse(read('.github/workflows/ci.yml')) as {
    on: Record<string, unknown>;
    jobs: { test: { strategy: { matrix: { node: string[] } }; steps: { uses?: string; run?: string; with?: Record<string, unknown> }[] } };
  };

  it('runs .ci/run, the same install, checks and tests as the project machines, on pushes and pull requests', () => {
    expect(Object.keys(workflow.on).sort()).toEqual(['pull_request', 'push']);
    const steps = workflow.jobs.test.steps;
    expect(steps.at(-1)?.run).toBe('./.ci/run');
    expect(steps.find((s) => s.uses?.startsWith('actions/setup-node@'))?.with?.['node-version']).toBe('${{ matrix.node }}');
  });

  it('tests on Node versions that `engines` allows', () => {
    // engines: ^20.19.0 || ^22.13.0 || >=24; each matrix entry is a major or major.minor the range admits.
    expect(pkg.engines.node).toBe('^20.19.0 || ^22.13.0 || >=24');
    const admitted = (v: string) => {
      const [major, minor = 99] = v.split('.').map(Number);
      return (major === 20 && minor! >= 19) || (major === 22 && minor! >= 13) || major! >= 24;
    };
    expect(workflow.jobs.test.strategy.matrix.node.every(admitted)).toBe(true);
  });
});
