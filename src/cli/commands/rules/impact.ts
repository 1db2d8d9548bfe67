import { readFileSync } from 'node:fs';
import type { Command } from 'commander';
import { impact } from '../../../decisions/impact.ts';
import { parseNdjson } from '../../../decisions/ndjson.ts';
import { readDecisions } from '../../../decisions/read.ts';
import type { StoredDecision } from '../../../decisions/types.ts';
import { findRuleFiles } from '../../../rules/files.ts';
import { GitRefError, loadRulesAtRef } from '../../../rules/gitRef.ts';
import { DEFAULT_RULES_DIR, loadRules, rulesConfig } from '../../../rules/load.ts';
import { CliError } from '../../errors.ts';
import { onLedger, usageExitsTwo } from '../../ledgerVerb.ts';
import { countOption, printReport, reportFormat, sinceOption } from '../../reportOptions.ts';

interface ImpactOpts {
  base: string;
  rules: string;
  since?: string;
  decisions?: string;
  format: string;
  failOnFlips?: string;
  examples: string;
}

const HELP = `
Every recorded decision is decided again under the base revision (the rules folder at --base) and under the
head revision (the rules folder as it is in the working tree), and the two are compared decision by decision.
The Attract kinds of one evaluation are replayed together, so a changed ICP tier flows into qualification and
into the lead's later routing and SLA decisions; a routing or SLA decision of a lead that a revision would not
have qualified counts as "not reached". Routing, CS routing and SLA are compared by the rule's outcome (queue,
target), not by which rep or deadline live state produced. Decisions recorded without their facts are listed
as "could not replay".

Decisions come from the ledger (DATABASE_URL, or the embedded ledger through a running \`flywheel dev\`), or
from an export (\`flywheel decisions export --out decisions.ndjson\`) with --decisions; lines of the export that
are not decisions are named (file:line) on stderr and skipped.

Exit codes:
  0  report printed (and flips within --fail-on-flips)
  1  more decisions changed than --fail-on-flips allows
  2  usage error, invalid rules at either revision (file:line:column [rule id]), unknown git ref, or the
     decisions cannot be read

Examples:
  flywheel rules impact
  flywheel rules impact --base origin/main --format markdown > impact.md
  flywheel rules impact --decisions decisions.ndjson --since 2026-01-01 --fail-on-flips 50`;

export function registerImpactCommand(rules: Command): void {
  usageExitsTwo(rules.command('impact'))
    .description('Replay recorded decisions under the base and the working-tree rules and report what would change. Exit 0 ok, 1 more flips than --fail-on-flips, 2 invalid')
    .option('--base <ref>', 'git ref of the base revision of the rules folder', 'HEAD')
    .option('--rules <dir>', 'rules folder; its working tree is the head revision', DEFAULT_RULES_DIR)
    .option('--since <date>', 'only decisions made at or after this date (ISO 8601)')
    .option('--decisions <file>', 'read decisions from an NDJSON export (- for stdin) instead of the ledger')
    .option('--format <format>', 'text | markdown (pull-request comment) | json', 'text')
    .option('--fail-on-flips <n>', 'exit 1 when more than n decisions would change')
    .option('--examples <n>', 'example records per transition', '3')
    .addHelpText('after', HELP)
    .action(async (opts: ImpactOpts) => {
      const format = reportFormat(opts.format);
      const since = sinceOption(opts.since);
      const maxFlips = countOption('fail-on-flips', opts.failOnFlips);
      const examples = countOption('examples', opts.examples, 100)!;
      try {
        findRuleFiles(opts.rules);
      } catch (e) {
        throw new CliError((e as Error).message, 2);
      }
      // Both revisions are checked against today's organisation config: the queues and reps the rules will meet.
      const config = rulesConfig(opts.rules);
      const head = loadRules(opts.rules, { config });
      let base;
      try {
        base = loadRulesAtRef(opts.rules, opts.base, config);
      } catch (e) {
        if (e instanceof GitRefError) throw new CliError(`--base ${opts.base}: ${e.message}`, 2);
        throw e;
      }
      const decisions = opts.decisions !== undefined ? fromExport(opts.decisions, since) : await onLedger((l) => readDecisions(l, { since }));
      const report = impact(decisions, base, head, { baseRef: opts.base, headRef: opts.rules, since: since ?? null, examples });
      printReport(report, format);
      process.exitCode = maxFlips !== undefined && report.flips > maxFlips ? 1 : 0;
    });
}

function fromExport(file: string, since: string | undefined): StoredDecision[] {
  const name = file === '-' ? '<stdin>' : file;
  let text: string;
  try {
    text = readFileSync(file === '-' ? 0 : file, 'utf8');
  } catch (e) {
    throw new CliError(`cannot read decisions ${name}: ${(e as NodeJS.ErrnoException).code ?? (e as Error).message}`, 2);
  }
  const { decisions, problems } = parseNdjson(text, since);
  for (const p of problems) process.stderr.write(`${name}:${p.line}: ${p.message}; skipped\n`);
  return decisions;
}
