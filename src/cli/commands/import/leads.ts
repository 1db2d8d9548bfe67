import type { Command } from 'commander';
import { usageExitsTwo } from '../../ledgerVerb.ts';
import { importAction, importOptions, type ImportOptions } from './action.ts';

/** `flywheel import leads <file> | --from hubspot|salesforce`: open leads keep their stage and owner. */
export function registerImportLeads(imp: Command): void {
  const cmd = imp
    .command('leads')
    .description(
      'Start a lead workflow per open lead in its current stage with its current owner (lead.imported); ' +
        'HubSpot: owned contacts in a lead lifecycle stage; Salesforce: unconverted Leads with an owner',
    );
  importOptions(usageExitsTwo(cmd), 'leads')
    .option('--sla-from-handoff', "start the first-touch SLA clock from each lead's recorded hand-off time (handoffAt), on the owner's calendar")
    .option('--route', 'qualify and route the leads again instead of keeping their owner')
    .action((file: string | undefined, opts: ImportOptions) => importAction('leads', file, opts));
}
