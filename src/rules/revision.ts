import { execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import path from 'node:path';
import type { Revision } from './types.ts';

/** Null when `dir` is not in a Git work tree or Git is not installed. */
function git(dir: string, args: string[]): string | null {
  try {
    return execFileSync('git', ['-C', dir, ...args], {
      encoding: 'utf8',
      stdio: ['ignore', 'pipe', 'ignore'],
      timeout: 10_000,
      // A read-only query must not take index.lock: other tools may be using the same checkout.
      env: { ...process.env, GIT_OPTIONAL_LOCKS: '0' },
    }).trim();
  } catch {
    return null;
  }
}

/** sha256 over each file's path (relative to the folder) and content, in path order. */
export function contentHash(dir: string, files: readonly { abs: string; text: string }[]): string {
  const h = createHash('sha256');
  const rel = files.map((f) => ({ rel: path.relative(dir, f.abs).split(path.sep).join('/'), text: f.text }));
  for (const f of rel.sort((a, b) => (a.rel < b.rel ? -1 : a.rel > b.rel ? 1 : 0))) h.update(`${f.rel}\0${f.text}\0`);
  return h.digest('hex');
}

/**
 * The revision stamped on decisions: the last commit that touched the rules folder, a hash of the rule-set
 * contents that were actually loaded, and whether the working tree differs from that commit. The hash is
 * over the same bytes the engine validated, so it identifies the decision logic even in a dirty tree.
 */
export function computeRevision(dir: string, files: readonly { abs: string; text: string }[]): Revision {
  return revisionFor(dir, contentHash(path.resolve(dir), files));
}

/** The Git half of a revision, for a content hash already computed. */
export function revisionFor(dir: string, hash: string): Revision {
  const abs = path.resolve(dir);
  const short = hash.slice(0, 8);
  if (git(abs, ['rev-parse', '--is-inside-work-tree']) !== 'true') return { commit: null, contentHash: hash, dirty: false, id: `nogit+${short}` };
  const commit = git(abs, ['log', '-1', '--format=%H', '--', '.']) || null;
  const status = git(abs, ['status', '--porcelain', '--untracked-files=all', '--', '.']);
  const dirty = commit === null || (status !== null && status !== '');
  const id = commit ? `${commit.slice(0, 12)}+${short}${dirty ? '-dirty' : ''}` : `uncommitted+${short}-dirty`;
  return { commit, contentHash: hash, dirty, id };
}

/** The repository's git directory, or null outside Git; asked once per cache, not per decision. */
export function gitDirOf(dir: string): string | null {
  return git(path.resolve(dir), ['rev-parse', '--absolute-git-dir']);
}
