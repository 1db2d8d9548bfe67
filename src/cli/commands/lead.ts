import type { Command } from 'commander';
import { printJson, printLines } from '../output.ts';
import { registerLeadWhy } from './lead/why.ts';

export function registerLeadCommands(program: Command): void {
  const lead = program.command('lead').description('Inspect leads: each is a Temporal workflow lead:<CRM id>');

  lead
    .command('show')
    .description("Show a lead's stage, owner, SLA, opportunity and recent rule decisions, from its workflow (Temporal from the environment)")
    .argument('<id>', "the lead's CRM id (the events' subject)")
    .option('--json', 'print the full workflow state as JSON')
    .action(async (id: string, opts: { json?: boolean }) => {
      const { leadStateQuery, leadWorkflowId } = await import('../../../workflows/definitions.ts');
      const { queryWorkflowState } = await import('../workflowState.ts');
      const { leadSummary } = await import('../leadSummary.ts');
      const state = await queryWorkflowState('lead', id, leadWorkflowId(id), leadStateQuery);
      if (opts.json) printJson(state);
      else printLines(leadSummary(state, leadWorkflowId(id)));
    });
  registerLeadWhy(lead);
}
