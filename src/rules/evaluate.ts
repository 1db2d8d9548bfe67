import { aggregate } from './aggregate.ts';
import type { CompiledRule, CompiledSet } from './compile.ts';
import { compileCondition } from './compiledLogic.ts';
import { truthy } from './jsonLogic.ts';
import type { Kind } from './kinds.ts';
import type { Decision, DecisionOutcomes, Facts, Revision } from './types.ts';

/** A condition threw (wherever json-logic-js would); names the rule so the failure can be fixed, not just retried. */
export class RuleEvaluationError extends Error {
  constructor(
    readonly kind: Kind,
    readonly ruleId: string,
    readonly file: string,
    readonly line: number,
    readonly revision: string,
    cause: unknown,
  ) {
    super(`${file}:${line}: [rule ${ruleId}] evaluation failed (revision ${revision}): ${(cause as Error)?.message ?? String(cause)}`, { cause });
    this.name = 'RuleEvaluationError';
  }
}

export type ReadLog = Map<string, unknown>;

/** A read callback that keeps the first value seen for each path. */
export function recorder(reads: ReadLog): (path: string, value: unknown) => void {
  return (p, v) => {
    if (!reads.has(p)) reads.set(p, v);
  };
}

/** Whether one rule's condition holds, recording each facts path it reads. */
export function ruleMatches(set: CompiledSet, rule: CompiledRule, facts: Facts, revision: Revision, read: (path: string, value: unknown) => void): boolean {
  try {
    return truthy((rule.condition ?? compileCondition(rule.when))(facts, read));
  } catch (e) {
    throw new RuleEvaluationError(set.kind, rule.id, set.file, rule.line, revision.id, e);
  }
}

/** Applies the set's hit policy: the first match wins, or every match is collected and aggregated. */
export function decideSet<K extends Kind>(set: CompiledSet<K>, facts: Facts, revision: Revision): Decision<K> {
  const reads: ReadLog = new Map();
  const read = recorder(reads);
  const done = (outcome: DecisionOutcomes[K], matched: string[], noMatch?: string): Decision<K> => ({
    kind: set.kind,
    outcome,
    matched,
    ...(noMatch !== undefined ? { noMatch } : {}),
    revision,
    inputs: Object.fromEntries(reads),
  });
  if (set.hitPolicy === 'first') {
    for (const rule of set.rules) {
      if (ruleMatches(set, rule, facts, revision, read)) return done(rule.then as unknown as DecisionOutcomes[K], [rule.id]);
    }
    const fallback = (set.noMatch?.outcome ?? null) as DecisionOutcomes[K];
    return done(fallback, [], set.noMatch?.reason ?? 'no rule matched');
  }
  const matched = set.rules.filter((rule) => ruleMatches(set, rule, facts, revision, read));
  return done(
    aggregate(set.kind, matched, set.scoring),
    matched.map((r) => r.id),
  );
}
