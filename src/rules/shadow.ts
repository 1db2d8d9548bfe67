import path from 'node:path';
import type { FlywheelConfig } from '../config/types.ts';
import { RulesCache } from './cache.ts';
import type { RulesEngine } from './engine.ts';
import { loadRulesAtRef, resolveRef } from './gitRef.ts';

/** Where the candidate rules come from: a folder (relative to the project root) or a git ref of the rules folder. */
export type ShadowSource = { dir: string; ref?: undefined } | { ref: string; dir?: undefined };

export interface ShadowStatus {
  source: string;
  revision: string | null;
  error: string | null;
}

/**
 * A candidate rules revision that decides every live decision a second time, with no effect: disagreements are
 * recorded beside the live decision. A folder is watched like the live rules; a ref is resolved again every
 * `recheckMs`, so pushing to the candidate branch reaches the workers. A shadow that cannot load never gets in the
 * way of a live decision: `get()` answers null and `status()` says why.
 */
export class ShadowRules {
  private folder: RulesCache | undefined;
  private atRef: { commit: string; engine: RulesEngine } | undefined;
  private checkedAt = -Infinity;
  private error: string | null = null;

  constructor(
    private readonly source: ShadowSource,
    private readonly rulesDir: string,
    private readonly root: string,
    private readonly config: FlywheelConfig,
    private readonly options: { recheckMs?: number; now?: () => number } = {},
  ) {
    if (source.dir !== undefined) this.folder = new RulesCache(path.resolve(root, source.dir), { config, logger: { warn: (m) => (this.error = m), info: () => undefined } });
  }

  describe(): string {
    return this.source.dir !== undefined ? `folder ${this.source.dir}` : `ref ${this.source.ref}`;
  }

  get(): RulesEngine | null {
    try {
      if (this.folder) {
        const e = this.folder.get();
        this.error = this.folder.health().status === 'ok' ? null : this.error;
        return e;
      }
      const now = (this.options.now ?? Date.now)();
      if (this.atRef && now - this.checkedAt < (this.options.recheckMs ?? 30_000)) return this.atRef.engine;
      this.checkedAt = now;
      const commit = resolveRef(this.rulesDir, this.source.ref!);
      if (this.atRef?.commit !== commit) this.atRef = { commit, engine: loadRulesAtRef(this.rulesDir, commit, this.config) };
      this.error = null;
      return this.atRef.engine;
    } catch (e) {
      this.error = (e as Error).message;
      return this.atRef?.engine ?? null;
    }
  }

  /** A shadow decision that threw: noted for health, never raised into the live decision. */
  failed(e: unknown): void {
    this.error = (e as Error)?.message ?? String(e);
  }

  status(): ShadowStatus {
    const engine = this.get();
    return { source: this.describe(), revision: engine?.revision.id ?? null, error: this.error };
  }
}

/** The shadow configured in `rules.shadow`, or undefined. */
export function shadowFromConfig(config: FlywheelConfig, root: string, rulesDir: string): ShadowRules | undefined {
  const s = config.rules?.shadow;
  if (!s) return undefined;
  return new ShadowRules(s.ref !== undefined ? { ref: s.ref } : { dir: s.dir! }, rulesDir, root, config);
}
