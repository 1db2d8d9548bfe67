import type { Command } from 'commander';
import { registerWhy } from '../../whyCommand.ts';

/** `flywheel lead why <id>`: why this owner, why this deadline, from the ledger. */
export function registerLeadWhy(lead: Command): void {
  registerWhy(lead, 'lead');
}
