import { NativeConnection, Worker, type WorkflowBundleOption } from '@temporalio/worker';
import { createActivities, type ActivityDeps } from '../../activities/index.ts';
import type { TemporalTarget } from '../temporal/connection.ts';
import { bundleWorkflows } from './workflowBundle.ts';
import { WorkerHeartbeat } from './heartbeat.ts';

export interface FlywheelWorkerOptions {
  deps: ActivityDeps;
  target: TemporalTarget;
  taskQueue: string;
  /** Reuse a bundle built once (tests, benchmarks); otherwise the worker bundles at start. */
  workflowBundle?: WorkflowBundleOption;
  identity?: string;
}

export interface FlywheelWorker {
  worker: Worker;
  connection: NativeConnection;
  /** Resolves when the worker has drained and the connection is closed. */
  run(): Promise<void>;
}

export async function createFlywheelWorker(opts: FlywheelWorkerOptions): Promise<FlywheelWorker> {
  const { address, tls, apiKey, metadata } = opts.target.connectionOptions;
  const connection = await NativeConnection.connect({ address, tls, apiKey, metadata });
  try {
    const worker = await Worker.create({
      connection,
      namespace: opts.target.namespace,
      taskQueue: opts.taskQueue,
      workflowBundle: opts.workflowBundle ?? { code: (await bundleWorkflows()).code },
      activities: createActivities(opts.deps),
      ...(opts.identity ? { identity: opts.identity } : {}),
    });
    // Runs exactly as long as the worker does, so /healthz and doctor list only running workers.
    const heartbeat = new WorkerHeartbeat({ ledger: opts.deps.ledger, rules: opts.deps.rules, shadow: opts.deps.shadow, identity: worker.options.identity, taskQueue: opts.taskQueue });
    return {
      worker,
      connection,
      async run() {
        heartbeat.start();
        try {
          await worker.run();
        } finally {
          await heartbeat.stop();
          await connection.close();
        }
      },
    };
  } catch (e) {
    await connection.close();
    throw e;
  }
}
