import type { CompiledSet } from './compile.ts';
import { decideSet } from './evaluate.ts';
import { checkFacts } from './facts.ts';
import type { Kind } from './kinds.ts';
import type { Decision, Facts, Revision } from './types.ts';

export interface EngineOptions {
  /** Validate facts against the facts schema on every decision and throw on a mismatch (default false). */
  checkFacts?: boolean;
}

/** Facts that do not fit the facts schema, when the engine checks them. */
export class FactsError extends Error {
  constructor(
    readonly kind: Kind,
    readonly problems: string[],
  ) {
    super(`facts for ${kind} do not match the facts schema:\n  ${problems.join('\n  ')}`);
    this.name = 'FactsError';
  }
}

/**
 * The loaded rules folder at one revision. Immutable and synchronous, so an activity can share one instance
 * across concurrent decisions; use RulesCache to pick up a new revision.
 */
export class RulesEngine {
  constructor(
    readonly dir: string,
    private readonly sets: ReadonlyMap<Kind, CompiledSet>,
    readonly revision: Revision,
    private readonly options: EngineOptions = {},
  ) {}

  kinds(): Kind[] {
    return [...this.sets.keys()];
  }

  has(kind: Kind): boolean {
    return this.sets.has(kind);
  }

  set<K extends Kind>(kind: K): CompiledSet<K> {
    const s = this.sets.get(kind);
    if (!s) throw new Error(`no ${kind} rules in ${this.dir} (revision ${this.revision.id})`);
    return s as CompiledSet<K>;
  }

  /** The outcome for `kind` given `facts`, which rules matched, what they read, and the rules revision. */
  decide<K extends Kind>(kind: K, facts: Facts): Decision<K> {
    const set = this.set(kind);
    if (this.options.checkFacts) {
      const problems = checkFacts(facts);
      if (problems.length) throw new FactsError(kind, problems);
    }
    return decideSet(set, facts, this.revision);
  }

  /** Same compiled rules, another revision stamp (a commit happened, content unchanged). */
  withRevision(revision: Revision): RulesEngine {
    return new RulesEngine(this.dir, this.sets, revision, this.options);
  }
}
