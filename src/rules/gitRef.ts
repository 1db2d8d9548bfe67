import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { DiagnosticsError } from '../diagnostics/diagnostic.ts';
import type { FlywheelConfig } from '../config/types.ts';
import type { RulesEngine } from './engine.ts';
import { engineFrom } from './load.ts';
import { validateRulesDir } from './validate/index.ts';

/** A git ref that does not name a commit, or a rules folder that is not in Git. */
export class GitRefError extends Error {
  override name = 'GitRefError';
}

function git(cwd: string, args: string[], encoding: 'utf8' | 'buffer' = 'utf8'): string | Buffer {
  try {
    return execFileSync('git', ['-C', cwd, ...args], {
      encoding: encoding === 'utf8' ? 'utf8' : undefined,
      stdio: ['ignore', 'pipe', 'pipe'],
      maxBuffer: 64 * 1024 * 1024,
      env: { ...process.env, GIT_OPTIONAL_LOCKS: '0' },
    }) as string | Buffer;
  } catch (e) {
    const stderr = String((e as { stderr?: Buffer }).stderr ?? '').trim();
    throw new GitRefError(`git ${args.join(' ')}: ${stderr || (e as Error).message}`);
  }
}

/** The commit a ref names, from the repository that holds `dir`. */
export function resolveRef(dir: string, ref: string): string {
  if (ref.startsWith('-')) throw new GitRefError(`not a git ref: ${ref}`);
  return (git(path.resolve(dir), ['rev-parse', '--verify', '--quiet', `${ref}^{commit}`]) as string).trim();
}

/**
 * The rules folder `dir` as it was at `ref`, loaded and validated against `config` (today's organisation: the
 * queues and reps the rules will meet). The files are written to a temporary folder, read, and removed; the
 * revision is stamped with the ref's commit. Throws DiagnosticsError when the rules at that ref are invalid.
 */
export function loadRulesAtRef(dir: string, ref: string, config: FlywheelConfig): RulesEngine {
  const abs = path.resolve(dir);
  const commit = resolveRef(abs, ref);
  const prefix = (git(abs, ['rev-parse', '--show-prefix']) as string).trim();
  const top = (git(abs, ['rev-parse', '--show-toplevel']) as string).trim();
  const names = (git(top, ['ls-tree', '-r', '-z', '--name-only', commit, '--', prefix || '.']) as string).split('\0').filter(Boolean);
  if (names.length === 0) throw new GitRefError(`${ref} (${commit.slice(0, 12)}) has no files under ${prefix || '.'}`);
  const tmp = mkdtempSync(path.join(os.tmpdir(), 'flywheel-rules-'));
  try {
    const root = path.join(tmp, 'rules');
    for (const name of names) {
      const rel = prefix ? name.slice(prefix.length) : name;
      if (!/\.ya?ml$/i.test(rel)) continue;
      const out = path.join(root, rel);
      mkdirSync(path.dirname(out), { recursive: true });
      writeFileSync(out, git(top, ['show', `${commit}:${name}`], 'buffer') as Buffer);
    }
    const validation = validateRulesDir(root, { config, tests: false });
    const errors = validation.diagnostics.filter((d) => d.severity === 'error');
    if (errors.length) throw new DiagnosticsError(errors.map((d) => ({ ...d, file: `${ref}:${prefix}${path.relative(root, d.file)}` })));
    const engine = engineFrom(validation);
    const hash = engine.revision.contentHash;
    // Stamped like the live rules: the last commit at that ref that touched the folder, so unchanged rules read the same.
    const touched = (git(top, ['log', '-1', '--format=%H', commit, '--', prefix || '.']) as string).trim() || commit;
    return engine.withRevision({ commit: touched, contentHash: hash, dirty: false, id: `${touched.slice(0, 12)}+${hash.slice(0, 8)}` });
  } finally {
    rmSync(tmp, { recursive: true, force: true });
  }
}
