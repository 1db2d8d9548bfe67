/** What the standard OpenTelemetry environment asks of Flywheel's traces: nothing (the default) or OTLP over HTTP. */
export interface TracingSettings {
  serviceName: string;
  /** The collector's traces URL (OTLP over HTTP, JSON body). */
  url: string;
  /** Settings Flywheel does not support and ignores, by variable name (values may hold secrets: never printed). */
  warnings: string[];
}

const DEFAULT_ENDPOINT = 'http://localhost:4318';

/**
 * Traces are on only when asked for: OTEL_TRACES_EXPORTER=otlp, or an OTLP endpoint set without an exporter named.
 * OTEL_SDK_DISABLED=true and OTEL_TRACES_EXPORTER=none turn them off whatever else is set.
 */
export function tracingSettings(defaultServiceName: string, env: NodeJS.ProcessEnv = process.env): TracingSettings | undefined {
  const get = (name: string) => env[name]?.trim() || undefined;
  if (get('OTEL_SDK_DISABLED')?.toLowerCase() === 'true') return undefined;
  const exporters = get('OTEL_TRACES_EXPORTER')
    ?.split(',')
    .map((e) => e.trim().toLowerCase());
  const tracesEndpoint = get('OTEL_EXPORTER_OTLP_TRACES_ENDPOINT');
  const endpoint = get('OTEL_EXPORTER_OTLP_ENDPOINT');
  const on = exporters ? exporters.includes('otlp') : Boolean(tracesEndpoint || endpoint);
  if (!on) return undefined;
  const warnings: string[] = [];
  const others = exporters?.filter((e) => e !== 'otlp' && e !== 'none') ?? [];
  if (others.length) warnings.push(`OTEL_TRACES_EXPORTER: only otlp is supported, ignoring ${others.join(', ')}`);
  const protocol = get('OTEL_EXPORTER_OTLP_TRACES_PROTOCOL') ?? get('OTEL_EXPORTER_OTLP_PROTOCOL');
  if (protocol && protocol !== 'http/json') warnings.push(`OTEL_EXPORTER_OTLP_PROTOCOL: only http/json is supported, ignoring ${protocol}`);
  // As the specification says: the signal-specific URL is used as is, the general one gets the signal's path.
  const url = tracesEndpoint ?? `${(endpoint ?? DEFAULT_ENDPOINT).replace(/\/+$/, '')}/v1/traces`;
  return { serviceName: get('OTEL_SERVICE_NAME') ?? defaultServiceName, url, warnings };
}
