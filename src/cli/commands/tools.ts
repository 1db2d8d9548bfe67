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
    .description('Install the pinned binaries into .flywheel/tools (via pip) unless they already resolve, and prebuild the workflow bundle')
    .option('--force', 'reinstall the pinned versions even if a binary resolves elsewhere')
    .option('--quiet', 'print only failures')
    .option('--json', 'print as JSON')
    .action(async (opts: { force?: boolean; quiet?: boolean; json?: boolean }) => {
      let results;
      try {
        results = ALL.map((id) => installTool(id, { force: opts.force }));
      } catch (e) {
        if (e instanceof ToolNotFoundError) throw new CliError(e.message, 2);
        throw e;
      }
      const bundle = await prebuildBundle();
      if (opts.json) printJson([...results, bundle]);
      for (const r of [...results, bundle]) {
        if (r.status === 'failed') process.stderr.write(`flywheel: ${r.error}\n`);
        else if (!opts.quiet && !opts.json) process.stdout.write(`${r.tool.padEnd(12)} ${r.status.padEnd(9)} ${r.resolved?.path}\n`);
      }
      if (results.some((r) => r.status === 'failed') || bundle.status === 'failed') process.exitCode = 1;
    });
}

/**
 * The workflow bundle, built now (in a child process) unless the cache has it for these sources, so the first
 * `flywheel dev` / `worker` start and the first test run only read it. A workflow the bundler refuses fails here too.
 */
async function prebuildBundle(): Promise<{ tool: 'workflows'; status: 'built' | 'cached' | 'failed'; resolved?: { path: string }; error?: string }> {
  const { loadWorkflowBundle } = await import('../../worker/bundleCache.ts');
  try {
    const b = await loadWorkflowBundle();
    return { tool: 'workflows', status: b.built ? 'built' : 'cached', resolved: { path: b.codePath } };
  } catch (e) {
    return { tool: 'workflows', status: 'failed', error: (e as Error).message };
  }
}
