import { Client, Connection } from '@temporalio/client';
import type { DataConverter, PayloadCodec } from '@temporalio/common';
import { loadClientConnectConfig } from '@temporalio/envconfig';
import type { NativeConnectionOptions } from '@temporalio/worker';
import { payloadCodecFromEnvironment } from './payloadCodec.ts';
import { tracingClientInterceptors } from '../observability/tracing/temporal.ts';

/** Where Flywheel talks to Temporal: the standard env config in production, the launched dev server locally. */
export interface TemporalTarget {
  connectionOptions: NativeConnectionOptions;
  namespace: string;
  /** Every client and worker built from this target encodes payloads the same way (see payloadCodec.ts). */
  dataConverter?: DataConverter;
}

/** Payload encryption when FLYWHEEL_PAYLOAD_KEYS is set; otherwise the SDK's default converter. */
function dataConverterFromEnvironment(env: NodeJS.ProcessEnv = process.env): DataConverter | undefined {
  const codec = payloadCodecFromEnvironment(env);
  return codec ? { payloadCodecs: [codec] } : undefined;
}

/**
 * Reads Temporal's standard environment configuration (TEMPORAL_ADDRESS, TEMPORAL_NAMESPACE, TEMPORAL_API_KEY,
 * TEMPORAL_TLS_*, TEMPORAL_PROFILE and the TOML config file), so any cluster or Temporal Cloud works unchanged.
 */
export function targetFromEnvironment(): TemporalTarget {
  const { connectionOptions, namespace } = loadClientConnectConfig();
  return {
    connectionOptions: { ...connectionOptions, address: connectionOptions.address ?? 'localhost:7233' },
    namespace: namespace ?? 'default',
    dataConverter: dataConverterFromEnvironment(),
  };
}

export function localTarget(address: string, namespace = 'default', env: NodeJS.ProcessEnv = process.env): TemporalTarget {
  return { connectionOptions: { address }, namespace, dataConverter: dataConverterFromEnvironment(env) };
}

/** The payload codec a target's clients and workers use, if any (for the codec endpoint to share it). */
export function payloadCodecOf(t: TemporalTarget): PayloadCodec | undefined {
  return t.dataConverter?.payloadCodecs?.[0];
}

/** A printable description that never includes credentials. */
export function describeTarget(t: TemporalTarget): string {
  const tls = t.connectionOptions.tls ? ' tls' : '';
  const key = t.connectionOptions.apiKey ? ' api-key' : '';
  const encrypted = t.dataConverter?.payloadCodecs?.length ? ' payloads-encrypted' : '';
  return `${t.connectionOptions.address} namespace=${t.namespace}${tls}${key}${encrypted}`;
}

export async function connectClient(t: TemporalTarget): Promise<Client> {
  const { address, tls, apiKey, metadata } = t.connectionOptions;
  const connection = await Connection.connect({
    address,
    tls,
    apiKey: typeof apiKey === 'string' ? apiKey : undefined,
    metadata,
  });
  return new Client({ connection, namespace: t.namespace, dataConverter: t.dataConverter, interceptors: tracingClientInterceptors() });
}
