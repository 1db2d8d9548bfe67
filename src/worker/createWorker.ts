import { NativeConnection, Worker, type WorkerOptions, type WorkflowBundleOption } from '@temporalio/worker';
import { createActivities, type ActivityDeps } from '../../activities/index.ts';
import type { TemporalTarget } from '../temporal/connection.ts';
import { loadWorkflowBundle } from './bundleCache.ts';
import { WorkerHeartbeat } from './heartbeat.ts';
import { tracingWorkerOptions, tracingWorkflowModules } from '../observability/tracing/temporal.ts';

export interface FlywheelWorkerOptions {
  deps: ActivityDeps;
  target: TemporalTarget;
  taskQueue: string;
  /** Reuse a bundle loaded once (tests, benchmarks); otherwise the worker loads the cached bundle (built on a miss). */
  workflowBundle?: WorkflowBundleOption;
  identity?: string;
}

export interface FlywheelWorker {
  worker: Worker;
  connection: NativeConnection;
  /** Resolves when the worker has drained and the connection is closed. */
  run(): Promise<void>;
}

export type WorkerTuning = Pick<WorkerOptions, 'maxCachedWorkflows' | 'maxConcurrentWorkflowTaskExecutions' | 'maxConcurrentActivityTaskExecutions'>;

/**
 * The worker options Flywheel sets, in one place (createFlywheelWorker and bench/stack.ts), each overridable from the
 * environment. The rest are the SDK's defaults (1.24): one workflow thread reusing one V8 context, 40 workflow tasks
 * and 100 activities at once.
 */
export function workerTuning(env: NodeJS.ProcessEnv = process.env): WorkerTuning {
  return {
    // The SDK sizes the sticky cache from the heap limit (about 2,300 workflows on a 4 GiB heap), so every lead
    // touched stays cached while it waits hours on its SLA or grace timer, at ~0.4 MiB of RSS each (measured: 627 MiB
    // after 600 leads uncapped, 558 with 250). A lead is busy for seconds after an event; an evicted one replays its
    // short history (14 events at rest) when its next event or timer comes. 250 is over twice the ~100 leads
    // in flight when the bench saturates this machine; far smaller caches evict runs mid-task (a cache of 10 made core log
    // eviction errors under load) and the SDK caps concurrent workflow tasks (40) at the cache size.
    maxCachedWorkflows: wholeNumber(env, 'FLYWHEEL_WORKER_MAX_CACHED_WORKFLOWS') ?? 250,
    // Unset: the SDK's default. They bound burst memory and concurrency, not idle memory.
    maxConcurrentWorkflowTaskExecutions: wholeNumber(env, 'FLYWHEEL_WORKER_MAX_CONCURRENT_WORKFLOW_TASKS'),
    maxConcurrentActivityTaskExecutions: wholeNumber(env, 'FLYWHEEL_WORKER_MAX_CONCURRENT_ACTIVITIES'),
  };
}

function wholeNumber(env: NodeJS.ProcessEnv, name: string): number | undefined {
  const raw = env[name]?.trim();
  if (!raw) return undefined;
  const n = Number(raw);
  if (!Number.isInteger(n) || n < 0) throw new Error(`${name} must be a whole number, got ${JSON.stringify(raw)}`);
  return n;
}

export async function createFlywheelWorker(opts: FlywheelWorkerOptions): Promise<FlywheelWorker> {
  const { address, tls, apiKey, metadata } = opts.target.connectionOptions;
  const connection = await NativeConnection.connect({ address, tls, apiKey, metadata });
  try {
    const worker = await Worker.create({
      connection,
      namespace: opts.target.namespace,
      taskQueue: opts.taskQueue,
      workflowBundle: opts.workflowBundle ?? { codePath: (await loadWorkflowBundle({ workflowInterceptorModules: tracingWorkflowModules() })).codePath },
      activities: createActivities(opts.deps),
      dataConverter: opts.target.dataConverter,
      ...definedOnly(workerTuning()),
      // OpenTelemetry interceptors and span sink when tracing is on (the bundle must hold its workflow modules).
      ...tracingWorkerOptions(),
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

/** Leaves unset options out, so the SDK applies its own defaults to them. */
export function definedOnly<T extends object>(o: T): Partial<T> {
  return Object.fromEntries(Object.entries(o).filter(([, v]) => v !== undefined)) as Partial<T>;
}
