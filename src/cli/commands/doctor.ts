import { randomUUID } from 'node:crypto';
import type { Command } from 'commander';
import { loadConfig } from '../../config/load.ts';
import type { LoadedConfig } from '../../config/types.ts';
import type { WorkersSummary } from '../../runtime/workerRevisions.ts';
import type { SystemCheckResult } from '../../../workflows/definitions.ts';
import { printJson } from '../output.ts';
import { CliError } from '../errors.ts';

export function registerDoctorCommand(program: Command): void {
  program
    .command('doctor')
    .description(
      'Check a running deployment end to end: Temporal reachable, search attributes registered, a worker runs a workflow that writes the ledger; lists the rules revision of each live worker and warns (exit code unchanged) when they differ',
    )
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
        const roundTripMs = Math.round(performance.now() - t0);
        const workers = await liveWorkers(loaded);
        const report = { temporal: describeTarget(target), taskQueue, missingSearchAttributes: missing, check: result, roundTripMs, workers };
        if (opts.json) printJson(report);
        else {
          process.stdout.write(`Temporal      ok  ${report.temporal}\n`);
          process.stdout.write(`Search attrs  ${missing.length ? `MISSING ${missing.join(', ')}` : 'ok'}\n`);
          process.stdout.write(`Worker+ledger ok  ${taskQueue}: timer, activity and ledger write (${result.ledger.mode}) in ${roundTripMs} ms\n`);
          process.stdout.write(workerLines(workers));
        }
        // Warnings, not failures: every worker still decides with valid rules (mixed is expected during a rollout).
        if ('status' in workers && workers.status === 'mixed') process.stderr.write(`warning: live workers decide with different rules revisions: ${workers.detail}\n`);
        if ('status' in workers && workers.status === 'degraded') process.stderr.write(`warning: workers: ${workers.detail}\n`);
        if (missing.length) process.exitCode = 1;
      } catch (e) {
        if (e instanceof CliError) throw e;
        throw new CliError(`system check failed: ${(e as Error).message}`, 1);
      } finally {
        await client.connection.close();
      }
    });
}

type WorkersReport = WorkersSummary | { error: string };

/** Each live worker's rules revision from the heartbeats in the ledger (an embedded ledger only through its owner). */
async function liveWorkers(loaded: LoadedConfig): Promise<WorkersReport> {
  const { openLedger } = await import('../../ledger/open.ts');
  const { dataPaths } = await import('../../runtime/paths.ts');
  const { readWorkers, summariseWorkers } = await import('../../runtime/workerRevisions.ts');
  try {
    const ledger = await openLedger({ root: loaded.root, embeddedDir: dataPaths(loaded).ledgerDir, role: 'client', startupTimeoutMs: 5_000 });
    try {
      const read = await readWorkers(ledger);
      if (!read) return { error: 'the ledger has no worker_rules table yet (migration 0005 not applied)' };
      return summariseWorkers(read.rows, read.now);
    } finally {
      await ledger.close();
    }
  } catch (e) {
    return { error: `cannot read the ledger: ${(e as Error).message}` };
  }
}

function workerLines(w: WorkersReport): string {
  if ('error' in w) return `Workers       ?   ${w.error}\n`;
  const head = `Workers       ${w.status === 'ok' ? 'ok' : w.status.toUpperCase()}  ${w.detail}\n`;
  return (
    head +
    w.live
      .map(
        (x) =>
          `  ${x.identity}  ${x.taskQueue}  rules ${x.rulesRevision ?? 'none'}${x.rulesStatus === 'degraded' ? ' (a change was refused)' : ''}${x.shadow ? `  shadow ${x.shadow.source}: ${x.shadow.error ? 'cannot decide' : (x.shadow.revision ?? '?')}` : ''}  seen ${x.seenAt}\n`,
      )
      .join('')
  );
}
