import type { Command } from 'commander';
import { readFileSync } from 'node:fs';
import { formatDiagnostic, formatGithub, type Diagnostic } from '../../diagnostics/diagnostic.ts';
import { didYouMean } from '../../diagnostics/suggest.ts';
import { parseLocatedYaml } from '../../yaml/located.ts';
import { explain, renderExplanation } from '../../rules/explain.ts';
import { factsDiagnostics } from '../../rules/facts.ts';
import { findRuleFiles } from '../../rules/files.ts';
import { isKind, KINDS } from '../../rules/kinds.ts';
import { DEFAULT_RULES_DIR, engineFrom, loadRules, rulesConfig } from '../../rules/load.ts';
import { computeRevision } from '../../rules/revision.ts';
import { renderTestReport } from '../../rules/testing/report.ts';
import { runRuleTests } from '../../rules/testing/run.ts';
import type { Facts } from '../../rules/types.ts';
import { validateRulesDir } from '../../rules/validate/index.ts';
import { printJson, printLines } from '../output.ts';
import { CliError } from '../errors.ts';
import { registerImpactCommand } from './rules/impact.ts';
import { registerShadowReportCommand } from './rules/shadowReport.ts';

type Format = 'text' | 'github';

function format(value: string): Format {
  if (value !== 'text' && value !== 'github') throw new CliError(`--format must be text or github, got "${value}"`, 2);
  return value;
}

/** Text goes to stderr like other diagnostics; GitHub annotations to stdout, where the runner reads them. */
function printDiagnostics(ds: readonly Diagnostic[], fmt: Format): void {
  for (const d of ds) {
    if (fmt === 'github') process.stdout.write(`${formatGithub(d)}\n`);
    else process.stderr.write(`${formatDiagnostic(d)}\n`);
  }
}

function validation(dir: string, tests: boolean) {
  try {
    findRuleFiles(dir);
  } catch (e) {
    throw new CliError((e as Error).message, 2);
  }
  return validateRulesDir(dir, { config: rulesConfig(dir), tests });
}

const count = (n: number, word: string) => `${n} ${word}${n === 1 ? '' : 's'}`;

