import { spawn, type ChildProcess } from 'node:child_process';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import { parse, stringify } from 'yaml';

export const CLI = fileURLToPath(new URL('../../bin/flywheel.js', import.meta.url));

export interface CliResult {
  code: number | null;
  stdout: string;
  stderr: string;
}

/** Runs the real `flywheel` executable as a user would, with its own environment. */
export function runCli(args: string[], env: NodeJS.ProcessEnv = {}, input?: string, cwd?: string): Promise<CliResult> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [CLI, ...args], { cwd, env: { ...process.env, ...env }, stdio: ['pipe', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d) => (stdout += d));
    child.stderr.on('data', (d) => (stderr += d));
    child.on('error', reject);
    child.on('close', (code) => resolve({ code, stdout, stderr }));
    child.stdin.end(input ?? '');
  });
}

export interface LongRunning {
  child: ChildProcess;
  /** Resolves with the first stdout line that parses as JSON and satisfies `ready`. */
  firstJsonLine: Promise<Record<string, unknown>>;
  exited: Promise<{ code: number | null; signal: NodeJS.Signals | null; stderr: string }>;
}

export function startCli(args: string[], env: NodeJS.ProcessEnv = {}): LongRunning {
  const child = spawn(process.execPath, [CLI, ...args], { env: { ...process.env, ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
  let stderr = '';
  child.stderr!.on('data', (d) => (stderr += d));
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null; stderr: string }>((resolve) => child.on('close', (code, signal) => resolve({ code, signal, stderr })));
  const firstJsonLine = new Promise<Record<string, unknown>>((resolve, reject) => {
    const rl = createInterface({ input: child.stdout! });
    rl.on('line', (line) => {
      if (!line.startsWith('{')) return;
      try {
        resolve(JSON.parse(line));
      } catch {
        /* not the line we wait for */
      }
    });
    void exited.then((r) => reject(new Error(`flywheel exited (${r.code ?? r.signal}) before it was ready:\n${r.stderr}`)));
  });
  return { child, firstJsonLine, exited };
}

export function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

/**
 * Runs `flywheel` in this process (src/cli/main.ts), capturing what it writes, with FLYWHEEL_CONFIG pointed at
 * `configFile`. In-process, a command reaches a ledger this process owns through its socket, as another process would.
 */
export async function runCliInProcess(args: string[], configFile: string): Promise<{ code: number; stdout: string; stderr: string }> {
  const { vi } = await import('vitest');
  const { main } = await import('../../src/cli/main.ts');
  let stdout = '';
  let stderr = '';
  const before = process.env.FLYWHEEL_CONFIG;
  process.env.FLYWHEEL_CONFIG = configFile;
  const o = vi.spyOn(process.stdout, 'write').mockImplementation((s) => ((stdout += String(s)), true));
  const e = vi.spyOn(process.stderr, 'write').mockImplementation((s) => ((stderr += String(s)), true));
  try {
    const code = await main(['node', 'flywheel', ...args]);
    return { code, stdout, stderr };
  } finally {
    o.mockRestore();
    e.mockRestore();
    process.exitCode = undefined;
    if (before === undefined) delete process.env.FLYWHEEL_CONFIG;
    else process.env.FLYWHEEL_CONFIG = before;
  }
}

/** A config/flywheel.yaml in a temp folder: the shipped config with its ledger and rules folders set (absolute paths). */
export async function configFor(opts: { ledgerDir: string; rulesDir?: string }): Promise<string> {
  const { mkdtempSync, mkdirSync, readFileSync, writeFileSync } = await import('node:fs');
  const os = await import('node:os');
  const path = await import('node:path');
  const { parseDocument } = await import('yaml');
  const root = mkdtempSync(path.join(os.tmpdir(), 'flywheel-cli-'));
  const doc = parseDocument(readFileSync(new URL('../../config/flywheel.yaml', import.meta.url), 'utf8'));
  doc.setIn(['ledger', 'embeddedDir'], opts.ledgerDir);
  doc.setIn(['rules', 'dir'], opts.rulesDir ?? fileURLToPath(new URL('../../rules', import.meta.url)));
  mkdirSync(path.join(root, 'config'));
  const file = path.join(root, 'config', 'flywheel.yaml');
  writeFileSync(file, doc.toString());
  return file;
}

/**
 * The environment for running the CLI against a test harness's worker: a copy of the organisation config (under
 * `dir`) whose task queue is the harness's, and the dev server's address.
 */
export function cliEnvForHarness(taskQueue: string, dir: string, devAddress: string): NodeJS.ProcessEnv {
  const cfg = parse(readFileSync(fileURLToPath(new URL('../../config/flywheel.yaml', import.meta.url)), 'utf8')) as Record<string, unknown>;
  const configDir = path.join(dir, 'config');
  mkdirSync(configDir, { recursive: true });
  writeFileSync(path.join(configDir, 'flywheel.yaml'), stringify({ ...cfg, temporal: { taskQueue } }));
  return { FLYWHEEL_CONFIG: path.join(configDir, 'flywheel.yaml'), TEMPORAL_ADDRESS: devAddress, TEMPORAL_NAMESPACE: 'default' };
}
