import path from 'node:path';
import { DefaultLogger, makeTelemetryFilterString, Runtime, type Logger as SdkLogger } from '@temporalio/worker';
import type { LoadedConfig } from '../config/types.ts';
import { ingestAuth, webhookSecret } from '../ingest/secrets.ts';
import { TemporalEventSink } from '../ingest/temporalSink.ts';
import { openLedger } from '../ledger/open.ts';
import type { Ledger } from '../ledger/types.ts';
import { buildApp } from '../server/app.ts';
import { salesforceInbound, salesforceInboundWarnings } from '../connectors/salesforce/inbound.ts';
import { hubspotInbound, hubspotInboundWarnings } from '../connectors/hubspot/inbound.ts';
import { connectClient, describeTarget, localTarget, payloadCodecOf } from '../temporal/connection.ts';
import { startDevServer, type RunningDevServer } from '../temporal/devServer.ts';
import { resolveTool } from '../tools/temporalBinaries.ts';
import { createFlywheelWorker } from '../worker/createWorker.ts';
import { loadWorkflowBundle } from '../worker/bundleCache.ts';
import { buildActivityDeps } from '../worker/activityDeps.ts';
import { DEFAULT_TASK_QUEUE } from '../../workflows/definitions.ts';
import { buildHealthChecks } from './healthChecks.ts';
import { dataPaths } from './paths.ts';
import { checkShadowAtStart, loadRulesAtStart } from './rulesAtStart.ts';
import { existsSync } from 'node:fs';
import type { Client } from '@temporalio/client';
import { noteSdkMetricsAddress } from '../observability/metrics/sdkMetrics.ts';
import { observeActivityDeps } from '../observability/metrics/observeDeps.ts';
import { collectClusterFigures, processObservability } from '../observability/process.ts';
import { startTracing } from '../observability/tracing/provider.ts';
import { tracingWorkflowModules } from '../observability/tracing/temporal.ts';
import { payloadCodecFromEnvironment } from '../temporal/payloadCodec.ts';
import { freePort } from '../temporal/ports.ts';
import { devCodecEndpoint, devCodecUrl, devUiOrigins } from './devCodec.ts';
import { operationsFromEnvironment } from '../server/routes/operations.ts';

export interface DevStack {
  urls: { temporal: string; ui?: string; api: string; health: string; metrics: string; codec?: string };
  /** The JSON log of the worker and the API (src/observability/logs.ts). */
  logFile: string;
  namespace: string;
  taskQueue: string;
  ledger: Ledger;
  temporalPid?: number;
  timings: { temporalMs: number; totalMs: number };
  stop(): Promise<void>;
}

let runtimeInstalled = false;

/**
 * Keeps the SDK's own logging to warnings so the operator's terminal shows Flywheel's output. `logger`: where SDK,
 * workflow and activity logs go instead (JSON, src/observability/logs.ts); `metricsAddress`: where the SDK serves
 * its worker metrics, which /metrics appends (src/observability/metrics/sdkMetrics.ts).
 */
export function installQuietRuntime(opts: { logger?: SdkLogger; metricsAddress?: string } = {}): void {
  if (runtimeInstalled) return;
  runtimeInstalled = true;
  try {
    // shutdownSignals: [] leaves SIGINT/SIGTERM to Flywheel, which stops the parts in order. The native core's own
    // logs (e.g. a slow workflow task) are forwarded to this logger, which writes to stderr: printed directly they
    // go to stdout, into the one JSON document `--json` promises there.
    Runtime.install({
      logger: opts.logger ?? new DefaultLogger('WARN'),
      shutdownSignals: [],
      telemetryOptions: {
        logging: { filter: makeTelemetryFilterString({ core: 'WARN' }), forward: {} },
        ...(opts.metricsAddress ? { metrics: { prometheus: { bindAddress: opts.metricsAddress } } } : {}),
      },
    });
    if (opts.metricsAddress) noteSdkMetricsAddress(opts.metricsAddress);
  } catch (e) {
    // Another copy of this module (e.g. a second test project in the same process) installed it already.
    if ((e as Error).name !== 'IllegalStateError') throw e;
  }
}

