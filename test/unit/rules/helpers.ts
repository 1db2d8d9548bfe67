import { Command, CommanderError } from 'commander';
import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { vi } from 'vitest';
import { registerRulesCommands } from '../../../src/cli/commands/rules.ts';
import { CliError } from '../../../src/cli/errors.ts';
import { loadConfig } from '../../../src/config/load.ts';
import type { FlywheelConfig } from '../../../src/config/types.ts';
import { DiagnosticsError, formatDiagnostic, type Diagnostic } from '../../../src/diagnostics/diagnostic.ts';
import { validateRulesDir } from '../../../src/rules/validate/index.ts';

export const repoRoot = path.resolve(new URL('../../..', import.meta.url).pathname);
export const exampleRules = path.join(repoRoot, 'rules');
export const configFile = path.join(repoRoot, 'config', 'flywheel.yaml');

let cfg: FlywheelConfig | undefined;
export function config(): FlywheelConfig {
  cfg ??= loadConfig(configFile).config;
  return cfg;
}

/** A fresh folder holding the given files (paths relative to it). */
export function tempDir(files: Record<string, string> = {}): string {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'flywheel-rules-'));
  for (const [name, text] of Object.entries(files)) {
    mkdirSync(path.dirname(path.join(dir, name)), { recursive: true });
    writeFileSync(path.join(dir, name), text);
  }
  return dir;
}

export function validate(files: Record<string, string>): Diagnostic[] {
  return validateRulesDir(tempDir(files), { config: config() }).diagnostics;
}

/** A rule-set file from a header and rule lines; line numbers in tests count from the `kind:` line as 1. */
export function ruleSet(kind: string, hitPolicy: string, body: string): string {
  return `kind: ${kind}\nversion: 1\nhitPolicy: ${hitPolicy}\nrules:\n${body}`;
}

export interface CliRun {
  code: number;
  stdout: string;
  stderr: string;
}

/** Runs `flywheel rules ...` in-process with the same error handling as src/cli/main.ts. */
export async function runRules(args: string[], env: Record<string, string> = {}): Promise<CliRun> {
  let stdout = '';
  let stderr = '';
  const out = vi.spyOn(process.stdout, 'write').mockImplementation((chunk) => ((stdout += String(chunk)), true));
  const err = vi.spyOn(process.stderr, 'write').mockImplementation((chunk) => ((stderr += String(chunk)), true));
  const vars = { FLYWHEEL_CONFIG: configFile, ...env };
  const saved = Object.fromEntries(Object.keys(vars).map((k) => [k, process.env[k]]));
  Object.assign(process.env, vars);
  const program = new Command('flywheel').exitOverride();
  registerRulesCommands(program);
  for (const c of program.commands) c.exitOverride();
  let code: number;
  try {
    await program.parseAsync(['node', 'flywheel', ...args]);
    code = typeof process.exitCode === 'number' ? process.exitCode : 0;
  } catch (e) {
    if (e instanceof CommanderError) code = e.exitCode;
    else if (e instanceof DiagnosticsError) {
      stderr += e.diagnostics.map((d) => `${formatDiagnostic(d)}\n`).join('');
      code = 2;
    } else if (e instanceof CliError) {
      stderr += `flywheel: ${e.message}\n`;
      code = e.exitCode;
    } else throw e;
  } finally {
    process.exitCode = undefined;
    for (const [k, v] of Object.entries(saved)) {
      if (v === undefined) delete process.env[k];
      else process.env[k] = v;
    }
    out.mockRestore();
    err.mockRestore();
  }
  return { code, stdout, stderr };
}
