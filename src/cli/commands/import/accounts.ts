import type { Command } from 'commander';
import { usageExitsTwo } from '../../ledgerVerb.ts';
import { importAction, importOptions, type ImportOptions } from './action.ts';

/** `flywheel import accounts <file> | --from hubspot|salesforce`: existing customers become account workflows. */
export function registerImportAccounts(imp: Command): void {
  const cmd = imp
    .command('accounts')
    .description(
      'Start an account workflow per existing customer with its ARR, contract dates, CS owner and health (account.imported); ' +
        'HubSpot: companies in the customer lifecycle stage; Salesforce: Accounts of Type Customer',
    );
  importOptions(usageExitsTwo(cmd), 'accounts').action((file: string | undefined, opts: ImportOptions) => importAction('accounts', file, opts));
}
