import { Client, Connection } from '@temporalio/client';
import { loadClientConnectConfig } from '@temporalio/envconfig';
import type { NativeConnectionOptions } from '@temporalio/worker';

/** Where Flywheel talks to Temporal: the standard env config in production, the launched dev server locally. */
export interface TemporalTarget {
  connectionOptions: NativeConnectionOptions;
  namespace: string;
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
  };
}

export function localTarget(address: string, namespace = 'default'): TemporalTarget {
  return { connectionOptions: { address }, namespace };
}

/** A printable description that never includes credentials. */
export function describeTarget(t: TemporalTarget): string {
  const tls = t.connectionOptions.tls ? ' tls' : '';
  const key = t.connectionOptions.apiKey ? ' api-key' : '';
  return `${t.connectionOptions.address} namespace=${t.namespace}${tls}${key}`;
}

export async function connectClient(t: TemporalTarget): Promise<Client> {
  const { address, tls, apiKey, metadata } = t.connectionOptions;
  const connection = await Connection.connect({
    address,
    tls,
    apiKey: typeof apiKey === 'string' ? apiKey : undefined,
    metadata,
  });
  return new Client({ connection, namespace: t.namespace });
}
