import { freePort } from '../../temporal/ports.ts';

/** Where the Temporal SDK (its Rust core) serves its worker metrics; host:port, or `off`. */
export const SDK_METRICS_ADDRESS_ENV = 'FLYWHEEL_TEMPORAL_METRICS_ADDRESS';

// The Runtime is one per process, and so is its exporter: its address is process state, set once at install.
let installed: string | undefined;

/**
 * The address for the SDK's Prometheus exporter: the environment's, else a free loopback port. Flywheel's own
 * /metrics appends what it serves, so nobody needs to know the port; set it only to scrape the SDK directly.
 */
export async function sdkMetricsBindAddress(env: NodeJS.ProcessEnv = process.env): Promise<string | undefined> {
  const set = env[SDK_METRICS_ADDRESS_ENV]?.trim();
  if (set === 'off') return undefined;
  if (set) return set;
  return `127.0.0.1:${await freePort()}`;
}

/** Called once the Runtime was installed with an exporter at `address`. */
export function noteSdkMetricsAddress(address: string): void {
  installed = address;
}

export function sdkMetricsAddress(): string | undefined {
  return installed;
}

/** The SDK exporter's scrape text; empty when this process's Runtime exports none; throws when it does not answer. */
export async function sdkMetricsText(): Promise<string> {
  if (!installed) return '';
  const host = installed.replace(/^0\.0\.0\.0:/, '127.0.0.1:').replace(/^\[::\]:/, '[::1]:');
  const res = await fetch(`http://${host}/metrics`, { signal: AbortSignal.timeout(2_000) });
  if (!res.ok) throw new Error(`the Temporal SDK's metrics exporter answered ${res.status}`);
  return await res.text();
}
