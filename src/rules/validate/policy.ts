import type { Diagnostic } from '../../diagnostics/diagnostic.ts';
import type { Path } from './logic.ts';

const isObj = (x: unknown): x is Record<string, unknown> => typeof x === 'object' && x !== null && !Array.isArray(x);

/** Conditions that must all hold for `expr` to be truthy; `true` has none, so it covers everything. */
export function conjuncts(expr: unknown): unknown[] {
  if (expr === true) return [];
  if (isObj(expr) && Object.keys(expr).length === 1 && Array.isArray(expr.and)) return expr.and.flatMap(conjuncts);
  return [expr];
}

/** Stable text for comparing conditions: sorted keys, `{"var": ["x"]}` written as `{"var": "x"}`. */
export function canonical(expr: unknown): string {
  if (Array.isArray(expr)) return `[${expr.map(canonical).join(',')}]`;
  if (!isObj(expr)) return JSON.stringify(expr) ?? 'null';
  const keys = Object.keys(expr).sort();
  if (keys.length === 1 && keys[0] === 'var' && Array.isArray(expr.var) && expr.var.length === 1) return canonical({ var: expr.var[0] });
  return `{${keys.map((k) => `${JSON.stringify(k)}:${canonical(expr[k])}`).join(',')}}`;
}

export interface PolicyRule {
  index: number;
  id: string;
  when: unknown;
  line: number;
}

type Report = (path: Path, code: string, message: string, severity: Diagnostic['severity'], ruleId?: string) => void;

/**
 * Order problems in a rule set. In a `first` set a rule can never win when an earlier rule's conditions
 * are a subset of its own (the earlier one always matches first); `when: true` is the extreme case.
 */
export function checkPolicy(hitPolicy: unknown, rules: PolicyRule[], hasNoMatch: boolean, file: string, report: Report): void {
  for (const r of rules) {
    if (r.when === false) report(['rules', r.index, 'when'], 'never-matches', 'condition is false: the rule never matches', 'warning', r.id);
  }
  if (hitPolicy !== 'first' || rules.length === 0) return;
  const sets = rules.map((r) => (r.when === false ? null : new Set(conjuncts(r.when).map(canonical))));
  rules.forEach((later, j) => {
    const mine = sets[j];
    if (!mine) return;
    for (let i = 0; i < j; i++) {
      const earlier = sets[i];
      if (!earlier || ![...earlier].every((c) => mine.has(c))) continue;
      const first = rules[i]!;
      const where = `${file}:${first.line}`;
      const why =
        earlier.size === 0
          ? `the catch-all rule "${first.id}" (${where}) comes first`
          : earlier.size === mine.size
            ? `rule "${first.id}" (${where}) has the same condition and comes first`
            : `rule "${first.id}" (${where}) comes first and matches whenever this one does (its conditions are a subset of these)`;
      report(['rules', later.index, 'when'], 'shadowed', `never reached: ${why}`, 'warning', later.id);
      return;
    }
  });
  const last = rules[rules.length - 1]!;
  // A catch-all before the end already made the rules after it unreachable (warned above).
  const catchAll = rules.find((r) => r.when === true);
  if (!catchAll && !hasNoMatch) {
    report(['rules', last.index], 'no-catch-all', 'hit policy "first" needs a final catch-all rule (when: true) or a noMatch outcome, so every input gets a decision', 'error');
  }
  if (catchAll && hasNoMatch) report(['noMatch'], 'unused-no-match', `noMatch is never used: rule "${catchAll.id}" matches everything`, 'warning');
}
