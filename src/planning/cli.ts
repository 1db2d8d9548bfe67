import path from 'node:path';
import type { Command } from 'commander';
import { CliError } from '../cli/errors.ts';
import { printJson, printLines } from '../cli/output.ts';
import { withTemporalClient } from '../cli/temporalClient.ts';
import type { PlanningCycleInput, PlanningState } from '../../workflows/planning/types.ts';

/** A Temporal client for the `plan` verbs: a refused cycle command becomes the CLI's exit 1 with why. */
function withClient<T>(fn: (client: import('@temporalio/client').Client) => Promise<T>): Promise<T> {
  return withTemporalClient(fn, async (e) => {
    const { PlanningCommandError } = await import('./run.ts');
    return e instanceof PlanningCommandError ? e.message : undefined;
  });
}

function reportLines(s: PlanningState): string[] {
  const lines = [`cycle ${s.cycle} (${s.workflowId}): step ${s.step}, ${s.status}`];
  if (s.summary)
    lines.push(
      `  period ${s.summary.periodId}: ARR ${s.summary.actualArr} of ${s.summary.arrTarget} (gap ${s.summary.gap}), ${s.summary.recommendations} recommendations, ${s.summary.offTrack} assumptions off track`,
    );
  if (s.report) lines.push(`  report: ${s.report.html}`, `          ${s.report.markdown}`, `          ${s.report.json}`);
  if (s.deadline && !s.decision) lines.push(`  waiting for ${s.approvers.join(' or ')} until ${s.deadline}: flywheel plan approve ${s.cycle} --by <approver> [--request-changes --comments "..."]`);
  return lines;
}

/** `flywheel plan run [--cycle id] [--wait]`. */
export function registerPlanRun(plan: Command): void {
  plan
    .command('run')
    .description('Start a planning cycle now: ensure the flywheel-planning Schedule (plan cadence, overlap SKIP) and trigger it, or with --cycle start planning:<cycle> directly')
    .option('--file <file>', 'plan file (default: config/plan.yaml, or $FLYWHEEL_PLAN); the worker reads it, so it must be a path the worker sees')
    .option('--cycle <id>', 'start the workflow planning:<id> directly instead of triggering the schedule')
    .option('--period <id>', 'plan period to review (default: the latest period that started)')
    .option('--reports <dir>', "reports folder (default: .flywheel/reports under the worker's project root)")
    .option('--schedule <id>', 'schedule id (default: flywheel-planning)')
    .option('--wait', 'wait until the report is published, then print where it is')
    .option('--timeout <seconds>', 'with --wait: give up after this many seconds', '600')
    .option('--json', 'print the result as JSON')
    .action(async (opts: { file?: string; cycle?: string; period?: string; reports?: string; schedule?: string; wait?: boolean; timeout: string; json?: boolean }) => {
      const { loadConfig, defaultConfigPath } = await import('../config/load.ts');
      const { defaultPlanPath, loadPlan } = await import('../plan/load.ts');
      const { DEFAULT_TASK_QUEUE } = await import('../../workflows/definitions.ts');
      const { runPlanningCycle, waitForCycle } = await import('./run.ts');
      const loaded = loadConfig(defaultConfigPath());
      const { plan: growthPlan } = loadPlan(opts.file ?? defaultPlanPath(), { config: loaded.config });
      const taskQueue = loaded.config.temporal?.taskQueue ?? DEFAULT_TASK_QUEUE;
      // Only what was asked for goes into the workflow input: the worker's own defaults apply otherwise.
      // The schedule keeps the plan file and reports folder for every later cycle; a period only applies to --cycle.
      const scheduleInput: PlanningCycleInput = {
        ...(opts.file ? { planFile: path.resolve(opts.file) } : {}),
        ...(opts.reports ? { reportsDir: path.resolve(opts.reports) } : {}),
      };
      if (opts.period && !opts.cycle) throw new CliError('--period needs --cycle: scheduled cycles review the latest period that started');
      await withClient(async (client) => {
        const r = await runPlanningCycle(client, {
          taskQueue,
          plan: growthPlan,
          cycle: opts.cycle,
          input: { ...scheduleInput, ...(opts.period ? { periodId: opts.period } : {}) },
          schedule: { input: scheduleInput, ...(opts.schedule ? { scheduleId: opts.schedule } : {}) },
        });
        let state: PlanningState | undefined;
        if (opts.wait && r.started) state = await waitForCycle(client, r.cycle, (s) => s.status !== 'running', Number(opts.timeout) * 1000);
        if (opts.json) return printJson({ ...r, state });
        printLines([
          `schedule ${r.scheduleId} ${r.scheduleCreated ? 'created' : 'up to date'} (${growthPlan.cadence.schedule} ${growthPlan.cadence.timezone})`,
          r.started ? `started cycle ${r.cycle} (${r.workflowId})` : `skipped: cycle ${r.cycle} is still running (cycles never overlap)`,
          ...(state ? reportLines(state) : []),
        ]);
      });
    });
}

/** `flywheel plan approve <cycle> --by <rep> [--comments ..] [--request-changes]`. */
export function registerPlanApprove(plan: Command): void {
  plan
    .command('approve')
    .description("Answer a published plan: approve it, or request changes (with --comments); only the plan's approvers may decide")
    .argument('<cycle>', 'the cycle id (planning:<cycle> is accepted too)')
    .requiredOption('--by <rep>', 'who decides: one of approval.approvers in the plan')
    .option('--comments <text>', 'comments (required with --request-changes; carried into the next cycle)')
    .option('--request-changes', 'request changes instead of approving')
    .option('--json', 'print the result as JSON')
    .action(async (cycle: string, opts: { by: string; comments?: string; requestChanges?: boolean; json?: boolean }) => {
      const { decidePlanningCycle } = await import('./run.ts');
      await withClient(async (client) => {
        const r = await decidePlanningCycle(client, cycle, {
          decision: opts.requestChanges ? 'requestChanges' : 'approve',
          by: opts.by,
          ...(opts.comments !== undefined ? { comments: opts.comments } : {}),
        });
        if (opts.json) return printJson(r);
        printLines([`cycle ${r.cycle}: ${r.status} by ${r.decision.by} at ${r.decision.at}${r.decision.late ? ' (after the deadline)' : ''}${r.decision.comments ? `: ${r.decision.comments}` : ''}`]);
      });
    });
}
