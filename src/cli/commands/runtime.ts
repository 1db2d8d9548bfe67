import type { Command } from 'commander';
import { loadConfig } from '../../config/load.ts';
import { CliError } from '../errors.ts';

// Heavy modules (Temporal worker, fastify, PGlite) load inside each action, so that light commands
// such as `flywheel config validate` start fast.
const load = async () => ({
  ...(await import('../../ingest/secrets.ts')),
  ...(await import('../../ingest/temporalSink.ts')),
  ...(await import('../../connectors/hubspot/inbound.ts')),
  ...(await import('../../connectors/salesforce/inbound.ts')),
  ...(await import('../../ledger/open.ts')),
  ...(await import('../../runtime/devStack.ts')),
  ...(await import('../../runtime/healthChecks.ts')),
  ...(await import('../../runtime/paths.ts')),
  ...(await import('../../runtime/rulesAtStart.ts')),
  ...(await import('../../rules/cache.ts')),
  ...(await import('../../runtime/shutdown.ts')),
  ...(await import('../../server/app.ts')),
  ...(await import('../../server/routes/codec.ts')),
  ...(await import('../../server/operatorToken.ts')),
  ...(await import('../../server/routes/operations.ts')),
  ...(await import('../../temporal/connection.ts')),
  ...(await import('../../worker/createWorker.ts')),
  ...(await import('../../worker/activityDeps.ts')),
  ...(await import('../../../workflows/definitions.ts')),
  ...(await import('../../observability/process.ts')),
  ...(await import('../../observability/metrics/observeDeps.ts')),
  ...(await import('../../observability/metrics/http.ts')),
  ...(await import('../../observability/tracing/provider.ts')),
});

const secs = (ms: number) => `${(ms / 1000).toFixed(1)} s`;

