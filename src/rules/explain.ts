import { evaluate, truthy } from './jsonLogic.ts';
import type { RulesEngine } from './engine.ts';
import { recorder, ruleMatches, type ReadLog } from './evaluate.ts';
import type { Kind } from './kinds.ts';
import { renderCondition, showValue } from './render.ts';
import type { Decision, Facts, HitPolicy, Revision } from './types.ts';

export interface RuleTrace {
  id: string;
  description: string;
  line: number;
  column: number;
  matched: boolean;
  /** Contributed to the decision: the winner of a `first` set, every match of a `collect` set. */
  applied: boolean;
  condition: string;
  /** For a top-level and/or: each clause and whether it held (all are evaluated, so `reads` covers them). */
  clauses: { condition: string; holds: boolean }[] | null;
  reads: Record<string, unknown>;
}

export interface Explanation<K extends Kind = Kind> {
  kind: K;
  file: string;
  hitPolicy: HitPolicy;
  revision: Revision;
  rules: RuleTrace[];
  decision: Decision<K>;
}

const isObj = (x: unknown): x is Record<string, unknown> => typeof x === 'object' && x !== null && !Array.isArray(x);

/**
 * Evaluates every rule of a set (also those after a `first` winner, to show what else would match) and
 * records what each read. The decision itself comes from `engine.decide`, so explain never disagrees with it.
 */
export function explain<K extends Kind>(engine: RulesEngine, kind: K, facts: Facts): Explanation<K> {
  const set = engine.set(kind);
  const decision = engine.decide(kind, facts);
  const rules = set.rules.map((rule): RuleTrace => {
    const reads: ReadLog = new Map();
    const read = recorder(reads);
    const matched = ruleMatches(set, rule, facts, engine.revision, read);
    const when = rule.when;
    const op = isObj(when) ? Object.keys(when)[0] : undefined;
    const parts = op === 'and' || op === 'or' ? (when as Record<string, unknown>)[op] : undefined;
    const clauses = Array.isArray(parts) && parts.length > 1 ? parts.map((c) => ({ condition: renderCondition(c), holds: truthy(evaluate(c, facts, read)) })) : null;
    return {
      id: rule.id,
      description: rule.description,
      line: rule.line,
      column: rule.column,
      matched,
      applied: decision.matched.includes(rule.id),
      condition: renderCondition(when),
      clauses,
      reads: Object.fromEntries(reads),
    };
  });
  return { kind, file: set.file, hitPolicy: set.hitPolicy, revision: engine.revision, rules, decision };
}

export function renderExplanation(ex: Explanation): string[] {
  const out = [`${ex.kind} rules, ${ex.file}, hit policy ${ex.hitPolicy}, revision ${ex.revision.id}`, ''];
  const width = Math.max(...ex.rules.map((r) => r.id.length));
  for (const r of ex.rules) {
    const mark = r.applied ? '✓' : r.matched ? '~' : '✗';
    const note = r.applied ? (ex.hitPolicy === 'first' ? 'matched, decides' : 'matched') : r.matched ? 'matched, not applied: an earlier rule decided' : 'no match';
    out.push(`${mark} ${r.id.padEnd(width)}  ${ex.file}:${r.line}  ${note}`);
    if (r.clauses) for (const c of r.clauses) out.push(`    ${c.holds ? '✓' : '✗'} ${c.condition}`);
    else out.push(`    ${r.condition}`);
    const reads = Object.entries(r.reads);
    out.push(`    read: ${reads.length ? reads.map(([p, v]) => `${p} = ${showValue(v, 60)}`).join(', ') : '(nothing)'}`);
  }
  const d = ex.decision;
  out.push('', `outcome: ${JSON.stringify(d.outcome)}`, `matched: ${d.matched.length ? d.matched.join(', ') : '(none)'}`);
  if (d.noMatch !== undefined) out.push(`no match: ${d.noMatch}`);
  return out;
}
