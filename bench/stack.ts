// The whole Flywheel stack in this process, as `flywheel dev` runs it (in-memory Temporal dev server, embedded
// ledger, one worker, the ingest API), instrumented so the bench can timestamp the moments it measures to.
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Client } from '@temporalio/client';
import { NativeConnection, Worker } from '@temporalio/worker';
import { loadWorkflowBundle } from '../src/worker/bundleCache.ts';
import { definedOnly, workerTuning } from '../src/worker/createWorker.ts';
import { createActivities } from '../activities/index.ts';
import { loadConfig } from '../src/config/load.ts';
import type { LoadedConfig } from '../src/config/types.ts';
import { TemporalEventSink } from '../src/ingest/temporalSink.ts';
import { openLedger } from '../src/ledger/open.ts';
import type { Ledger } from '../src/ledger/types.ts';
import { installQuietRuntime } from '../src/runtime/devStack.ts';
import { buildHealthChecks } from '../src/runtime/healthChecks.ts';
import { buildApp } from '../src/server/app.ts';
import { connectClient, describeTarget, localTarget } from '../src/temporal/connection.ts';
import { startDevServer } from '../src/temporal/devServer.ts';
import { resolveTool } from '../src/tools/temporalBinaries.ts';
import { buildActivityDeps } from '../src/worker/activityDeps.ts';
import { alwaysOpen } from '../test/support/leads.ts';
import { CrmClient } from './crmClient.ts';
import { Marks } from './marks.ts';
import { observeAssignments } from './observeLedger.ts';

export interface BenchStack {
  client: Client;
  apiUrl: string;
  /** Ingest secret of this run only: the bench signs every request, as a CRM must in production. */
  secret: string;
  /** The CRM: a child process that signs and POSTs events, so its HTTP client's CPU is not counted as Flywheel's. */
  crm: CrmClient;
  taskQueue: string;
  /** How many workflows one POST /v1/events signals at once (TemporalEventSink's default, as `flywheel dev` builds it). */
  sinkConcurrency: number;
  /** The worker's sticky cache size (SDK default, from the heap limit): open leads beyond it are evicted. */
  maxCachedWorkflows: number;
  /** The ledger itself (the API and the bench's own reads); the activities get the observed one. */
  ledger: Ledger;
  temporalPid?: number;
  /** When a lead's first `lead.assigned` row committed, and to whom. */
  assigned: Marks;
  owners: Map<string, string | null>;
  /** When each floor workflow's activity ran. */
  pinged: Marks;
  /** When evaluateLead / assignLead started for a lead (the old lead path): splits speed-to-lead into its parts. */
  evaluateStarted: Marks;
  assignStarted: Marks;
  /** When attractLead (evaluate + place + SLA clock, one local activity: the new lead path) started, where the code has it. */
  attractStarted: Marks;
  /** Durations of every activity run, by name, since the caller last cleared it. */
  activityMs: Map<string, number[]>;
  /** Activity runs finished since start (never cleared): the worker has gone quiet when it stops moving. */
  activityRuns(): number;
  /** Drops the marks and owners of leads whose id starts with `prefix` (bench bookkeeping, not lead memory). */
  forget(prefix: string): void;
  startupMs: { total: number; temporal: number; bundle: number; ledger: number; bundleBuilt: boolean };
  stop(): Promise<void>;
}

/** config/flywheel.yaml, adjusted so routing never waits and never runs out of reps. */
export function benchConfig(): LoadedConfig {
  const loaded = loadConfig(fileURLToPath(new URL('../config/flywheel.yaml', import.meta.url)));
  alwaysOpen(loaded);
  // No webhook: notifyCrm still runs as an activity but sends nothing, so no HTTP cost lands in speed-to-lead.
  delete loaded.config.connections?.crmWebhook;
  // Thousands of bench leads stay open; with the shipped capacities the mid-market queue fills after 150 and the
  // rest would go to overflow and end unassigned. Capacity 0 (not a seller) stays.
  for (const r of loaded.config.reps) if (r.capacity) delete r.capacity;
  return loaded;
}

const timed = <T>(started: Promise<T>, into: { ms: number }) => {
  const t0 = performance.now();
  return started.finally(() => (into.ms = performance.now() - t0));
};

