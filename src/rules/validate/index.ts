import { readFileSync } from 'node:fs';
import path from 'node:path';
import type { Diagnostic } from '../../diagnostics/diagnostic.ts';
import { displayPath } from '../../config/load.ts';
import type { FlywheelConfig } from '../../config/types.ts';
import { parseLocatedYaml } from '../../yaml/located.ts';
import { factsIndex } from '../facts.ts';
import { findRuleFiles, type RuleFiles } from '../files.ts';
import { isKind, type Kind } from '../kinds.ts';
import { checkTestFile, type KnownRules, type TestSuite } from '../testing/suites.ts';
import { configIds } from './outcomes.ts';
import { checkRuleSetFile, type DirContext, type LoadedRuleSet } from './ruleSet.ts';

export interface RulesValidation {
  dir: string;
  files: RuleFiles;
  /** Valid rule sets only; a file with errors is left out. */
  sets: LoadedRuleSet[];
  suites: TestSuite[];
  /** Sorted by file, line and column. */
  diagnostics: Diagnostic[];
}

export interface ValidateOptions {
  config: FlywheelConfig;
  /** Also check the test files (default true). */
  tests?: boolean;
}

/** Every static check over a rules folder: rule sets first, then the test files that exercise them. */
export function validateRulesDir(dir: string, opts: ValidateOptions): RulesValidation {
  const files = findRuleFiles(dir);
  const ctx: DirContext = { ids: configIds(opts.config), facts: factsIndex(), seen: new Map() };
  const diagnostics: Diagnostic[] = [];
  const sets: LoadedRuleSet[] = [];
  const byKind = new Map<Kind, { file: string; ids: Set<string> | null }>();

  const checked = files.sets.map((abs) => {
    const file = displayPath(abs);
    const text = readFileSync(abs, 'utf8');
    const { set, diagnostics: found } = checkRuleSetFile(file, abs, text, ctx);
    diagnostics.push(...found);
    return { abs, file, set, kind: set?.kind ?? kindOf(file, text) };
  });
  // One file per kind; when there are several, the one named <kind>.yaml is the rule set, the rest are errors.
  const named = (c: (typeof checked)[number]) => path.basename(c.abs).replace(/\.ya?ml$/i, '') === c.kind;
  for (const c of [...checked.filter(named), ...checked.filter((c) => !named(c))]) {
    if (!c.kind) continue;
    const first = byKind.get(c.kind);
    if (first) {
      diagnostics.push({
        severity: 'error',
        file: c.file,
        line: 1,
        column: 1,
        code: 'duplicate-kind',
        message: `a second rule set of kind "${c.kind}" (first: ${first.file}); keep one file per kind`,
      });
      continue;
    }
    byKind.set(c.kind, { file: c.file, ids: c.set ? new Set(c.set.rules.map((r) => r.id)) : null });
    if (!named(c)) diagnostics.push({ severity: 'warning', file: c.file, line: 1, column: 1, code: 'file-name', message: `this file holds the ${c.kind} rules; name it ${c.kind}.yaml` });
    if (c.set) sets.push(c.set);
  }
  if (files.sets.length === 0) {
    diagnostics.push({ severity: 'warning', file: displayPath(path.resolve(dir)), line: 1, column: 1, code: 'no-rules', message: 'no rule-set files (*.yaml) in this folder' });
  }

  const suites: TestSuite[] = [];
  if (opts.tests !== false) {
    const known: KnownRules = new Map([...byKind].map(([k, v]) => [k, v.ids]));
    for (const abs of files.tests) {
      const { suite, diagnostics: found } = checkTestFile(displayPath(abs), readFileSync(abs, 'utf8'), known);
      diagnostics.push(...found);
      if (suite) suites.push(suite);
    }
  }
  diagnostics.sort((a, b) => a.file.localeCompare(b.file) || a.line - b.line || a.column - b.column);
  return { dir, files, sets, suites, diagnostics };
}

/** The kind a file declares even when it has errors, so one-file-per-kind can still be checked. */
function kindOf(file: string, text: string): Kind | undefined {
  const parsed = parseLocatedYaml(file, text);
  if (!parsed.ok) return undefined;
  const v = parsed.yaml.value as { kind?: unknown } | null;
  return v && isKind(v.kind) ? v.kind : undefined;
}
