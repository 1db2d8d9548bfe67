import { readFileSync, statSync } from 'node:fs';
import path from 'node:path';
import { DiagnosticsError, formatDiagnostic, type Diagnostic } from '../diagnostics/diagnostic.ts';
import { findRuleFiles } from './files.ts';
import { RulesEngine } from './engine.ts';
import type { LoadRulesOptions } from './load.ts';
import { reloadRules, type SetInUse } from './reload.ts';
import { contentHash, gitDirOf, revisionFor } from './revision.ts';
import type { Decision, Facts, Revision } from './types.ts';
import type { Kind } from './kinds.ts';

/** Where the cache says that a change was refused (once per refused content) and that the rules are valid again. */
export interface RulesLogger {
  warn(message: string): void;
  info(message: string): void;
}

export interface RulesCacheOptions extends LoadRulesOptions {
  /** How long a loaded engine is trusted before the folder is looked at again (default 1000 ms). */
  recheckMs?: number;
  /** Injected clock, for tests. */
  now?: () => number;
  /** Default: one `warning: rules: ...` / `rules: ...` block on stderr. */
  logger?: RulesLogger;
}

export interface RulesHealth {
  /** `degraded`: the folder's current content was refused, in part or whole (see diagnostics). */
  status: 'ok' | 'degraded';
  /** The revision deciding now; null while the folder has never been valid (nothing decides). */
  revision: Revision | null;
  /** The folder's current content, when it was refused. */
  rejected: Revision | null;
  /** Kinds still deciding with the last valid rules because their new file was refused. */
  kept: Kind[];
  /** The errors that refused the change: file, line, column, rule id, message. */
  diagnostics: Diagnostic[];
}

const stderrLogger: RulesLogger = {
  warn: (m) => process.stderr.write(`warning: ${m}\n`),
  info: (m) => process.stderr.write(`${m}\n`),
};

/**
 * Keeps one engine per rules folder and reloads it when the rule files change, so a rules change reaches
 * the next decision without restarting a worker. Between rechecks it costs nothing; a recheck stats the
 * files, re-reads them only when a size or mtime moved, and revalidates only when their content hash changed
 * (so an invalid content is validated, and logged, once). A commit without a content change just refreshes
 * the revision stamp. An invalid change is refused kind by kind: a valid file is taken, an invalid one leaves
 * its kind with the last valid rules, and `health()` reports the refusal. Only before the folder was ever
 * valid does `get()` throw (DiagnosticsError): a half-valid folder never decides a kind it broke.
 */
export class RulesCache {
  private engine: RulesEngine | undefined;
  private inUse = new Map<Kind, SetInUse>();
  private checkedAt = -Infinity;
  /** Sizes and mtimes of the rule files and Git's own files; undefined: look at the content at the next recheck. */
  private fingerprint: string | undefined;
  /** Content hash of the folder as last validated, valid or not. */
  private seenHash: string | undefined;
  private refused: { errors: Diagnostic[]; kept: Kind[]; revision: Revision | null } | undefined;
  private gitDir: string | undefined;

  constructor(
    readonly dir: string,
    private readonly options: RulesCacheOptions = {},
  ) {}

  get(): RulesEngine {
    this.refresh();
    if (!this.engine) throw new DiagnosticsError(this.refused?.errors ?? []);
    return this.engine;
  }

  decide<K extends Kind>(kind: K, facts: Facts): Decision<K> {
    return this.get().decide(kind, facts);
  }

  /** What decides and what was refused, after looking at the folder like `get()` does; never throws. */
  health(): RulesHealth {
    this.refresh();
    return {
      status: this.refused ? 'degraded' : 'ok',
      revision: this.engine?.revision ?? null,
      rejected: this.refused?.revision ?? null,
      kept: this.refused?.kept ?? [],
      diagnostics: this.refused?.errors ?? [],
    };
  }

