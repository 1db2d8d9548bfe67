import type { Command } from 'commander';
import { CliError } from '../errors.ts';
import { printJson, printLines } from '../output.ts';

const QUERY_TIMEOUT_MS = 15_000;

export function registerLeadCommands(program: Command): void {
  const lead = program.command('lead').description("Inspect leads: each is a Temporal workflow lead:<CRM id>");

  lead
    .command('show')
    .description("Show a lead's stage, owner, SLA, opportunity and recent rule decisions, from its workflow (Temporal from the environment)")
    .argument('<id>', "the lead's CRM id (the events' subject)")
    .option('--json', 'print the full workflow state as JSON')
    .action(async (id: string, opts: { json?: boolean }) => {
      // Temporal's client loads only here, so `flywheel --help` stays fast.
      const { connectClient, describeTarget, targetFromEnvironment } = await import('../../temporal/connection.ts');
      const { WorkflowNotFoundError } = await import('@temporalio/client');
      const { leadStateQuery, leadWorkflowId } = await import('../../../workflows/definitions.ts');
      const { leadSummary } = await import('../leadSummary.ts');
      const target = targetFromEnvironment();
      const workflowId = leadWorkflowId(id);
      const client = await connectClient(target).catch((e: Error) => {
        throw new CliError(`cannot reach Temporal at ${describeTarget(target)}: ${e.message}`);
      });
      try {
        const handle = client.workflow.getHandle(workflowId);
        const state = await client.withDeadline(Date.now() + QUERY_TIMEOUT_MS, () => handle.query(leadStateQuery)).catch((e: Error) => {
          if (e instanceof WorkflowNotFoundError) throw new CliError(`no lead ${id}: there is no workflow ${workflowId} in ${describeTarget(target)}`);
          throw new CliError(`the state query for ${workflowId} failed: ${e.message} (is a worker running?)`);
        });
        if (opts.json) printJson(state);
        else printLines(leadSummary(state, workflowId));
      } finally {
        await client.connection.close();
      }
    });
}
