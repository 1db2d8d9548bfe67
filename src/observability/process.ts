import type { Client } from '@temporalio/client';
import type { RulesCache } from '../rules/cache.ts';
import { createLogger, PinoSdkLogger, type Logger } from './logs.ts';
import { collectRules, collectSlaClocks } from './metrics/collectors.ts';
import { FlywheelMetrics } from './metrics/flywheelMetrics.ts';
import { sdkMetricsBindAddress } from './metrics/sdkMetrics.ts';

/** One process's logger and metrics, and what its Temporal Runtime is installed with (installQuietRuntime). */
export interface ProcessObservability {
  logger: Logger;
  metrics: FlywheelMetrics;
  runtime: { logger: PinoSdkLogger; metricsAddress?: string };
}

/**
 * Built once per process, before the Runtime is installed: `flywheel dev` logs to a file (its terminal is the
 * operator's), `flywheel worker` and `serve` to standard output, where their supervisor collects them.
 */
export async function processObservability(opts: { process: 'dev' | 'worker' | 'api'; logFile?: string }): Promise<ProcessObservability> {
  const logger = createLogger({ file: opts.logFile, base: { process: opts.process } });
  return {
    logger,
    metrics: new FlywheelMetrics(),
    runtime: { logger: new PinoSdkLogger(logger.child({ component: 'temporal' })), metricsAddress: opts.process === 'api' ? undefined : await sdkMetricsBindAddress() },
  };
}

/** The figures only a process with a Temporal client and the rules exports: SLA clocks and the rules revision. */
export function collectClusterFigures(metrics: FlywheelMetrics, deps: { client?: Client; rules?: RulesCache }): void {
  if (deps.client) collectSlaClocks(metrics, deps.client);
  if (deps.rules) collectRules(metrics, deps.rules);
}
