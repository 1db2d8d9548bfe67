import type { Command } from 'commander';
import { registerWhy } from '../../whyCommand.ts';

/** `flywheel account why <id>`: why this CS owner, why this kick-off deadline, from the ledger. */
export function registerAccountWhy(account: Command): void {
  registerWhy(account, 'account');
}
