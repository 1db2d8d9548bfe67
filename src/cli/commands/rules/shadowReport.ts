import type { Command } from 'commander';
import { shadowImpact } from '../../../decisions/impact.ts';
import { readShadowDisagreements } from '../../../decisions/read.ts';
import { onLedger, usageExitsTwo } from '../../ledgerVerb.ts';
import { countOption, printReport, reportFormat, sinceOption } from '../../reportOptions.ts';

const HELP = `
With \`rules.shadow\` in the configuration (a candidate rules folder or git ref), every live decision is also
decided by the shadow revision, with no effect; each disagreement is recorded in the ledger beside the live
decision. This summarises them like \`flywheel rules impact\`: per kind, each transition live -> shadow with
its count and example records, the rules the shadow newly matches or no longer matches, and the live and shadow
revisions seen. Both sides decided the same facts, so there is nothing to replay and no "could not replay".

Exit codes:
  0  report printed
  2  usage error, or the ledger cannot be read

Examples:
  flywheel rules shadow-report
  flywheel rules shadow-report --since 2026-03-01 --format markdown`;

export function registerShadowReportCommand(rules: Command): void {
  usageExitsTwo(rules.command('shadow-report'))
    .description('Summarise where the shadow rules revision disagreed with the live decisions. Exit 0 ok, 2 invalid')
    .option('--since <date>', 'only disagreements at or after this date (ISO 8601)')
    .option('--format <format>', 'text | markdown | json', 'text')
    .option('--examples <n>', 'example records per transition', '3')
    .addHelpText('after', HELP)
    .action(async (opts: { since?: string; format: string; examples: string }) => {
      const format = reportFormat(opts.format);
      const since = sinceOption(opts.since);
      const examples = countOption('examples', opts.examples, 100)!;
      const rows = await onLedger((l) => readShadowDisagreements(l, { since }));
      printReport(shadowImpact(rows, { since: since ?? null, examples }), format);
      process.exitCode = 0;
    });
}
