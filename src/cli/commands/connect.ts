import type { Command } from 'commander';
import { registerConnectSalesforceCdc } from './connect/salesforceCdc.ts';

/** `flywheel connect <crm-stream>`: long-running readers of a CRM's event streams. */
export function registerConnectCommands(program: Command): void {
  const connect = program.command('connect').description("Run a reader of a CRM's event stream that delivers into Flywheel (Ctrl-C stops it)");
  registerConnectSalesforceCdc(connect);
}
