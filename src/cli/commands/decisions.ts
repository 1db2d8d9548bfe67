import type { Command } from 'commander';
import { registerExportCommand } from './decisions/export.ts';

export function registerDecisionsCommands(program: Command): void {
  const decisions = program.command('decisions').description('The permanent decision record in the ledger: every decision with the facts it was made on');
  registerExportCommand(decisions);
}
