import { createRequire } from 'node:module';
import { context, propagation, trace } from '@opentelemetry/api';
import type * as OtlpHttp from '@opentelemetry/exporter-trace-otlp-http';
import type * as Resources from '@opentelemetry/resources';
import type { Resource } from '@opentelemetry/resources';
import type * as TraceBase from '@opentelemetry/sdk-trace-base';
import type { SpanProcessor } from '@opentelemetry/sdk-trace-base';
import type * as TraceNode from '@opentelemetry/sdk-trace-node';
import { ATTR_SERVICE_NAME } from '@opentelemetry/semantic-conventions';
import { tracingSettings } from './settings.ts';

// The SDK and its exporter load only once tracing is on (their CommonJS builds, through Node's require): with
// tracing off, as by default, a process neither loads nor keeps them (about 9 MiB of RSS, measured).
const require = createRequire(import.meta.url);

/** The process's tracing while it is on: one provider, registered globally, shared by the API, client and worker. */
export interface Tracing {
  serviceName: string;
  url: string;
  /** The provider's processor, which the worker also hands the workflow sandbox's spans to. */
  spanProcessor: SpanProcessor;
  resource: Resource;
  /** Exports what is buffered now (tests, and before a process exits). */
  flush(): Promise<void>;
  /** Flushes, then unregisters the provider: the process is back to no tracing at all. */
  shutdown(): Promise<void>;
}

let active: Tracing | undefined;

/** The tracing started in this process, if any: what the client, worker, bundle and HTTP server look at. */
export function activeTracing(): Tracing | undefined {
  return active;
}

/**
 * Starts tracing when the environment asks for it (see settings.ts) and returns undefined otherwise, registering
 * nothing: with tracing off no provider, propagator or hook exists and the OpenTelemetry API stays a no-op.
 * A second call returns the running tracing (`flywheel dev` in a test process that already started it).
 */
export function startTracing(defaultServiceName: string, env: NodeJS.ProcessEnv = process.env, report = (msg: string) => void process.stderr.write(`${msg}\n`)): Tracing | undefined {
  if (active) return active;
  const settings = tracingSettings(defaultServiceName, env);
  if (!settings) return undefined;
  for (const w of settings.warnings) report(`warning: tracing: ${w}`);
  const { detectResourcesSync, envDetectorSync, Resource } = require('@opentelemetry/resources') as typeof Resources;
  const { BatchSpanProcessor } = require('@opentelemetry/sdk-trace-base') as typeof TraceBase;
  const { NodeTracerProvider } = require('@opentelemetry/sdk-trace-node') as typeof TraceNode;
  const { OTLPTraceExporter } = require('@opentelemetry/exporter-trace-otlp-http') as typeof OtlpHttp;
  // OTEL_RESOURCE_ATTRIBUTES, then OTEL_SERVICE_NAME (or Flywheel's default name for the process) over it.
  const resource = Resource.default()
    .merge(detectResourcesSync({ detectors: [envDetectorSync] }))
    .merge(new Resource({ [ATTR_SERVICE_NAME]: settings.serviceName }));
  // Batched: a span costs an array push on the hot path; OTEL_BSP_* tune the batches, OTEL_EXPORTER_OTLP_HEADERS
  // (credentials, read by the exporter itself) and OTEL_TRACES_SAMPLER apply as the specification says.
  const spanProcessor = new BatchSpanProcessor(new OTLPTraceExporter({ url: settings.url }));
  const provider = new NodeTracerProvider({ resource, spanProcessors: [spanProcessor], mergeResourceWithDefaults: false });
  // Also installs the AsyncLocalStorage context manager and the W3C trace-context and baggage propagators.
  provider.register();
  const tracing: Tracing = {
    serviceName: settings.serviceName,
    url: settings.url,
    spanProcessor,
    resource,
    flush: () => provider.forceFlush(),
    async shutdown() {
      if (active !== tracing) return;
      active = undefined;
      await provider.shutdown();
      trace.disable();
      propagation.disable();
      context.disable();
    },
  };
  active = tracing;
  return tracing;
}
