import type { Command } from 'commander';
import { registerImportAccounts } from './import/accounts.ts';
import { registerImportLeads } from './import/leads.ts';

/** `flywheel import accounts|leads`: bring the existing book of business in (a file, or a CRM's bulk read). */
export function registerImportCommands(program: Command): void {
  const imp = program.command('import').description('Import existing customers or open leads from a CSV/NDJSON file or a CRM; re-running skips what was imported');
  registerImportAccounts(imp);
  registerImportLeads(imp);
}
