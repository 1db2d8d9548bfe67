import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { formatDiagnostic } from '../../../src/diagnostics/diagnostic.ts';
import { checkConfigText, loadConfig } from '../../../src/config/load.ts';
import { runCli } from '../../support/cli.ts';

const shipped = readFileSync(new URL('../../../config/flywheel.yaml', import.meta.url), 'utf8');
const lineCount = shipped.trimEnd().split('\n').length;
const withShadow = (shadow: string) => `${shipped.trimEnd()}\nrules:\n  shadow:\n    ${shadow}\n`;

/** A project root holding config/flywheel.yaml with `shadow` under rules.shadow, and a `candidate-rules` folder. */
function project(shadow: string): { root: string; file: string } {
  const root = mkdtempSync(path.join(os.tmpdir(), 'flywheel-shadow-config-'));
  roots.push(root);
  mkdirSync(path.join(root, 'config'));
  mkdirSync(path.join(root, 'candidate-rules'));
  const file = path.join(root, 'config', 'flywheel.yaml');
  writeFileSync(file, withShadow(shadow));
  return { root, file };
}
const roots: string[] = [];
afterAll(() => roots.forEach((r) => rmSync(r, { recursive: true, force: true })));

describe('rules.shadow in the configuration', () => {
  it('accepts a folder that exists under the project root, and a git ref', () => {
    const { root } = project('dir: candidate-rules');
    expect(checkConfigText('flywheel.yaml', withShadow('dir: candidate-rules'), root).diagnostics).toEqual([]);
    expect(checkConfigText('flywheel.yaml', withShadow('ref: origin/rules-candidate'), root).diagnostics).toEqual([]);
    expect(loadConfig(project('dir: candidate-rules').file).config.rules?.shadow).toEqual({ dir: 'candidate-rules' });
  });

  it('warns of a folder that does not exist, at the line of rules.shadow.dir, and still loads', () => {
    const { root, file } = project('dir: candidte-rules');
    const { diagnostics } = checkConfigText('config/flywheel.yaml', withShadow('dir: candidte-rules'), root);
    expect(diagnostics).toEqual([
      {
        severity: 'warning',
        file: 'config/flywheel.yaml',
        line: lineCount + 3,
        column: 10,
        path: 'rules.shadow.dir',
        code: 'missing-folder',
        message: `no folder "candidte-rules" (looked for ${path.join(root, 'candidte-rules')}): nothing will shadow the live rules`,
      },
    ]);
    expect(formatDiagnostic(diagnostics[0]!)).toBe(
      `config/flywheel.yaml:${lineCount + 3}:10: warning: rules.shadow.dir: no folder "candidte-rules" (looked for ${path.join(root, 'candidte-rules')}): nothing will shadow the live rules`,
    );
    // Live decisions never depend on the shadow: the configuration still loads and a worker starts.
    expect(loadConfig(file).config.rules?.shadow).toEqual({ dir: 'candidte-rules' });
  });

  it('refuses a ref that git would read as an option, saying why', () => {
    const { diagnostics } = checkConfigText('flywheel.yaml', withShadow('ref: --output=/tmp/x'), os.tmpdir());
    expect(diagnostics).toHaveLength(1);
    expect(diagnostics[0]).toMatchObject({
      line: lineCount + 3,
      path: 'rules.shadow.ref',
      message: '"--output=/tmp/x" is not a git ref: a ref has no spaces and cannot start with "-" (git would read it as an option)',
    });
  });

  it('names one source only', () => {
    const { diagnostics } = checkConfigText('flywheel.yaml', withShadow('dir: candidate-rules\n    ref: main'), os.tmpdir());
    expect(diagnostics.map((d) => d.path)).toEqual(['rules.shadow']);
  });

  it('makes `flywheel config validate` print one located warning for a missing folder and exit 0', async () => {
    const { file } = project('dir: nowhere');
    const r = await runCli(['config', 'validate', file]);
    expect(r.code).toBe(0);
    expect(r.stderr.trim()).toMatch(
      new RegExp(`^${escape(file)}:${lineCount + 3}:10: warning: rules\\.shadow\\.dir: no folder "nowhere" \\(looked for .*nowhere\\): nothing will shadow the live rules$`),
    );
  });
});

const escape = (s: string) => s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
