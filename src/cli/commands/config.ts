import type { Command } from 'commander';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { formatDiagnostic, formatGithub } from '../../diagnostics/diagnostic.ts';
import { checkConfigText, defaultConfigPath, displayPath, projectRootOf } from '../../config/load.ts';
import { printJson } from '../output.ts';
import { CliError } from '../errors.ts';

export function registerConfigCommands(program: Command): void {
  const config = program.command('config').description('Organisation and environment configuration (config/flywheel.yaml)');
  config
    .command('validate')
    .description('Check the configuration against its schema and cross-references; exit 2 when invalid')
    .argument('[file]', 'configuration file')
    .option('--json', 'print the findings as JSON')
    .option('--format <format>', 'text | github (GitHub annotations)', 'text')
    .action((file: string | undefined, opts: { json?: boolean; format: string }) => {
      const abs = path.resolve(file ?? defaultConfigPath());
      let text: string;
      try {
        text = readFileSync(abs, 'utf8');
      } catch (e) {
        throw new CliError(`cannot read ${displayPath(abs)}: ${(e as NodeJS.ErrnoException).code}`, 2);
      }
      const { diagnostics } = checkConfigText(displayPath(abs), text, projectRootOf(abs));
      // Warnings (a shadow folder that is not there) are shown but leave the config valid: workers start with it.
      const valid = !diagnostics.some((d) => d.severity === 'error');
      if (opts.json) printJson({ file: displayPath(abs), valid, diagnostics });
      else {
        const fmt = opts.format === 'github' ? formatGithub : formatDiagnostic;
        for (const d of diagnostics) process.stderr.write(`${fmt(d)}\n`);
        if (valid) process.stdout.write(`${displayPath(abs)}: valid\n`);
      }
      process.exitCode = valid ? 0 : 2;
    });
}
