import { compileCondition, type CompiledCondition } from './compiledLogic.ts';
import type { Kind } from './kinds.ts';
import type { HealthScoring, HitPolicy, RuleOutcomes } from './types.ts';
import type { LoadedRuleSet } from './validate/ruleSet.ts';

export interface CompiledRule<K extends Kind = Kind> {
  id: string;
  description: string;
  when: unknown;
  /** `when` compiled (src/rules/compiledLogic.ts); absent only on sets built by hand, which evaluate compiles on use. */
  condition?: CompiledCondition;
  then: RuleOutcomes[K];
  line: number;
  column: number;
}

/**
 * A validated rule set ready to evaluate. Outcomes are deep-frozen because decisions hand them to callers as
 * is; conditions are not: they never leave the engine, and V8 runs json-logic-js markedly slower over
 * frozen arrays (about 1.8x in bench/rules.ts).
 */
export interface CompiledSet<K extends Kind = Kind> {
  kind: K;
  file: string;
  hitPolicy: HitPolicy;
  rules: readonly CompiledRule<K>[];
  noMatch?: { reason: string; outcome?: RuleOutcomes[K] };
  scoring?: HealthScoring;
}

function deepFreeze<T>(value: T): T {
  if (typeof value === 'object' && value !== null && !Object.isFrozen(value)) {
    Object.freeze(value);
    for (const v of Object.values(value)) deepFreeze(v);
  }
  return value;
}

export function compileSet<K extends Kind>(set: LoadedRuleSet<K>): CompiledSet<K> {
  const doc = structuredClone(set.doc);
  const rules = doc.rules.map((r, i) => {
    const at = set.rules[i];
    return Object.freeze({ id: r.id, description: r.description, when: r.when, condition: compileCondition(r.when), then: deepFreeze(r.then), line: at?.line ?? 1, column: at?.column ?? 1 });
  });
  const scoring = doc.scoring ? { ...doc.scoring, min: doc.scoring.min ?? 0, max: doc.scoring.max ?? 100 } : undefined;
  return Object.freeze({
    kind: set.kind,
    file: set.file,
    hitPolicy: doc.hitPolicy,
    rules: Object.freeze(rules),
    ...(doc.noMatch ? { noMatch: deepFreeze(doc.noMatch) } : {}),
    ...(scoring ? { scoring: deepFreeze(scoring) } : {}),
  });
}
