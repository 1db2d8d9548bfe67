import type { Client } from '@temporalio/client';
import { Gauge } from 'prom-client';
import type { RulesCache } from '../../rules/cache.ts';
import type { ClockStatus } from '../../../workflows/clock.ts';
import { SA } from '../../temporal/searchAttributes.ts';
import type { FlywheelMetrics } from './flywheelMetrics.ts';

/** The SlaStatus values (workflows/clock.ts) that mean a clock is live: one gauge series each. */
export const SLA_GAUGE_STATUSES = ['running', 'warned', 'breached', 'held', 'paused'] as const satisfies readonly ClockStatus[];

/**
 * flywheel_sla_clocks{status}: open lead and account workflows by their SlaStatus search attribute, counted by
 * Temporal visibility at scrape time (one count per status) and kept `cacheMs` so frequent scrapes stay cheap.
 * When visibility does not answer, the scrape still succeeds: the series are absent and
 * flywheel_metrics_scrape_errors_total{source="sla"} counts the failure. Only the API exports these: they are the
 * cluster's state, and every worker exporting them would count each clock once per worker.
 */
export function collectSlaClocks(metrics: FlywheelMetrics, client: Client, opts: { cacheMs?: number; now?: () => number } = {}): void {
  const cacheMs = opts.cacheMs ?? 5_000;
  const now = opts.now ?? Date.now;
  let cached: { at: number; counts: Map<string, number> | null } | undefined;
  const read = async (): Promise<Map<string, number> | null> => {
    if (cached && now() - cached.at < cacheMs) return cached.counts;
    let counts: Map<string, number> | null;
    try {
      const answers = await Promise.all(SLA_GAUGE_STATUSES.map(async (s) => [s, (await client.workflow.count(`ExecutionStatus = 'Running' AND ${SA.SlaStatus.name} = '${s}'`)).count] as const));
      counts = new Map(answers);
    } catch {
      metrics.scrapeErrors.inc({ source: 'sla' });
      counts = null;
    }
    cached = { at: now(), counts };
    return counts;
  };
  metrics.onScrape(read);
  new Gauge({
    name: 'flywheel_sla_clocks',
    help: 'Open lead and account workflows by SLA clock status (running, warned, breached, held, paused), from Temporal visibility',
    labelNames: ['status'] as const,
    registers: [metrics.registry],
    async collect() {
      this.reset();
      const counts = await read();
      for (const [status, n] of counts ?? []) this.set({ status }, n);
    },
  });
}

/**
 * The rules this process decides with, read from its RulesCache at scrape time: flywheel_rules_revision_info{revision}
 * (1 for the revision deciding now), flywheel_rules_degraded (1 while the folder's current content is refused) and
 * flywheel_rules_errors (the diagnostics that refused it).
 */
export function collectRules(metrics: FlywheelMetrics, rules: RulesCache): void {
  const health = () => rules.health();
  new Gauge({
    name: 'flywheel_rules_revision_info',
    help: 'The rules revision deciding in this process (value 1; absent while the rules folder was never valid)',
    labelNames: ['revision'] as const,
    registers: [metrics.registry],
    collect() {
      this.reset();
      const revision = health().revision;
      if (revision) this.set({ revision: revision.id }, 1);
    },
  });
  new Gauge({
    name: 'flywheel_rules_degraded',
    help: "1 while the rules folder's current content is refused (the last valid rules keep deciding), else 0",
    registers: [metrics.registry],
    collect() {
      this.set(health().status === 'degraded' ? 1 : 0);
    },
  });
  new Gauge({
    name: 'flywheel_rules_errors',
    help: "Errors in the rules folder's current content (0 when it is valid)",
    registers: [metrics.registry],
    collect() {
      this.set(health().diagnostics.length);
    },
  });
}
