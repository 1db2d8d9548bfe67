import type { RulesEngine } from '../engine.ts';
import type { Kind } from '../kinds.ts';
import type { Decision, Revision } from '../types.ts';
import { lineDiff, partialMatch, project, valueLines } from './diff.ts';
import type { TestCase, TestSuite } from './suites.ts';

export interface Failure {
  what: 'outcome' | 'rule' | 'matched' | 'noMatch' | 'error';
  message: string;
  /** `- expected` / `+ actual` lines, where a diff helps. */
  diff?: string[];
}

export interface CaseResult {
  file: string;
  kind: Kind;
  name: string;
  line: number;
  column: number;
  passed: boolean;
  failures: Failure[];
  matched: string[];
  inputs: Record<string, unknown>;
}

export interface UncoveredRule {
  kind: Kind;
  id: string;
  file: string;
  line: number;
  column: number;
}

export interface Coverage {
  covered: number;
  total: number;
  percent: number;
  byKind: { kind: Kind; covered: number; total: number }[];
  uncovered: UncoveredRule[];
}

export interface TestReport {
  revision: Revision;
  passed: number;
  failed: number;
  results: CaseResult[];
  coverage: Coverage;
}

function check(c: TestCase, d: Decision): Failure[] {
  const out: Failure[] = [];
  const e = c.expect;
  if (e.outcome !== undefined && !partialMatch(e.outcome, d.outcome)) {
    out.push({ what: 'outcome', message: 'outcome differs (- expected, + actual)', diff: lineDiff(valueLines(e.outcome), valueLines(project(d.outcome, e.outcome))) });
  }
  if (e.rule !== undefined && !d.matched.includes(e.rule)) {
    out.push({ what: 'rule', message: `expected rule ${e.rule} to match; matched: ${d.matched.length ? d.matched.join(', ') : '(none)'}` });
  }
  if (e.matched !== undefined) {
    const missing = e.matched.filter((id) => !d.matched.includes(id));
    const extra = d.matched.filter((id) => !e.matched!.includes(id));
    if (missing.length || extra.length) {
      out.push({ what: 'matched', message: 'matched rules differ (- expected, not matched; + matched, not expected)', diff: [...missing.map((id) => `- ${id}`), ...extra.map((id) => `+ ${id}`)] });
    }
  }
  if (e.noMatch !== undefined && e.noMatch !== (d.matched.length === 0)) {
    out.push({ what: 'noMatch', message: e.noMatch ? `expected no rule to match; matched: ${d.matched.join(', ')}` : 'expected a rule to match; none did' });
  }
  return out;
}

/** Runs every case against the engine; coverage counts a rule once any case's decision included it. */
export function runRuleTests(engine: RulesEngine, suites: readonly TestSuite[]): TestReport {
  const hit = new Set<string>();
  const results: CaseResult[] = [];
  for (const s of suites) {
    for (const c of s.cases) {
      const base = { file: s.file, kind: s.kind, name: c.name, line: c.line, column: c.column };
      let decision: Decision;
      try {
        decision = engine.decide(s.kind, c.facts);
      } catch (err) {
        results.push({ ...base, passed: false, failures: [{ what: 'error', message: (err as Error).message }], matched: [], inputs: {} });
        continue;
      }
      for (const id of decision.matched) hit.add(`${s.kind}\0${id}`);
      const failures = check(c, decision);
      results.push({ ...base, passed: failures.length === 0, failures, matched: decision.matched, inputs: decision.inputs });
    }
  }
  const byKind: Coverage['byKind'] = [];
  const uncovered: UncoveredRule[] = [];
  for (const kind of engine.kinds()) {
    const set = engine.set(kind);
    const covered = set.rules.filter((r) => hit.has(`${kind}\0${r.id}`));
    byKind.push({ kind, covered: covered.length, total: set.rules.length });
    for (const r of set.rules) if (!hit.has(`${kind}\0${r.id}`)) uncovered.push({ kind, id: r.id, file: set.file, line: r.line, column: r.column });
  }
  const total = byKind.reduce((n, k) => n + k.total, 0);
  const covered = byKind.reduce((n, k) => n + k.covered, 0);
  const percent = total === 0 ? 100 : Math.floor((covered / total) * 1000) / 10;
  const passed = results.filter((r) => r.passed).length;
  return { revision: engine.revision, passed, failed: results.length - passed, results, coverage: { covered, total, percent, byKind, uncovered } };
}