  private refresh(): void {
    const now = (this.options.now ?? Date.now)();
    if (now - this.checkedAt < (this.options.recheckMs ?? 1000)) return;
    this.checkedAt = now;
    let sets: string[];
    let texts: { abs: string; text: string }[];
    try {
      sets = findRuleFiles(this.dir).sets;
      // Git's own files move on every commit, checkout and add: stat them instead of running git on each recheck,
      // which would block the worker's event loop for tens of milliseconds every second.
      this.gitDir ??= gitDirOf(this.dir) ?? '';
      const gitFiles = this.gitDir ? ['index', 'HEAD', 'logs/HEAD'].map((f) => path.join(this.gitDir!, f)) : [];
      const fingerprint = [...sets, ...gitFiles].map(stamp).join('|');
      if (fingerprint === this.fingerprint) return;
      texts = sets.map((abs) => ({ abs, text: readFileSync(abs, 'utf8') }));
      this.fingerprint = fingerprint;
    } catch {
      // The folder or a file vanished: the validator names what it cannot read; look again at the next recheck.
      this.fingerprint = undefined;
      this.take('unreadable');
      return;
    }
    const hash = contentHash(path.resolve(this.dir), texts);
    if (hash !== this.seenHash) this.take(hash);
    else this.restamp();
  }

  /** Validates the folder's content `hash` and takes what is valid of it. */
  private take(hash: string): void {
    if (hash === this.seenHash) return;
    this.seenHash = hash;
    const { sets, errors, kept } = reloadRules(this.dir, this.inUse, this.options);
    const wasRefused = this.refused !== undefined;
    this.refused = errors.length > 0 ? { errors, kept, revision: hash === 'unreadable' ? null : revisionFor(this.dir, hash) } : undefined;
    // Never valid yet: nothing decides, and get() throws these errors to its caller (the start-up check prints them).
    if (errors.length > 0 && !this.engine) return;
    const changed = !this.engine || sets.size !== this.inUse.size || [...sets].some(([k, s]) => this.inUse.get(k) !== s);
    this.inUse = sets;
    if (changed) {
      const hashInUse = contentHash(path.resolve(this.dir), [...sets.values()]);
      this.engine = new RulesEngine(this.dir, new Map([...sets].map(([k, s]) => [k, s.compiled])), this.stampOf(hashInUse, kept.length > 0), this.options);
    } else this.restampEngine();
    if (errors.length > 0) this.log(errors, kept);
    else if (wasRefused) this.logger().info(`rules: ${this.engine!.revision.id} is valid; every kind decides with it`);
  }

  /** The Git half of the stamps may have moved (a commit, a checkout) without a content change. */
  private restamp(): void {
    this.restampEngine();
    if (this.refused?.revision) this.refused.revision = revisionFor(this.dir, this.refused.revision.contentHash);
  }

  private restampEngine(): void {
    if (!this.engine) return;
    const revision = this.stampOf(this.engine.revision.contentHash, (this.refused?.kept.length ?? 0) > 0);
    if (revision.id !== this.engine.revision.id) this.engine = this.engine.withRevision(revision);
  }

  /**
   * Rules held back from a refused change are neither the commit's nor the working tree's: say dirty, so the
   * stamp on a decision never claims a commit's content that did not decide.
   */
  private stampOf(hash: string, heldBack: boolean): Revision {
    const r = revisionFor(this.dir, hash);
    if (!heldBack || r.dirty || r.commit === null) return r;
    return { ...r, dirty: true, id: `${r.id}-dirty` };
  }

  private log(errors: Diagnostic[], kept: Kind[]): void {
    const rejected = this.refused?.revision?.id ?? 'the rules folder';
    const using = kept.length > 0 ? `the last valid ${kept.join(', ')} rules keep deciding (revision ${this.engine!.revision.id})` : `revision ${this.engine!.revision.id} decides`;
    const lines = errors.map((d) => `  ${formatDiagnostic(d)}`);
    this.logger().warn(`rules: refused ${rejected} (${errors.length} error${errors.length === 1 ? '' : 's'}); ${using}\n${lines.join('\n')}`);
  }

  private logger(): RulesLogger {
    return this.options.logger ?? stderrLogger;
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
