// Temporal's own OpenTelemetry interceptors, wired to the process's tracing: a client span per call that carries the
// caller's context in the workflow's headers, workflow spans made inside the sandbox and handed out through a sink,
// and an activity span per attempt under the workflow's span. Everything here is empty when tracing is off.
import { createRequire } from 'node:module';
import type * as TemporalOtel from '@temporalio/interceptors-opentelemetry';
import type { ClientInterceptors } from '@temporalio/client';
import type { WorkerOptions } from '@temporalio/worker';
import { activeTracing } from './provider.ts';

const require = createRequire(import.meta.url);
// Loaded only when tracing is on (see provider.ts): it brings the OpenTelemetry SDK with it.
const interceptors = () => require('@temporalio/interceptors-opentelemetry') as typeof TemporalOtel;

/**
 * The workflow interceptor modules for the bundle: only when tracing is on, so a bundle built with tracing off holds
 * no tracing code at all (its cache key differs by them, see bundleCache.ts).
 */
export function tracingWorkflowModules(): string[] {
  return activeTracing() ? [TRACING_WORKFLOW_MODULE] : [];
}

/** Temporal's workflow interceptors for OpenTelemetry (the module its OpenTelemetryPlugin bundles). */
export const TRACING_WORKFLOW_MODULE = require.resolve('@temporalio/interceptors-opentelemetry/lib/workflow-interceptors');

export function tracingClientInterceptors(): ClientInterceptors | undefined {
  return activeTracing() ? { workflow: [new (interceptors().OpenTelemetryWorkflowClientInterceptor)()] } : undefined;
}

/** The worker's activity interceptors and the sink the workflow sandbox's spans leave through. */
export function tracingWorkerOptions(): Pick<WorkerOptions, 'interceptors' | 'sinks'> {
  const tracing = activeTracing();
  if (!tracing) return {};
  const { makeWorkflowExporter, OpenTelemetryActivityInboundInterceptor, OpenTelemetryActivityOutboundInterceptor } = interceptors();
  return {
    interceptors: {
      activity: [(ctx) => ({ inbound: new OpenTelemetryActivityInboundInterceptor(ctx), outbound: new OpenTelemetryActivityOutboundInterceptor(ctx) })],
    },
    sinks: { exporter: makeWorkflowExporter(tracing.spanProcessor, tracing.resource) },
  };
}
