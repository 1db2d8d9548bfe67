import path from 'node:path';
import type { Command } from 'commander';
import { printJson, printLines } from '../../output.ts';
import { withSlaClient } from './client.ts';

const HELP = `
Creates the Temporal Schedule flywheel-sla-report from reports.slaWeekly (cron in its time zone, overlap SKIP,
one day's catch-up), or updates it in place; \`flywheel dev\` does the same at every start. Each run reports the
complete week before its scheduled time.

Exit codes:
  0  the Schedule exists and matches the configuration
  1  Temporal unreachable
  2  usage error

Examples:
  flywheel sla-report schedule
  flywheel sla-report schedule --json`;

export function registerSlaReportSchedule(report: Command): void {
  report
    .command('schedule')
    .description('Create or update the Schedule that publishes the SLA report every week (reports.slaWeekly) and show its next runs')
    .option('--reports <dir>', "reports folder every run writes to (default: reports.slaWeekly.reportsDir under the worker's project root)")
    .option('--json', 'print the schedule as JSON')
    .addHelpText('after', HELP)
    .action(async (opts: { reports?: string; json?: boolean }) => {
      const { loadConfig, defaultConfigPath } = await import('../../../config/load.ts');
      const { slaReportSettings } = await import('../../../slaReport/settings.ts');
      const { ensureSlaReportSchedule } = await import('../../../slaReport/schedule.ts');
      const { DEFAULT_TASK_QUEUE } = await import('../../../../workflows/definitions.ts');
      const loaded = loadConfig(defaultConfigPath());
      const settings = slaReportSettings(loaded);
      const taskQueue = loaded.config.temporal?.taskQueue ?? DEFAULT_TASK_QUEUE;
      const input = opts.reports ? { reportsDir: path.resolve(opts.reports) } : {};
      await withSlaClient(async (client) => {
        const r = await ensureSlaReportSchedule(client, settings, taskQueue, { input });
        const d = await client.schedule.getHandle(r.scheduleId).describe();
        const next = d.info.nextActionTimes.slice(0, 3).map((t) => t.toISOString());
        const out = { ...r, schedule: settings.schedule, timezone: settings.timezone, taskQueue, nextRuns: next };
        if (opts.json) return printJson(out);
        printLines([`schedule ${r.scheduleId} ${r.created ? 'created' : 'up to date'} (${settings.schedule} ${settings.timezone}, task queue ${taskQueue})`, `  next runs: ${next.join(', ')}`]);
      });
    });
}
