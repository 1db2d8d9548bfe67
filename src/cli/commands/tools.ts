import type { Command } from 'commander';
import { installTool, resolveTool, TOOLS, type ToolId, ToolNotFoundError } from '../../tools/temporalBinaries.ts';
import { printJson } from '../output.ts';
import { CliError } from '../errors.ts';

const ALL = Object.keys(TOOLS) as ToolId[];

export function registerToolsCommands(program: Command): void {
  const tools = program.command('tools').description('The Temporal binaries Flywheel runs locally (CLI dev server, time-skipping test server)');

  tools
    .command('which')
    .description('Show where each binary resolves from: env var, PATH, project install, or the SDK download')
    .option('--json', 'print as JSON')
    .action((opts: { json?: boolean }) => {
      const rows = ALL.map((id) => {
        try {
          return { ...resolveTool(id), version: TOOLS[id].version, env: TOOLS[id].env };
        } catch (e) {
          return { tool: id, source: 'error', error: (e as Error).message, env: TOOLS[id].env };
        }
      });
      if (opts.json) return printJson(rows);
      for (const r of rows) {
        const where = 'path' in r && r.path ? r.path : 'error' in r ? r.error : '(the SDK downloads it at start; needs internet)';
        process.stdout.write(`${r.tool.padEnd(12)} ${r.source.padEnd(13)} ${where}\n`);
      }
    });

  tools
    .command('install')
    .description('Install the pinned binaries into .flywheel/tools (via pip) unless they already resolve')
    .option('--force', 'reinstall the pinned versions even if a binary resolves elsewhere')
    .option('--quiet', 'print only failures')
    .option('--json', 'print as JSON')
    .action((opts: { force?: boolean; quiet?: boolean; json?: boolean }) => {
      let results;
      try {
        results = ALL.map((id) => installTool(id, { force: opts.force }));
      } catch (e) {
        if (e instanceof ToolNotFoundError) throw new CliError(e.message, 2);
        throw e;
      }
      if (opts.json) printJson(results);
      for (const r of results) {
        if (r.status === 'failed') process.stderr.write(`flywheel: ${r.error}\n`);
        else if (!opts.quiet && !opts.json) process.stdout.write(`${r.tool.padEnd(12)} ${r.status.padEnd(9)} ${r.resolved?.path}\n`);
      }
      if (results.some((r) => r.status === 'failed')) process.exitCode = 1;
    });
}
