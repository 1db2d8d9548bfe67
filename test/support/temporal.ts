import { randomUUID } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { inject } from 'vitest';
import { Client, Connection, type ConnectionOptions } from '@temporalio/client';
// The SDK's own test environment enables the test service this way; a file's harnesses share its server.
import { InternalConnectionOptionsSymbol } from '@temporalio/client/lib/connection';
import { TimeSkippingWorkflowClient } from '@temporalio/testing';
import { msToTs, tsToMs } from '@temporalio/common/lib/time';
import { openLedger } from '../../src/ledger/open.ts';
import type { Ledger } from '../../src/ledger/types.ts';
import { localTarget } from '../../src/temporal/connection.ts';
import { createFlywheelWorker, type FlywheelWorker } from '../../src/worker/createWorker.ts';
import { installQuietRuntime } from '../../src/runtime/devStack.ts';
import { loadConfig } from '../../src/config/load.ts';
import type { LoadedConfig } from '../../src/config/types.ts';
import { buildActivityDeps } from '../../src/worker/activityDeps.ts';
import type { ActivityDeps } from '../../activities/index.ts';
import { fileURLToPath } from 'node:url';
import { acquireTimeSkippingServer, releaseTimeSkippingServer } from './timeSkippingServer.ts';

export type ServerKind = 'dev' | 'time-skipping';

export interface TestHarness {
  kind: ServerKind;
  taskQueue: string;
  client: Client;
  /** Waits on workflow results with time skipping enabled (time-skipping server only). */
  timeSkippingClient?: TimeSkippingWorkflowClient;
  ledger: Ledger;
  /** The embedded ledger's directory, so an in-process CLI run can open it (through this process's socket). */
  ledgerDir: string;
  deps: ActivityDeps;
  worker: FlywheelWorker;
  /** Advances the time-skipping server's clock; only valid on that server. */
  advance(ms: number): Promise<void>;
  /** The server's notion of now (time-skipping server: its skipped clock). */
  now(): Promise<number>;
  /** The server's now as ISO 8601, for event times. */
  isoNow(): Promise<string>;
  /** Skips the time-skipping server's clock forward to an instant. */
  advanceTo(instant: number): Promise<void>;
  /** Remembers a workflow this file started, so close() can end it. */
  track(workflowId: string): void;
  /** Runs `fn` while the worker polls; fails fast if the worker dies meanwhile. */
  run<T>(fn: () => Promise<T>): Promise<T>;
  close(): Promise<void>;
}

/** The time-skipping server's clock before any harness exists (e.g. to shape a harness's config around it). */
export async function timeSkippingNow(): Promise<number> {
  const address = await acquireTimeSkippingServer();
  try {
    const connection = await Connection.connect({ address, [InternalConnectionOptionsSymbol]: { supportsTestService: true } } as ConnectionOptions);
    try {
      const { time } = await connection.testService!.getCurrentTime({});
      return tsToMs(time);
    } finally {
      await connection.close();
    }
  } finally {
    await releaseTimeSkippingServer();
  }
}

/** A worker on a task queue of its own against one of the run's shared servers, with a fresh embedded ledger. */
export interface HarnessOptions {
  /** Organisation config for this file's worker (default: the shipped config/flywheel.yaml). */
  configFile?: string;
  /** Edit the loaded config before the worker starts (e.g. point rules at a fixture folder). */
  adjust?: (loaded: LoadedConfig) => void;
  /** Webhook target for assignment/escalation notifications. */
  webhookUrl?: string;
  /** Environment the Temporal target is read from (e.g. FLYWHEEL_PAYLOAD_KEYS); default process.env. */
  env?: NodeJS.ProcessEnv;
  /** A workflow bundle of the file's own (e.g. with tracing's interceptors); default: the run's shared one. */
  workflowBundlePath?: string;
}