export async function startBenchStack(): Promise<BenchStack> {
  const t0 = performance.now();
  installQuietRuntime();
  const tmp = mkdtempSync(path.join(os.tmpdir(), 'flywheel-bench-'));
  const stops: (() => Promise<void>)[] = [async () => rmSync(tmp, { recursive: true, force: true })];
  const stopAll = async () => {
    for (const s of stops.splice(0).reverse()) await s().catch((e: Error) => process.stderr.write(`bench shutdown: ${e.message}\n`));
  };
  try {
    const ms = { temporal: { ms: 0 }, ledger: { ms: 0 } };
    // Independent slow steps run at once, as in `flywheel dev`.
    const [ledgerR, serverR, bundleR] = await Promise.allSettled([
      timed(openLedger({ root: tmp, embeddedDir: path.join(tmp, 'ledger'), role: 'owner', databaseUrl: undefined, serve: false, initInChild: true }), ms.ledger),
      timed(startDevServer({ binary: resolveTool('cli'), port: 0, headless: true, logFile: path.join(tmp, 'temporal.log') }), ms.temporal),
      // Read from the cache, or built in a child process on a miss: its `ms` is what the start paid either way.
      loadWorkflowBundle({ entry: fileURLToPath(new URL('./floorWorkflows.ts', import.meta.url)) }),
    ]);
    if (ledgerR.status === 'fulfilled') stops.push(() => ledgerR.value.close());
    if (serverR.status === 'fulfilled') stops.push(() => serverR.value.stop());
    for (const r of [ledgerR, serverR, bundleR]) if (r.status === 'rejected') throw r.reason;
    const ledger = (ledgerR as PromiseFulfilledResult<Awaited<ReturnType<typeof openLedger>>>).value;
    const server = (serverR as PromiseFulfilledResult<Awaited<ReturnType<typeof startDevServer>>>).value;
    const bundle = (bundleR as PromiseFulfilledResult<Awaited<ReturnType<typeof loadWorkflowBundle>>>).value;

    const marks = { assigned: new Marks(), pinged: new Marks(), evaluateStarted: new Marks(), assignStarted: new Marks(), attractStarted: new Marks() };
    const owners = new Map<string, string | null>();
    const observed = observeAssignments(ledger, (leadId, owner, at) => {
      if (!owners.has(leadId)) owners.set(leadId, owner);
      marks.assigned.mark(leadId, at);
    });
    const acts = createActivities(buildActivityDeps(benchConfig(), observed));
    const activityMs = new Map<string, number[]>();
    const runs = { n: 0 };
    // Marked on whichever lead path this code has: evaluateLead then assignLead (old), or attractLead (new).
    const starts = { evaluateLead: marks.evaluateStarted, assignLead: marks.assignStarted, attractLead: marks.attractStarted };
    const activities = timeEach(activityMs, runs, {
      ...markStarts(acts, starts),
      benchPing: async (workflowId: string) => marks.pinged.mark(workflowId),
    });

    // createFlywheelWorker takes no extra activities, so the worker is built here the same way (same tuning), plus benchPing.
    const taskQueue = 'flywheel-bench';
    const target = localTarget(server.address);
    const connection = await NativeConnection.connect({ address: server.address });
    stops.push(() => connection.close());
    const worker = await Worker.create({
      connection,
      namespace: target.namespace,
      taskQueue,
      workflowBundle: { codePath: bundle.codePath },
      activities,
      dataConverter: target.dataConverter,
      ...definedOnly(workerTuning()),
    });
    const running = worker.run();
    stops.push(async () => {
      if (worker.getState() === 'RUNNING') worker.shutdown();
      await running;
    });

    const client = await connectClient(target);
    stops.push(() => client.connection.close());
    const secret = randomBytes(32).toString('hex');
    const sinkConcurrency = 16;
    const app = buildApp({
      checks: buildHealthChecks(client, ledger, describeTarget(target)),
      ingest: { sink: new TemporalEventSink(client, taskQueue, { concurrency: sinkConcurrency }), ledger, secret, toleranceSeconds: 300 },
      reads: { client },
    });
    await app.listen({ host: '127.0.0.1', port: 0 });
    stops.push(() => app.close());
    const { port } = app.server.address() as { port: number };
    const apiUrl = `http://127.0.0.1:${port}`;
    const crm = await CrmClient.start(apiUrl, secret);
    stops.push(() => crm.stop());

    return {
      client,
      apiUrl,
      secret,
      crm,
      taskQueue,
      sinkConcurrency,
      maxCachedWorkflows: worker.options.maxCachedWorkflows,
      ledger,
      temporalPid: server.pid,
      ...marks,
      owners,
      activityMs,
      activityRuns: () => runs.n,
      forget(prefix) {
        for (const m of [marks.assigned, marks.evaluateStarted, marks.assignStarted, marks.attractStarted, marks.pinged]) m.forget(prefix);
        for (const id of owners.keys()) if (id.startsWith(prefix)) owners.delete(id);
      },
      startupMs: { total: performance.now() - t0, temporal: ms.temporal.ms, bundle: bundle.ms, ledger: ms.ledger.ms, bundleBuilt: bundle.built },
      stop: stopAll,
    };
  } catch (e) {
    await stopAll();
    throw e;
  }
}

type AnyActivity = (...args: never[]) => Promise<unknown>;

/**
 * Marks when each named activity started for its lead (the request's `leadId`), for the names the activities object
 * has: attractLead exists only once the lead path is one local activity, evaluateLead and assignLead only before.
 */
function markStarts<T extends Record<string, AnyActivity>>(acts: T, on: Record<string, Marks>): T {
  const out: Record<string, AnyActivity> = { ...acts };
  for (const [name, marks] of Object.entries(on)) {
    const fn = acts[name];
    if (!fn) continue;
    out[name] = (...args: never[]) => {
      const leadId = (args[0] as { leadId?: unknown } | undefined)?.leadId;
      if (typeof leadId === 'string') marks.mark(leadId);
      return fn(...args);
    };
  }
  return out as T;
}

/** Wraps each activity to note how long it ran: the other half of where a lead's time goes (the rest is queueing). */
function timeEach<T extends Record<string, AnyActivity>>(into: Map<string, number[]>, runs: { n: number }, acts: T): T {
  const wrapped: Record<string, AnyActivity> = {};
  for (const [name, fn] of Object.entries(acts)) {
    wrapped[name] = async (...args: never[]) => {
      const t0 = performance.now();
      try {
        return await fn(...args);
      } finally {
        const list = into.get(name) ?? [];
        if (list.length === 0) into.set(name, list);
        list.push(performance.now() - t0);
        runs.n++;
      }
    };
  }
  return wrapped as T;
}
