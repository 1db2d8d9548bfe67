import type { Command } from 'commander';
import { printJson, printLines } from '../output.ts';
import { registerAccountWhy } from './account/why.ts';

export function registerAccountCommands(program: Command): void {
  const account = program.command('account').description('Inspect customer accounts: each is a Temporal workflow account:<CRM id>');

  account
    .command('show')
    .description("Show a customer's ARR, CS owner, kickoff SLA, health, renewal reminders and referrals, from its workflow")
    .argument('<id>', "the account's CRM id (the account events' subject)")
    .option('--json', 'print the full workflow state as JSON')
    .action(async (id: string, opts: { json?: boolean }) => {
      const { accountStateQuery, accountWorkflowId } = await import('../../../workflows/definitions.ts');
      const { queryWorkflowState } = await import('../workflowState.ts');
      const { accountSummary } = await import('../accountSummary.ts');
      const state = await queryWorkflowState('account', id, accountWorkflowId(id), accountStateQuery);
      if (opts.json) printJson(state);
      else printLines(accountSummary(state, accountWorkflowId(id)));
    });
  registerAccountWhy(account);
}