export async function createHarness(kind: ServerKind, name: string, opts: HarnessOptions = {}): Promise<TestHarness> {
  installQuietRuntime();
  const servers = inject('temporal');
  if (kind === 'dev') return buildHarness(kind, servers.devAddress, servers.workflowBundlePath, name, opts);
  const address = await acquireTimeSkippingServer();
  try {
    return await buildHarness(kind, address, servers.workflowBundlePath, name, opts);
  } catch (e) {
    // A harness that failed to start never closes: give its hold on the file's test server back here.
    await releaseTimeSkippingServer();
    throw e;
  }
}

async function buildHarness(kind: ServerKind, address: string, workflowBundlePath: string, name: string, opts: HarnessOptions): Promise<TestHarness> {
  const taskQueue = `${name}-${randomUUID()}`;
  const ledgerRoot = mkdtempSync(path.join(os.tmpdir(), 'flywheel-ledger-'));
  const ledgerDir = path.join(ledgerRoot, 'ledger');
  const ledger = await openLedger({ root: ledgerRoot, embeddedDir: ledgerDir, role: 'owner', databaseUrl: undefined });
  const loaded = loadConfig(opts.configFile ?? fileURLToPath(new URL('../../config/flywheel.yaml', import.meta.url)));
  if (opts.webhookUrl) loaded.config.connections = { ...loaded.config.connections, crmWebhook: { url: opts.webhookUrl } };
  else delete loaded.config.connections?.crmWebhook;
  opts.adjust?.(loaded);
  const deps = buildActivityDeps(loaded, ledger);
  const target = localTarget(address, 'default', opts.env);
  const worker = await createFlywheelWorker({
    target,
    taskQueue,
    deps,
    workflowBundle: { codePath: opts.workflowBundlePath ?? workflowBundlePath },
  });
  const started = new Set<string>();
  // One long run per file: a Temporal worker cannot be restarted once it has shut down.
  const running = worker.run();
  const connectionOptions = { address, [InternalConnectionOptionsSymbol]: { supportsTestService: kind === 'time-skipping' } };
  const connection = await Connection.connect(connectionOptions as ConnectionOptions);
  const client = new Client({ connection, namespace: 'default', dataConverter: target.dataConverter });
  const timeSkippingClient = kind === 'time-skipping' ? new TimeSkippingWorkflowClient({ connection, namespace: 'default', dataConverter: target.dataConverter }) : undefined;
  const harness: TestHarness = {
    kind,
    taskQueue,
    client,
    timeSkippingClient,
    ledger,
    ledgerDir,
    deps,
    worker,
    async advance(ms: number) {
      if (kind !== 'time-skipping') throw new Error('advance() needs the time-skipping server');
      await connection.testService!.unlockTimeSkippingWithSleep({ duration: msToTs(ms) });
    },
    async now() {
      if (kind !== 'time-skipping') return Date.now();
      const { time } = await connection.testService!.getCurrentTime({});
      return tsToMs(time);
    },
    isoNow: async () => new Date(await harness.now()).toISOString(),
    advanceTo: async (instant: number) => harness.advance(instant - (await harness.now())),
    run: (fn) => Promise.race([fn(), running.then(() => Promise.reject(new Error('worker stopped')))]),
    track: (id) => void started.add(id),
    async close() {
      // The worker drains first: a workflow task still running when its workflow is terminated never completes,
      // and the time-skipping server then keeps its clock locked for the file's other harnesses.
      if (worker.worker.getState() === 'RUNNING') worker.worker.shutdown();
      await running.catch(() => undefined);
      // Open workflows would keep timers and tasks on a queue nobody polls any more (on the dev server, for the
      // rest of the run; on a time-skipping server shared by two harnesses, with its clock stopped).
      await Promise.all(
        [...started].map((id) =>
          client.workflow
            .getHandle(id)
            .terminate('test file finished')
            .catch(() => undefined),
        ),
      );
      await connection.close();
      if (kind === 'time-skipping') await releaseTimeSkippingServer();
      await ledger.close();
      rmSync(ledgerRoot, { recursive: true, force: true });
    },
  };
  return harness;
}
