import type { Command } from 'commander';
import { registerSlaReportRun } from './slaReport/run.ts';
import { registerSlaReportSchedule } from './slaReport/schedule.ts';

/** `flywheel sla-report ...`: the weekly hand-off SLA report (docs/sla-report.md). */
export function registerSlaReportCommands(program: Command): void {
  const report = program.command('sla-report').description('The weekly hand-off SLA report: compliance per hand-off, team and owner, breaches and their causes');
  registerSlaReportRun(report);
  registerSlaReportSchedule(report);
}
