import type { Client } from '@temporalio/client';
import type { Ledger } from '../ledger/types.ts';
import type { HealthChecks } from '../server/routes/health.ts';

export function buildHealthChecks(client: Client, ledger: Ledger, temporalDescription: string): HealthChecks {
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
  };
}

const round = (ms: number) => Math.round(ms * 10) / 10;
