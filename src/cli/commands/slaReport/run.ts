import path from 'node:path';
import type { Command } from 'commander';
import { CliError } from '../../errors.ts';
import { printJson, printLines } from '../../output.ts';
import { withSlaClient } from './client.ts';

const HELP = `
Publishes the hand-off SLA report of one week now, through the worker (it must be running, e.g. \`flywheel dev\`):
<reports>/sla-<ISO week>/report.{md,json,html}, then tells the managers (reports.slaWeekly.notify). The week is
Monday 00:00 to Monday 00:00 in reports.slaWeekly.timezone (default organisation.timezone).

Exit codes:
  0  published and the managers told
  1  Temporal unreachable, the run failed, or published but the managers could not be told
  2  usage error (a bad --week)

Examples:
  flywheel sla-report run                   # last complete week
  flywheel sla-report run --week 2027-W13
  flywheel sla-report run --week 2027-03-31 --json`;

export function registerSlaReportRun(report: Command): void {
  report
    .command('run')
    .description('Publish the SLA report of a week now (default: the last complete week) and tell the managers')
    .option('--week <week>', 'ISO week (2027-W13) or any date in it (2027-03-31)')
    .option('--reports <dir>', "reports folder (default: reports.slaWeekly.reportsDir under the worker's project root); the worker writes it")
    .option('--timeout <seconds>', 'give up after this many seconds', '300')
    .option('--json', 'print the outcome as JSON')
    .addHelpText('after', HELP)
    .action(async (opts: { week?: string; reports?: string; timeout: string; json?: boolean }) => {
      const { loadConfig, defaultConfigPath } = await import('../../../config/load.ts');
      const { slaReportSettings } = await import('../../../slaReport/settings.ts');
      const { parseWeek, previousWeek } = await import('../../../slaReport/week.ts');
      const { DEFAULT_TASK_QUEUE } = await import('../../../../workflows/definitions.ts');
      const { runSlaReportNow } = await import('../../../slaReport/run.ts');
      const loaded = loadConfig(defaultConfigPath());
      const settings = slaReportSettings(loaded);
      let week;
      try {
        week = opts.week ? parseWeek(opts.week, settings.timezone) : previousWeek(new Date(), settings.timezone);
      } catch (e) {
        throw new CliError((e as Error).message, 2);
      }
      const timeout = Number(opts.timeout);
      if (!(timeout > 0)) throw new CliError(`--timeout must be a positive number of seconds, got "${opts.timeout}"`, 2);
      const taskQueue = loaded.config.temporal?.taskQueue ?? DEFAULT_TASK_QUEUE;
      const input = opts.reports ? { reportsDir: path.resolve(opts.reports) } : {};
      const out = await withSlaClient((client) => runSlaReportNow(client, { taskQueue, week, input, timeoutMs: timeout * 1000 }));
      if (out.notifyError) process.exitCode = 1;
      if (opts.json) return printJson(out);
      const h = out.summary.handoffs;
      const line = (k: string) => {
        const x = h[k];
        return x ? `${k} ${x.met} met, ${x.breached} breached` : `${k} none`;
      };
      printLines([
        `SLA report ${out.week.week} (${out.week.from} to ${out.week.to}, ${out.week.timezone}): ${line('marketing-to-sales')}; ${line('sales-to-cs')}; ${out.summary.breaches} breaches`,
        `  report: ${out.files.html}`,
        `          ${out.files.markdown}`,
        `          ${out.files.json}`,
        out.notifyError ? `  the managers were NOT told: ${out.notifyError}` : `  told: ${out.notified.join(', ') || 'nobody (no recipients)'}`,
      ]);
    });
}
