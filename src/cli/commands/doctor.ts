import { randomUUID } from 'node:crypto';
import type { Command } from 'commander';
import { loadConfig } from '../../config/load.ts';
import type { SystemCheckResult } from '../../../workflows/definitions.ts';
import { printJson } from '../output.ts';
import { CliError } from '../errors.ts';

export function registerDoctorCommand(program: Command): void {
  program
    .command('doctor')
    .description('Check a running deployment end to end: Temporal reachable, search attributes registered, a worker runs a workflow that writes the ledger')
    .option('--timeout <seconds>', 'how long to wait for a worker to finish the check', (v) => Number.parseInt(v, 10), 30)
    .option('--json', 'print the result as JSON')
    .action(async (opts: { timeout: number; json?: boolean }) => {
      const loaded = loadConfig();
      const { connectClient, describeTarget, targetFromEnvironment } = await import('../../temporal/connection.ts');
      const { searchAttributeTable } = await import('../../temporal/searchAttributes.ts');
      const { DEFAULT_TASK_QUEUE, WORKFLOW_TYPES, workflowIds } = await import('../../../workflows/definitions.ts');
      const target = targetFromEnvironment();
      const client = await connectClient(target).catch((e: Error) => {
        throw new CliError(`cannot reach Temporal at ${describeTarget(target)}: ${e.message}`, 1);
      });
      try {
        const attrs = await client.connection.operatorService.listSearchAttributes({ namespace: target.namespace });
        const keys = Object.keys(attrs.customAttributes ?? {});
        const missing = Object.keys(searchAttributeTable()).filter((k) => !keys.includes(k));
        const taskQueue = loaded.config.temporal?.taskQueue ?? DEFAULT_TASK_QUEUE;
        const checkId = randomUUID();
        const t0 = performance.now();
        const result = await client.workflow.execute<(i: { checkId: string; timerMs?: number }) => Promise<SystemCheckResult>>(WORKFLOW_TYPES.systemCheck, {
          taskQueue,
          workflowId: workflowIds.systemCheck(checkId),
          args: [{ checkId, timerMs: 100 }],
          workflowExecutionTimeout: `${opts.timeout} seconds`,
        });
        const report = { temporal: describeTarget(target), taskQueue, missingSearchAttributes: missing, check: result, roundTripMs: Math.round(performance.now() - t0) };
        if (opts.json) printJson(report);
        else {
          process.stdout.write(`Temporal      ok  ${report.temporal}\n`);
          process.stdout.write(`Search attrs  ${missing.length ? `MISSING ${missing.join(', ')}` : 'ok'}\n`);
          process.stdout.write(`Worker+ledger ok  ${taskQueue}: timer, activity and ledger write (${result.ledger.mode}) in ${report.roundTripMs} ms\n`);
        }
        if (missing.length) process.exitCode = 1;
      } catch (e) {
        if (e instanceof CliError) throw e;
        throw new CliError(`system check failed: ${(e as Error).message}`, 1);
      } finally {
        await client.connection.close();
      }
    });
}
