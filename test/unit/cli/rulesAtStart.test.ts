import { cpSync, existsSync, mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, it, onTestFinished } from 'vitest';
import { startCli, type LongRunning } from '../../support/cli.ts';

const repoRoot = path.resolve(new URL('../../..', import.meta.url).pathname);

/** A project (config/ and rules/) whose routing rules read an undeclared fact, at rules/routing.yaml:38. */
function projectWithBadRules(): { root: string; env: NodeJS.ProcessEnv } {
  const root = mkdtempSync(path.join(os.tmpdir(), 'flywheel-bad-rules-'));
  mkdirSync(path.join(root, 'config'));
  cpSync(path.join(repoRoot, 'config', 'flywheel.yaml'), path.join(root, 'config', 'flywheel.yaml'));
  cpSync(path.join(repoRoot, 'rules'), path.join(root, 'rules'), { recursive: true });
  const file = path.join(root, 'rules', 'routing.yaml');
  const text = readFileSync(file, 'utf8');
  expect(text).toContain('{ in: [{ var: lead.region }, [emea, apac]] }');
  writeFileSync(file, text.replace('{ in: [{ var: lead.region }, [emea, apac]] }', '{ in: [{ var: lead.regon }, [emea, apac]] }'));
  // A closed port: were the rules not checked first, the worker would try to connect here and fail differently.
  const env = { FLYWHEEL_CONFIG: path.join(root, 'config', 'flywheel.yaml'), TEMPORAL_ADDRESS: '127.0.0.1:9', DATABASE_URL: undefined };
  return { root, env };
}

/** Starts `flywheel <args>`; should it not exit on its own (a regression), the test's end stops this child. */
function start(args: string[], env: NodeJS.ProcessEnv): LongRunning {
  const run = startCli(args, env);
  // It rejects when the command exits before printing a JSON line, which is what these tests expect.
  run.firstJsonLine.catch(() => undefined);
  onTestFinished(() => {
    if (run.child.exitCode === null && run.child.signalCode === null) run.child.kill('SIGKILL');
  });
  return run;
}

const diagnostic = /routing\.yaml:38:\d+: \[rule route-enterprise-emea\] .*undeclared fact "lead\.regon"/;

describe('start-up rules check', () => {
  it('flywheel worker exits 2 with file:line and rule id before connecting or opening the ledger', async () => {
    const { root, env } = projectWithBadRules();
    const worker = start(['worker'], env);
    let stdout = '';
    worker.child.stdout!.on('data', (d) => (stdout += d));
    const run = await worker.exited;
    expect(run.stderr).toMatch(diagnostic);
    expect(run.code).toBe(2);
    expect(stdout).not.toContain('worker polling');
    expect(existsSync(path.join(root, '.flywheel'))).toBe(false);
  });

  it('flywheel dev exits 2 with file:line and rule id before starting anything', async () => {
    const { root, env } = projectWithBadRules();
    const dev = start(['dev', '--json'], env);
    // Were the stack to come up, stop it (it is this test's own child) and fail on the exit code below.
    void dev.firstJsonLine.then(
      () => dev.child.kill('SIGINT'),
      () => undefined,
    );
    const exited = await dev.exited;
    expect(exited.stderr).toMatch(diagnostic);
    expect(exited.code).toBe(2);
    expect(existsSync(path.join(root, '.flywheel'))).toBe(false);
  });
});
