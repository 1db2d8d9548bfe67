import type { Client } from '@temporalio/client';
import type { Ledger } from '../ledger/types.ts';
import type { RulesCache } from '../rules/cache.ts';
import type { DependencyStatus, HealthChecks } from '../server/routes/health.ts';
import { workersCheck } from './workerRevisions.ts';

/** `rules`: the cache the process decides with (or one over the same folder), when one is given. */
export function buildHealthChecks(client: Client, ledger: Ledger, temporalDescription: string, rules?: RulesCache): HealthChecks {
  return {
    async temporal() {
      const t0 = performance.now();
      const info = await client.workflowService.getSystemInfo({});
      return { ok: true, latencyMs: round(performance.now() - t0), detail: `${temporalDescription} server ${info.serverVersion ?? '?'}` };
    },
    async ledger() {
      const { latencyMs } = await ledger.ping();
      return { ok: true, latencyMs: round(latencyMs), detail: ledger.description };
    },
    ...(rules ? { rules: async () => rulesCheck(rules) } : {}),
    // From the workers' heartbeats in the ledger, so the API sees workers on other hosts too.
    workers: () => workersCheck(ledger),
  };
}

/**
 * Degraded, not down, when a rules change was refused: the last valid rules keep deciding, so the API and the
 * workers work; the diagnostics say what to fix. Looking costs a stat per file between changes.
 */
export function rulesCheck(rules: RulesCache): DependencyStatus {
  const h = rules.health();
  if (h.status === 'ok') return { ok: true, detail: `revision ${h.revision?.id ?? '?'}` };
  const errors = `${h.diagnostics.length} error${h.diagnostics.length === 1 ? '' : 's'}`;
  const using = !h.revision
    ? 'nothing decides until the folder is valid'
    : h.kept.length > 0
      ? `the last valid ${h.kept.join(', ')} rules keep deciding (revision ${h.revision.id})`
      : `revision ${h.revision.id} decides`;
  return { ok: true, degraded: true, detail: `refused ${h.rejected?.id ?? 'the rules folder'} (${errors}); ${using}`, diagnostics: h.diagnostics };
}

const round = (ms: number) => Math.round(ms * 10) / 10;
