import { closeSync, openSync, writeSync } from 'node:fs';
import type { Command } from 'commander';
import { toNdjsonLine } from '../../../decisions/ndjson.ts';
import { readDecisions } from '../../../decisions/read.ts';
import { CliError } from '../../errors.ts';
import { onLedger, usageExitsTwo } from '../../ledgerVerb.ts';
import { printJson } from '../../output.ts';
import { sinceOption } from '../../reportOptions.ts';

const HELP = `
Writes every recorded decision (oldest first) as NDJSON, one decision per line, for places that cannot reach
the ledger: \`flywheel rules impact --decisions <file>\` reads it back. Each line holds the complete facts the
rules saw, which include personal data (names, email addresses): the file is created readable by you only,
and \`flywheel ledger forget\` cannot reach copies of it.

Exit codes:
  0  written
  2  usage error, the ledger cannot be read, or the file cannot be written

Examples:
  flywheel decisions export --out decisions.ndjson
  flywheel decisions export --since 2026-01-01 > recent.ndjson`;

export function registerExportCommand(decisions: Command): void {
  usageExitsTwo(decisions.command('export'))
    .description('Write the recorded decisions as NDJSON (for rules impact --decisions). Exit 0 ok, 2 invalid')
    .option('--since <date>', 'only decisions made at or after this date (ISO 8601)')
    .option('--out <file>', 'write to this file instead of stdout')
    .option('--json', 'with --out: print what was written as JSON')
    .addHelpText('after', HELP)
    .action(async (opts: { since?: string; out?: string; json?: boolean }) => {
      const since = sinceOption(opts.since);
      const rows = await onLedger((l) => readDecisions(l, { since }));
      if (opts.out === undefined) {
        for (const d of rows) process.stdout.write(toNdjsonLine(d));
        process.exitCode = 0;
        return;
      }
      let fd: number;
      try {
        fd = openSync(opts.out, 'w', 0o600);
      } catch (e) {
        throw new CliError(`cannot write ${opts.out}: ${(e as NodeJS.ErrnoException).code ?? (e as Error).message}`, 2);
      }
      try {
        for (let i = 0; i < rows.length; i += 1000)
          writeSync(
            fd,
            rows
              .slice(i, i + 1000)
              .map(toNdjsonLine)
              .join(''),
          );
      } finally {
        closeSync(fd);
      }
      const summary = { file: opts.out, decisions: rows.length, since: since ?? null, first: rows[0]?.at ?? null, last: rows.at(-1)?.at ?? null };
      if (opts.json) printJson(summary);
      else process.stderr.write(`wrote ${rows.length} decision${rows.length === 1 ? '' : 's'} to ${opts.out}\n`);
      process.exitCode = 0;
    });
}
