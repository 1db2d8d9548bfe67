import { describe, expect, it } from 'vitest';
import { tracingSettings } from '../../../src/observability/tracing/settings.ts';

describe('tracing settings from the OpenTelemetry environment', () => {
  it('are off unless an exporter or endpoint asks for traces', () => {
    expect(tracingSettings('flywheel-api', {})).toBeUndefined();
    expect(tracingSettings('flywheel-api', { OTEL_SERVICE_NAME: 'x', OTEL_TRACES_SAMPLER: 'always_on' })).toBeUndefined();
    expect(tracingSettings('flywheel-api', { OTEL_TRACES_EXPORTER: 'none', OTEL_EXPORTER_OTLP_ENDPOINT: 'http://collector:4318' })).toBeUndefined();
    expect(tracingSettings('flywheel-api', { OTEL_SDK_DISABLED: 'true', OTEL_TRACES_EXPORTER: 'otlp' })).toBeUndefined();
  });

  it('turn on with OTEL_TRACES_EXPORTER=otlp, sending to the default local collector', () => {
    expect(tracingSettings('flywheel-worker', { OTEL_TRACES_EXPORTER: 'otlp' })).toEqual({ serviceName: 'flywheel-worker', url: 'http://localhost:4318/v1/traces', warnings: [] });
  });

  it('turn on with an endpoint: the general one gets /v1/traces, the traces one is used as is', () => {
    expect(tracingSettings('flywheel-api', { OTEL_EXPORTER_OTLP_ENDPOINT: 'https://otel.example:4318/' })?.url).toBe('https://otel.example:4318/v1/traces');
    expect(tracingSettings('flywheel-api', { OTEL_EXPORTER_OTLP_ENDPOINT: 'https://a.example', OTEL_EXPORTER_OTLP_TRACES_ENDPOINT: 'https://b.example/otlp/traces' })?.url).toBe(
      'https://b.example/otlp/traces',
    );
  });

  it('take OTEL_SERVICE_NAME over the default name, and name what they ignore', () => {
    const s = tracingSettings('flywheel-api', { OTEL_TRACES_EXPORTER: 'otlp,zipkin', OTEL_SERVICE_NAME: 'ingest-eu', OTEL_EXPORTER_OTLP_PROTOCOL: 'grpc' });
    expect(s?.serviceName).toBe('ingest-eu');
    expect(s?.warnings).toEqual(['OTEL_TRACES_EXPORTER: only otlp is supported, ignoring zipkin', 'OTEL_EXPORTER_OTLP_PROTOCOL: only http/json is supported, ignoring grpc']);
  });
});
