import { proxyActivities, setHandler, sleep } from '@temporalio/workflow';
import type { FlywheelActivities } from '../activities/index.ts';
import { systemCheckStatusQuery, type SystemCheckInput, type SystemCheckResult } from './definitions.ts';

const { recordLedgerEvents } = proxyActivities<FlywheelActivities>({
  startToCloseTimeout: '30 seconds',
  retry: { maximumAttempts: 5 },
});

/**
 * End-to-end probe of a deployment: worker polling, a durable timer, an activity and a ledger write.
 * `flywheel doctor` runs it; the integration suites run it on the dev server and the time-skipping server.
 */
export async function systemCheck(input: SystemCheckInput): Promise<SystemCheckResult> {
  let status: 'waiting-on-timer' | 'writing-ledger' | 'done' = 'waiting-on-timer';
  setHandler(systemCheckStatusQuery, () => status);
  const startedAt = new Date().toISOString();
  const timerMs = input.timerMs ?? 0;
  if (timerMs > 0) await sleep(timerMs);
  status = 'writing-ledger';
  const ledger = await recordLedgerEvents([
    {
      key: `system-check:${input.checkId}`,
      type: 'system.check',
      occurredAt: new Date().toISOString(),
      data: { timerMs },
    },
  ]);
  status = 'done';
  return { checkId: input.checkId, ledger, timerMs, startedAt, finishedAt: new Date().toISOString() };
}
