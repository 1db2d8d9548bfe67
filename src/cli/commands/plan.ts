import type { Command } from 'commander';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { displayPath, loadConfig } from '../../config/load.ts';
import { formatDiagnostic, formatGithub } from '../../diagnostics/diagnostic.ts';
import { reverseFunnel } from '../../plan/funnel.ts';
import { checkPlanText, defaultPlanPath, loadPlan, planConfigPath } from '../../plan/load.ts';
import { renderPlan } from '../../plan/render.ts';
import { registerPlanApprove, registerPlanRun } from '../../planning/cli.ts';
import { CliError } from '../errors.ts';
import { printJson, printLines } from '../output.ts';

/**
 * `flywheel plan ...`: the growth plan (config/plan.yaml). Returns the `plan` command so other modules can add
 * subcommands (`run`, `approve`) with `planCommand.command(...)`; registerPlanCommands calls each registrar below.
 */
export function registerPlanCommands(program: Command): Command {
  const plan = program.command('plan').description('The growth plan (config/plan.yaml): targets, reverse funnel, planning cycle');
  registerPlanShow(plan);
  registerPlanValidate(plan);
  // Planning workflow subcommands (`plan run`, `plan approve`) are registered here, e.g. registerPlanRun(plan).
  registerPlanRun(plan);
  registerPlanApprove(plan);
  return plan;
}

export function registerPlanShow(plan: Command): void {
  plan
    .command('show')
    .description('Print the plan and its reverse funnel per period (bookings, opportunities, MQLs, leads, reps, CSMs)')
    .option('--file <file>', 'plan file (default: config/plan.yaml, or $FLYWHEEL_PLAN)')
    .option('--json', 'print the plan and funnel as JSON')
    .action((opts: { file?: string; json?: boolean }) => {
      const loaded = loadPlan(opts.file ?? defaultPlanPath());
      const funnel = reverseFunnel(loaded.plan);
      if (opts.json) printJson({ file: displayPath(loaded.file), plan: loaded.plan, funnel });
      else printLines(renderPlan(loaded.plan, funnel));
    });
}

export function registerPlanValidate(plan: Command): void {
  plan
    .command('validate')
    .description('Check the plan against its schema, the reps in config/flywheel.yaml and period continuity; exit 2 when invalid')
    .argument('[file]', 'plan file')
    .option('--json', 'print the findings as JSON')
    .option('--format <format>', 'text | github (GitHub annotations)', 'text')
    .action((file: string | undefined, opts: { json?: boolean; format: string }) => {
      const abs = path.resolve(file ?? defaultPlanPath());
      let text: string;
      try {
        text = readFileSync(abs, 'utf8');
      } catch (e) {
        throw new CliError(`cannot read ${displayPath(abs)}: ${(e as NodeJS.ErrnoException).code}`, 2);
      }
      const config = loadConfig(planConfigPath(abs)).config;
      const { diagnostics } = checkPlanText(displayPath(abs), text, config);
      const errors = diagnostics.filter((d) => d.severity === 'error').length;
      if (opts.json) printJson({ file: displayPath(abs), valid: errors === 0, diagnostics });
      else {
        const fmt = opts.format === 'github' ? formatGithub : formatDiagnostic;
        for (const d of diagnostics) process.stderr.write(`${fmt(d)}\n`);
        if (errors === 0) process.stdout.write(`${displayPath(abs)}: valid\n`);
      }
      process.exitCode = errors === 0 ? 0 : 2;
    });
}
