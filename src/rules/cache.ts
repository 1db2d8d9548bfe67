import { readFileSync, statSync } from 'node:fs';
import path from 'node:path';
import { findRuleFiles } from './files.ts';
import type { RulesEngine } from './engine.ts';
import { loadRules, type LoadRulesOptions } from './load.ts';
import { contentHash, gitDirOf, revisionFor } from './revision.ts';
import type { Decision, Facts } from './types.ts';
import type { Kind } from './kinds.ts';

export interface RulesCacheOptions extends LoadRulesOptions {
  /** How long a loaded engine is trusted before the folder is looked at again (default 1000 ms). */
  recheckMs?: number;
  /** Injected clock, for tests. */
  now?: () => number;
}

/**
 * Keeps one engine per rules folder and reloads it when the rule files change, so a rules change reaches
 * the next decision without restarting a worker. Between rechecks it costs nothing; a recheck stats the
 * files, re-reads them only when a size or mtime moved, and reloads only when their content hash changed.
 * A commit without a content change just refreshes the revision stamp. An invalid change throws
 * (DiagnosticsError) instead of deciding with half-valid rules; the next call tries again.
 */
export class RulesCache {
  private engine: RulesEngine | undefined;
  private checkedAt = -Infinity;
  private fingerprint = '';
  private gitDir: string | undefined;

  constructor(
    readonly dir: string,
    private readonly options: RulesCacheOptions = {},
  ) {}

  get(): RulesEngine {
    const now = (this.options.now ?? Date.now)();
    if (this.engine && now - this.checkedAt < (this.options.recheckMs ?? 1000)) return this.engine;
    const { sets } = findRuleFiles(this.dir);
    // Git's own files move on every commit, checkout and add: stat them instead of running git on each recheck,
    // which would block the worker's event loop for tens of milliseconds every second.
    this.gitDir ??= gitDirOf(this.dir) ?? '';
    const gitFiles = this.gitDir ? ['index', 'HEAD', 'logs/HEAD'].map((f) => path.join(this.gitDir!, f)) : [];
    const fingerprint = [...sets, ...gitFiles].map(stamp).join('|');
    let engine = this.engine;
    if (engine && fingerprint === this.fingerprint) {
      this.checkedAt = now;
      return engine;
    }
    const hash = contentHash(path.resolve(this.dir), sets.map((abs) => ({ abs, text: readFileSync(abs, 'utf8') })));
    if (!engine || hash !== engine.revision.contentHash) engine = loadRules(this.dir, this.options);
    const revision = revisionFor(this.dir, engine.revision.contentHash);
    if (revision.id !== engine.revision.id) engine = engine.withRevision(revision);
    this.engine = engine;
    this.fingerprint = fingerprint;
    this.checkedAt = now;
    return engine;
  }

  decide<K extends Kind>(kind: K, facts: Facts): Decision<K> {
    return this.get().decide(kind, facts);
  }
}

function stamp(file: string): string {
  try {
    const st = statSync(file);
    return `${file}:${st.size}:${st.mtimeMs}`;
  } catch {
    return `${file}:-`;
  }
}