export function registerRulesCommands(program: Command): void {
  const rules = program.command('rules').description('Rules as code: validate, test and explain the YAML + JSON-logic rules in rules/');

  rules
    .command('validate')
    .description('Static checks: YAML, schema, operators, facts paths, ids, config references, durations, shadowed rules. Exit 0 valid, 1 warnings with --strict, 2 invalid')
    .argument('[dir]', 'rules folder', DEFAULT_RULES_DIR)
    .option('--strict', 'treat warnings as failures (exit 1)')
    .option('--format <format>', 'text | github (GitHub annotations)', 'text')
    .option('--json', 'print the findings as JSON')
    .action((dir: string, opts: { strict?: boolean; format: string; json?: boolean }) => {
      const fmt = format(opts.format);
      const v = validation(dir, true);
      const errors = v.diagnostics.filter((d) => d.severity === 'error').length;
      const warnings = v.diagnostics.length - errors;
      if (opts.json) {
        printJson({
          dir,
          valid: errors === 0,
          errors,
          warnings,
          sets: v.sets.map((s) => ({ kind: s.kind, file: s.file, rules: s.rules.length })),
          tests: v.suites.map((s) => ({ kind: s.kind, file: s.file, cases: s.cases.length })),
          diagnostics: v.diagnostics,
        });
      } else {
        printDiagnostics(v.diagnostics, fmt);
        const rulesCount = v.sets.reduce((n, s) => n + s.rules.length, 0);
        const what = errors
          ? `${count(v.files.sets.length, 'rule-set file')}, ${count(v.files.tests.length, 'test file')}`
          : `${count(v.sets.length, 'rule set')}, ${count(rulesCount, 'rule')}, ${count(v.suites.length, 'test file')}`;
        const verdict = errors ? `invalid: ${count(errors, 'error')}, ${count(warnings, 'warning')}` : warnings ? `valid with ${count(warnings, 'warning')}` : 'valid';
        process.stdout.write(`${dir}: ${what}: ${verdict}\n`);
      }
      process.exitCode = errors ? 2 : warnings && opts.strict ? 1 : 0;
    });

  rules
    .command('test')
    .description('Run the rule tests (rules/tests/*.yaml, *.test.yaml): failures with a diff, coverage of rules no case matched. Exit 0 pass, 1 failures or coverage below --coverage-min, 2 invalid')
    .argument('[dir]', 'rules folder', DEFAULT_RULES_DIR)
    .option('--coverage-min <percent>', 'fail when fewer than this share of rules is matched by some case')
    .option('--format <format>', 'text | github (failures also as GitHub annotations)', 'text')
    .option('--json', 'print the report as JSON')
    .action((dir: string, opts: { coverageMin?: string; format: string; json?: boolean }) => {
      const fmt = format(opts.format);
      const min = opts.coverageMin === undefined ? undefined : Number(opts.coverageMin);
      if (min !== undefined && !(min >= 0 && min <= 100)) throw new CliError(`--coverage-min must be a number from 0 to 100, got "${opts.coverageMin}"`, 2);
      const v = validation(dir, true);
      const invalid = v.diagnostics.filter((d) => d.severity === 'error');
      if (invalid.length) {
        printDiagnostics(v.diagnostics, fmt);
        process.stderr.write(`flywheel: the rules or their tests are invalid (${count(invalid.length, 'error')}); run flywheel rules validate\n`);
        process.exitCode = 2;
        return;
      }
      const report = runRuleTests(engineFrom(v), v.suites);
      const belowMin = min !== undefined && report.coverage.percent < min;
      if (opts.json) printJson({ ...report, coverageMin: min ?? null, ok: report.failed === 0 && !belowMin });
      else {
        if (fmt === 'github') {
          for (const r of report.results.filter((x) => !x.passed)) {
            printDiagnostics([{ severity: 'error', file: r.file, line: r.line, column: r.column, code: 'test-failed', message: `${r.name}: ${r.failures.map((f) => f.message).join('; ')}` }], fmt);
          }
        }
        printLines(renderTestReport(report, min));
      }
      process.exitCode = report.failed > 0 || belowMin ? 1 : 0;
    });

  rules
    .command('explain')
    .description('Evaluate one rule set on the given facts and show, rule by rule, whether it matched and every value it read')
    .argument('<kind>', `rule set kind: ${KINDS.join(', ')}`)
    .requiredOption('--facts <file>', 'facts as JSON or YAML; - reads stdin')
    .option('--dir <dir>', 'rules folder', DEFAULT_RULES_DIR)
    .option('--json', 'print the explanation as JSON')
    .action((kind: string, opts: { facts: string; dir: string; json?: boolean }) => {
      if (!isKind(kind)) throw new CliError(`unknown kind "${kind}"${didYouMean(kind, KINDS)}; expected one of ${KINDS.join(', ')}`, 2);
      const name = opts.facts === '-' ? '<stdin>' : opts.facts;
      let text: string;
      try {
        text = readFileSync(opts.facts === '-' ? 0 : opts.facts, 'utf8');
      } catch (e) {
        throw new CliError(`cannot read facts ${name}: ${(e as NodeJS.ErrnoException).code ?? (e as Error).message}`, 2);
      }
      const parsed = parseLocatedYaml(name, text);
      const problems = parsed.ok ? factsDiagnostics(parsed.yaml.value, parsed.yaml) : parsed.diagnostics;
      if (problems.length || !parsed.ok) {
        printDiagnostics(problems, 'text');
        process.exitCode = 2;
        return;
      }
      const engine = loadRules(opts.dir);
      if (!engine.has(kind)) throw new CliError(`no ${kind} rules in ${opts.dir}`, 2);
      const ex = explain(engine, kind, parsed.yaml.value as Facts);
      if (opts.json) printJson(ex);
      else printLines(renderExplanation(ex));
    });

  rules
    .command('revision')
    .description('Print the rules revision stamped on decisions: last commit under the folder, content hash, dirty flag')
    .argument('[dir]', 'rules folder', DEFAULT_RULES_DIR)
    .option('--json', 'print as JSON')
    .action((dir: string, opts: { json?: boolean }) => {
      let sets: string[];
      try {
        sets = findRuleFiles(dir).sets;
      } catch (e) {
        throw new CliError((e as Error).message, 2);
      }
      const revision = computeRevision(
        dir,
        sets.map((abs) => ({ abs, text: readFileSync(abs, 'utf8') })),
      );
      if (opts.json) printJson(revision);
      else process.stdout.write(`${revision.id}\n`);
    });

  for (const c of rules.commands) c.exitOverride();
  registerImpactCommand(rules);
  registerShadowReportCommand(rules);
}
