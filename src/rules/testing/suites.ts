import type { Diagnostic, Severity } from '../../diagnostics/diagnostic.ts';
import { didYouMean } from '../../diagnostics/suggest.ts';
import { formatPath } from '../../diagnostics/diagnostic.ts';
import { ajvToDiagnostics } from '../../schema/ajvDiagnostics.ts';
import { parseLocatedYaml } from '../../yaml/located.ts';
import { factsDiagnostics } from '../facts.ts';
import type { Kind } from '../kinds.ts';
import { ruleSchemas } from '../schemas.ts';
import type { Facts } from '../types.ts';

export interface Expectation {
  outcome?: Record<string, unknown>;
  rule?: string;
  matched?: string[];
  noMatch?: boolean;
}

export interface TestCase {
  name: string;
  index: number;
  line: number;
  column: number;
  /** The case's facts over the file's defaults. */
  facts: Facts;
  expect: Expectation;
}

export interface TestSuite {
  file: string;
  kind: Kind;
  cases: TestCase[];
}

const isObj = (x: unknown): x is Record<string, unknown> => typeof x === 'object' && x !== null && !Array.isArray(x);

/** Objects merge key by key; anything else in `over` replaces what is in `base`. */
export function mergeFacts(base: unknown, over: unknown): unknown {
  if (!isObj(base) || !isObj(over)) return over === undefined ? base : over;
  const out: Record<string, unknown> = { ...base };
  for (const [k, v] of Object.entries(over)) {
    // defineProperty: a `__proto__` key stays data instead of replacing the merged object's prototype.
    Object.defineProperty(out, k, { value: mergeFacts(Object.hasOwn(base, k) ? base[k] : undefined, v), enumerable: true, writable: true, configurable: true });
  }
  return out;
}

/** Rule ids per kind present in the folder; a kind maps to null when its file exists but is invalid. */
export type KnownRules = ReadonlyMap<Kind, ReadonlySet<string> | null>;

export function checkTestFile(file: string, text: string, known: KnownRules): { suite?: TestSuite; diagnostics: Diagnostic[] } {
  const parsed = parseLocatedYaml(file, text);
  if (!parsed.ok) return { diagnostics: parsed.diagnostics };
  const yaml = parsed.yaml;
  const doc = yaml.value;
  const validate = ruleSchemas().tests;
  if (!validate(doc)) return { diagnostics: ajvToDiagnostics(validate.errors, yaml) };
  const out: Diagnostic[] = [];
  const report = (path: (string | number)[], code: string, message: string, severity: Severity = 'error') => {
    const pos = yaml.positionOf(path);
    out.push({ severity, file, line: pos.line, column: pos.column, path: formatPath(path), code, message });
  };
  const t = doc as { kind: Kind; defaults?: Facts; cases: { name: string; facts?: Facts; expect: Expectation }[] };
  const ids = known.get(t.kind);
  if (ids === undefined) report(['kind'], 'unknown-kind', `no rule set of kind "${t.kind}" in this folder`);
  if (t.defaults) out.push(...factsDiagnostics(t.defaults, yaml, ['defaults']));
  const names = new Map<string, number>();
  const cases: TestCase[] = t.cases.map((c, i) => {
    const pos = yaml.positionOf(['cases', i, 'name']);
    const first = names.get(c.name);
    if (first !== undefined) report(['cases', i, 'name'], 'duplicate-case', `duplicate case name "${c.name}" (first at line ${first})`, 'warning');
    else names.set(c.name, pos.line);
    if (c.facts) out.push(...factsDiagnostics(c.facts, yaml, ['cases', i, 'facts']));
    const refs: [(string | number)[], string][] = [];
    if (c.expect.rule !== undefined) refs.push([['cases', i, 'expect', 'rule'], c.expect.rule]);
    (c.expect.matched ?? []).forEach((id, j) => refs.push([['cases', i, 'expect', 'matched', j], id]));
    for (const [where, id] of refs) {
      if (ids && !ids.has(id)) report(where, 'unknown-rule', `no rule "${id}" in the ${t.kind} rules${didYouMean(id, ids)}`);
    }
    if (c.expect.noMatch === true && (c.expect.rule !== undefined || (c.expect.matched ?? []).length > 0)) {
      report(['cases', i, 'expect'], 'contradictory-expectation', 'noMatch: true cannot also expect a matched rule');
    }
    return { name: c.name, index: i, line: pos.line, column: pos.column, facts: mergeFacts(t.defaults ?? {}, c.facts ?? {}) as Facts, expect: c.expect };
  });
  if (out.some((d) => d.severity === 'error')) return { diagnostics: out };
  return { suite: { file, kind: t.kind, cases }, diagnostics: out };
}
