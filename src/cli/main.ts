import { Command, CommanderError } from 'commander';
import { DiagnosticsError, formatDiagnostic } from '../diagnostics/diagnostic.ts';
import { CliError } from './errors.ts';
import { registerConfigCommands } from './commands/config.ts';
import { registerRulesCommands } from './commands/rules.ts';
import { registerLedgerCommands } from './commands/ledger.ts';
import { registerMetricsCommand } from './commands/metrics.ts';
import { registerToolsCommands } from './commands/tools.ts';
import { registerRuntimeCommands } from './commands/runtime.ts';
import { registerDemoCommand } from './commands/demo.ts';
import { registerDoctorCommand } from './commands/doctor.ts';
import { registerEventsCommands } from './commands/events.ts';
import { registerLeadCommands } from './commands/lead.ts';
import { registerAccountCommands } from './commands/account.ts';
import { registerPlanCommands } from './commands/plan.ts';
import { registerDecisionsCommands } from './commands/decisions.ts';
import { registerConnectCommands } from './commands/connect.ts';
import { registerImportCommands } from './commands/import.ts';
import { registerSlaReportCommands } from './commands/slaReport.ts';

export function buildProgram(): Command {
  const program = new Command('flywheel')
    .description('Revenue operations as code: CRM events drive durable Temporal workflows decided by rules in Git.')
    .version('0.1.0')
    .showHelpAfterError('(run with --help for usage)')
    .configureHelp({ showGlobalOptions: true })
    .option('-c, --config <file>', 'configuration file (default: config/flywheel.yaml, or $FLYWHEEL_CONFIG)')
    .hook('preAction', (cmd) => {
      const file = cmd.opts().config as string | undefined;
      if (file) process.env.FLYWHEEL_CONFIG = file;
    });
  registerRuntimeCommands(program);
  registerDemoCommand(program);
  registerDoctorCommand(program);
  registerEventsCommands(program);
  registerLeadCommands(program);
  registerAccountCommands(program);
  registerConfigCommands(program);
  registerRulesCommands(program);
  registerLedgerCommands(program);
  registerDecisionsCommands(program);
  registerConnectCommands(program);
  registerImportCommands(program);
  registerMetricsCommand(program);
  registerPlanCommands(program);
  registerSlaReportCommands(program);
  registerToolsCommands(program);
  program.exitOverride();
  for (const c of program.commands) c.exitOverride();
  return program;
}

/** Runs the CLI and returns the exit code instead of exiting, so long-running commands can finish cleanly. */
export async function main(argv: string[]): Promise<number> {
  const program = buildProgram();
  try {
    await program.parseAsync(argv);
    return typeof process.exitCode === 'number' ? process.exitCode : 0;
  } catch (e) {
    if (e instanceof CommanderError) return e.exitCode;
    if (e instanceof DiagnosticsError) {
      for (const d of e.diagnostics) process.stderr.write(`${formatDiagnostic(d)}\n`);
      return 2;
    }
    if (e instanceof CliError) {
      process.stderr.write(`flywheel: ${e.message}\n`);
      return e.exitCode;
    }
    process.stderr.write(`flywheel: ${(e as Error).stack ?? String(e)}\n`);
    return 1;
  }
}