/**
 * One process for local work: Temporal dev server (child process), worker, ingest API and the embedded ledger.
 * Everything started is stopped in reverse order, also when a later step fails to start.
 */
export async function startDevStack(loaded: LoadedConfig): Promise<DevStack> {
  const t0 = performance.now();
  // Before anything starts: invalid rules stop here with every diagnostic (the CLI exits 2).
  const rules = loadRulesAtStart(loaded);
  const cfg = loaded.config;
  const paths = dataPaths(loaded);
  // JSON logs go to a file: the terminal is the operator's. /metrics on the API shows the whole process.
  const obs = await processObservability({ process: 'dev', logFile: devLogFile(paths) });
  installQuietRuntime(obs.runtime);
  const stops: (() => Promise<void>)[] = [];
  const stopAll = async () => {
    for (const s of stops.reverse()) await s().catch((e: Error) => process.stderr.write(`shutdown: ${e.message}\n`));
  };
  // Stopped last: the lines of the shutdown itself reach the file.
  stops.push(() => new Promise<void>((resolve) => obs.logger.flush(() => resolve())));
  // Payload encryption on: the dev UI decodes through the dev API's codec endpoint, whose port it must know up front.
  const codec = payloadCodecFromEnvironment();
  const host = cfg.server?.host ?? '127.0.0.1';
  const apiPort = cfg.server?.port === 0 ? await freePort(host) : (cfg.server?.port ?? 8787);
  try {
    // Before any client, worker or server exists; off unless OTEL_* asks for it. Stopped last: it flushes every span.
    const tracing = startTracing('flywheel-dev');
    if (tracing) stops.push(() => tracing.shutdown());
    // The three slow steps are independent: open the ledger, start Temporal and load the workflow bundle (built in a
    // child process when the sources changed since the cached one) at once.
    const [ledgerR, serverR, bundleR] = await Promise.allSettled([
      openLedger({ root: loaded.root, embeddedDir: paths.ledgerDir, role: 'owner', initInChild: true }),
      startDevServer({
        binary: resolveTool('cli'),
        dbFile: paths.temporalDb,
        ip: cfg.temporal?.devServer?.ip ?? '127.0.0.1',
        port: cfg.temporal?.devServer?.port ?? 7233,
        uiPort: cfg.temporal?.devServer?.uiPort,
        logFile: path.join(paths.logs, 'temporal.log'),
        uiCodecEndpoint: codec ? devCodecUrl(host, apiPort) : undefined,
      }),
      loadWorkflowBundle({ workflowInterceptorModules: tracingWorkflowModules() }),
    ]);
    if (ledgerR.status === 'fulfilled') stops.push(() => ledgerR.value.close());
    if (serverR.status === 'fulfilled') stops.push(() => serverR.value.stop());
    for (const r of [ledgerR, serverR, bundleR]) if (r.status === 'rejected') throw r.reason;
    const ledger = (ledgerR as PromiseFulfilledResult<Awaited<ReturnType<typeof openLedger>>>).value;
    const server = (serverR as PromiseFulfilledResult<RunningDevServer>).value;
    const bundle = (bundleR as PromiseFulfilledResult<Awaited<ReturnType<typeof loadWorkflowBundle>>>).value;

    const target = localTarget(server.address);
    const taskQueue = cfg.temporal?.taskQueue ?? DEFAULT_TASK_QUEUE;
    const deps = observeActivityDeps(buildActivityDeps(loaded, ledger, rules), obs.metrics, (err) => obs.logger.warn({ err }, 'speed-to-lead not measured'));
    checkShadowAtStart(deps.shadow);
    const worker = await createFlywheelWorker({ target, taskQueue, deps, workflowBundle: { codePath: bundle.codePath } });
    const workerDone = worker.run();
    const stopWorker = async () => {
      if (worker.worker.getState() === 'RUNNING') worker.worker.shutdown();
      await workerDone;
    };
    stops.push(stopWorker);

    const client = await connectClient(target);
    stops.push(() => client.connection.close());
    collectClusterFigures(obs.metrics, { client, rules });

    const auth = ingestAuth(cfg);
    // Local work may skip signing; say so once, by variable name only (never the value).
    if (!auth.secret) process.stderr.write(`warning: ${auth.env} is not set: the ingest API accepts unsigned events (local work only)\n`);
    const sink = new TemporalEventSink(client, taskQueue);
    const hubspot = hubspotInbound(cfg, { sink, ledger });
    for (const w of hubspotInboundWarnings(hubspot)) process.stderr.write(`warning: ${w}\n`);
    const salesforce = salesforceInbound(cfg, { sink, ledger });
    for (const w of salesforceInboundWarnings(salesforce)) process.stderr.write(`warning: ${w}\n`);
    const app = buildApp({
      checks: buildHealthChecks(client, ledger, describeTarget(target), rules),
      bodyLimitBytes: cfg.server?.bodyLimitBytes,
      ingest: { sink, ledger, secret: auth.secret, toleranceSeconds: auth.toleranceSeconds },
      reads: { client },
      decisions: { ledger, rules },
      hubspot,
      devSink: { secret: webhookSecret(cfg).secret, toleranceSeconds: auth.toleranceSeconds },
      salesforce,
      codec: devCodecEndpoint(payloadCodecOf(target), devUiOrigins(server.uiUrl)),
      log: obs.logger.child({ component: 'api' }),
      metrics: obs.metrics,
      operations: { ledger, client, rules, config: cfg, ...operationsFromEnvironment(), ...(server.uiUrl ? { temporalUiUrl: server.uiUrl } : {}) },
    });
    await app.listen({ host, port: apiPort });
    stops.push(() => app.close());
    // Stop the worker before the API: activities finishing during the drain still reach the stand-in CRM.
    stops.push(stopWorker);
    // Change Data Capture when enabled: the subscriber of `flywheel connect salesforce-cdc`, in this process; it
    // stops first (its batch in hand is delivered and its replay id stored while the worker and Temporal still run).
    if (cfg.connections?.salesforce?.changeDataCapture?.enabled) {
      const { salesforceCdc } = await import('../connectors/salesforce/cdc/connect.ts');
      const cdc = salesforceCdc({ config: cfg, ledger, sink: new TemporalEventSink(client, taskQueue) });
      if (cdc) {
        cdc.subscriber.start();
        stops.push(() => cdc.stop());
      }
    }
    await ensureSchedule(loaded, client, taskQueue);
    await (await import('../slaReport/schedule.ts')).ensureSlaReportScheduleAtStart(loaded, client, taskQueue);
    const { port } = app.server.address() as { port: number };
    const api = `http://${host}:${port}`;

    return {
      urls: { temporal: server.address, ui: server.uiUrl, api, health: `${api}/healthz`, metrics: `${api}/metrics`, codec: codec ? `${api}/v1/codec` : undefined },
      logFile: devLogFile(paths),
      namespace: target.namespace,
      taskQueue,
      ledger,
      temporalPid: server.pid,
      timings: { temporalMs: server.startMs, totalMs: performance.now() - t0 },
      stop: stopAll,
    };
  } catch (e) {
    await stopAll();
    throw e;
  }
}

const devLogFile = (paths: ReturnType<typeof dataPaths>) => path.join(paths.logs, 'flywheel.log');

/**
 * The planning cycle's Schedule from the organisation's growth plan (config/plan.yaml beside the config), created or
 * updated at every start. A missing or invalid plan only warns: the rest of the stack does not depend on it.
 */
async function ensureSchedule(loaded: LoadedConfig, client: Client, taskQueue: string): Promise<void> {
  const file = path.join(path.dirname(loaded.file), 'plan.yaml');
  if (!existsSync(file)) return;
  try {
    const { loadPlan } = await import('../plan/load.ts');
    const { ensurePlanningSchedule } = await import('../planning/schedule.ts');
    await ensurePlanningSchedule(client, loadPlan(file, { config: loaded.config }).plan, taskQueue, { input: { planFile: file } });
  } catch (e) {
    process.stderr.write(`warning: the planning Schedule was not set up from ${path.relative(process.cwd(), file)}: ${(e as Error).message}\n`);
  }
}