export function registerRuntimeCommands(program: Command): void {
  program
    .command('dev')
    .description('Run everything locally: Temporal dev server + Web UI, worker, ingest API, embedded ledger (Ctrl-C stops all)')
    .option('--json', 'print the URLs as one JSON line once ready')
    .action(async (opts: { json?: boolean }) => {
      const loaded = loadConfig();
      const { startDevStack, dataPaths, onShutdownSignal } = await load();
      const stack = await startDevStack(loaded);
      const p = dataPaths(loaded);
      if (opts.json) {
        process.stdout.write(
          `${JSON.stringify({ ready: true, ...stack.urls, logFile: stack.logFile, namespace: stack.namespace, taskQueue: stack.taskQueue, ledger: stack.ledger.description, temporalPid: stack.temporalPid, timings: stack.timings })}\n`,
        );
      } else {
        process.stdout.write(
          [
            `Flywheel dev stack is up in ${secs(stack.timings.totalMs)} (Temporal dev server ${secs(stack.timings.temporalMs)})`,
            `  Temporal Web UI   ${stack.urls.ui ?? '(headless)'}`,
            `  Temporal gRPC     ${stack.urls.temporal}  namespace=${stack.namespace}  task queue=${stack.taskQueue}`,
            `  Ingest API        ${stack.urls.api}`,
            ...(stack.urls.codec ? [`  Codec endpoint    ${stack.urls.codec}  (the Web UI shows decoded payloads)`] : []),
            `  Health            ${stack.urls.health}`,
            `  Metrics           ${stack.urls.metrics}`,
            `  JSON logs         ${stack.logFile}`,
            `  Operations page   ${stack.urls.api}/operations`,
            `  Ledger            ${stack.ledger.description}`,
            `  Data and logs     ${p.base}`,
            `Try: temporal workflow list --address ${stack.urls.temporal}`,
            'Press Ctrl-C to stop.',
            '',
          ].join('\n'),
        );
      }
      await onShutdownSignal(async () => {
        process.stderr.write('\nstopping Flywheel dev stack...\n');
        await stack.stop();
        process.stderr.write('stopped.\n');
      });
    });

  program
    .command('worker')
    .description('Run a worker against the Temporal cluster in the environment (TEMPORAL_ADDRESS, TEMPORAL_NAMESPACE, TLS, API key)')
    .option('--task-queue <name>', 'task queue to poll (default: temporal.taskQueue in config)')
    .action(async (opts: { taskQueue?: string }) => {
      const loaded = loadConfig();
      const {
        buildActivityDeps,
        installQuietRuntime,
        targetFromEnvironment,
        openLedger,
        dataPaths,
        DEFAULT_TASK_QUEUE,
        createFlywheelWorker,
        describeTarget,
        onShutdownSignal,
        loadRulesAtStart,
        checkShadowAtStart,
        processObservability,
        collectClusterFigures,
        observeActivityDeps,
        serveWorkerMetrics,
        startTracing,
      } = await load();
      // Before connecting or opening anything: invalid rules exit 2 with every diagnostic.
      const rules = loadRulesAtStart(loaded);
      const obs = await processObservability({ process: 'worker' });
      installQuietRuntime(obs.runtime);
      // OpenTelemetry traces when OTEL_* asks for them (docs/tracing.md); flushed when the worker stops.
      const tracing = startTracing('flywheel-worker');
      const target = targetFromEnvironment();
      const ledger = await openLedger({ root: loaded.root, embeddedDir: dataPaths(loaded).ledgerDir, role: 'auto', initInChild: true });
      const taskQueue = opts.taskQueue ?? loaded.config.temporal?.taskQueue ?? DEFAULT_TASK_QUEUE;
      const deps = observeActivityDeps(buildActivityDeps(loaded, ledger, rules, { production: true }), obs.metrics, (err) => obs.logger.warn({ err }, 'speed-to-lead not measured'));
      checkShadowAtStart(deps.shadow);
      collectClusterFigures(obs.metrics, { rules });
      const w = await createFlywheelWorker({ target, taskQueue, deps });
      const metricsServer = await serveWorkerMetrics(obs.metrics);
      obs.logger.info({ taskQueue, target: describeTarget(target), ledger: ledger.description, metrics: metricsServer?.url ?? null }, 'worker polling');
      const done = w.run();
      void onShutdownSignal(async () => {
        if (w.worker.getState() === 'RUNNING') w.worker.shutdown();
      });
      try {
        await done;
      } finally {
        await metricsServer?.close();
        await ledger.close();
        await tracing?.shutdown();
      }
    });

  program
    .command('serve')
    .description('Run the ingest API against the Temporal cluster in the environment and the configured ledger')
    .option('--host <host>', 'address to bind (default: server.host in config)')
    .option('--port <port>', 'port to bind (default: server.port in config)', (v) => Number.parseInt(v, 10))
    .option('--insecure-no-signature', 'accept unsigned events when the ingest secret is not set (never in production)')
    .action(async (opts: { host?: string; port?: number; insecureNoSignature?: boolean }) => {
      const loaded = loadConfig();
      const {
        targetFromEnvironment,
        connectClient,
        openLedger,
        dataPaths,
        buildApp,
        buildHealthChecks,
        describeTarget,
        onShutdownSignal,
        ingestAuth,
        TemporalEventSink,
        DEFAULT_TASK_QUEUE,
        RulesCache,
        rulesDirOf,
        hubspotInbound,
        hubspotInboundWarnings,
        salesforceInbound,
        salesforceInboundWarnings,
        codecEndpointFromEnvironment,
        payloadCodecOf,
        processObservability,
        collectClusterFigures,
        startTracing,
        operatorTokenOptionsFromEnvironment,
        operationsFromEnvironment,
        OPS_TOKEN_ENV,
      } = await load();
      // Checked before connecting anywhere: an unauthenticated production ingest is refused, not warned about.
      const auth = ingestAuth(loaded.config);
      if (!auth.secret && !opts.insecureNoSignature) {
        throw new CliError(`${auth.env} is not set: refusing to accept unsigned events. Set it to the secret your CRM signs with, or pass --insecure-no-signature.`, 2);
      }
      if (!auth.secret) process.stderr.write(`warning: ${auth.env} is not set and --insecure-no-signature was given: anyone who can reach this API can send events\n`);
      // So are incomplete SSO settings for the codec endpoint (they would let any account of the provider decode).
      try {
        operatorTokenOptionsFromEnvironment();
      } catch (e) {
        throw new CliError((e as Error).message, 2);
      }
      // Before the client: its interceptor carries each request's trace into the workflows (docs/tracing.md).
      const tracing = startTracing('flywheel-api');
      const target = targetFromEnvironment();
      const client = await connectClient(target);
      const ledger = await openLedger({ root: loaded.root, embeddedDir: dataPaths(loaded).ledgerDir, role: 'auto', initInChild: true });
      const taskQueue = loaded.config.temporal?.taskQueue ?? DEFAULT_TASK_QUEUE;
      const obs = await processObservability({ process: 'api' });
      const rules = new RulesCache(rulesDirOf(loaded), { config: loaded.config });
      collectClusterFigures(obs.metrics, { client, rules });
      const sink = new TemporalEventSink(client, taskQueue);
      // HubSpot webhooks (connections.hubspot): their own signature, the app's client secret from the environment.
      const hubspot = hubspotInbound(loaded.config, { sink, ledger });
      for (const w of hubspotInboundWarnings(hubspot)) process.stderr.write(`warning: ${w}\n`);
      // Salesforce Outbound Messages (connections.salesforce): the org id and, when set, the endpoint URL's token.
      const salesforce = salesforceInbound(loaded.config, { sink, ledger });
      for (const w of salesforceInboundWarnings(salesforce)) process.stderr.write(`warning: ${w}\n`);
      const ops = operationsFromEnvironment();
      if (!ops.token) process.stderr.write(`warning: ${OPS_TOKEN_ENV} is not set: the operations page (/operations) is off\n`);
      const app = buildApp({
        // The API decides nothing; its own cache over the workers' folder reports whether their rules were refused.
        checks: buildHealthChecks(client, ledger, describeTarget(target), rules),
        bodyLimitBytes: loaded.config.server?.bodyLimitBytes,
        log: obs.logger,
        metrics: obs.metrics,
        ingest: { sink, ledger, secret: auth.secret, toleranceSeconds: auth.toleranceSeconds },
        reads: { client },
        decisions: { ledger, rules: new RulesCache(rulesDirOf(loaded), { config: loaded.config }) },
        hubspot,
        salesforce,
        codec: codecEndpointFromEnvironment(payloadCodecOf(target)),
        // Only behind its token in production: the page shows every open lead's owner and deadline.
        operations: ops.token ? { ledger, client, rules, config: loaded.config, ...ops } : undefined,
      });
      const host = opts.host ?? loaded.config.server?.host ?? '127.0.0.1';
      await app.listen({ host, port: opts.port ?? loaded.config.server?.port ?? 8787 });
      await onShutdownSignal(async () => {
        await app.close();
        await client.connection.close();
        await ledger.close();
        await tracing?.shutdown();
      });
    });
}
