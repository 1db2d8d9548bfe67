import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { WORKFLOW_TYPES, workflowIds, type SystemCheckResult } from '../../workflows/definitions.ts';
import { createHarness, type TestHarness } from '../support/temporal.ts';

type SystemCheck = (i: { checkId: string; timerMs?: number }) => Promise<SystemCheckResult>;

describe('systemCheck on the time-skipping server', () => {
  let h: TestHarness;
  beforeAll(async () => {
    h = await createHarness('time-skipping', 'system-check-ts');
  });
  afterAll(() => h?.close());

  it('skips a three-day timer and still writes the ledger', async () => {
    const checkId = randomUUID();
    const threeDays = 3 * 24 * 3600 * 1000;
    const wallStart = Date.now();
    const result = await h.run(async () => {
      const handle = await h.client.workflow.start<SystemCheck>(WORKFLOW_TYPES.systemCheck, {
        taskQueue: h.taskQueue,
        workflowId: workflowIds.systemCheck(checkId),
        args: [{ checkId, timerMs: threeDays }],
      });
      return h.timeSkippingClient!.result<SystemCheckResult>(handle.workflowId);
    });
    expect(Date.parse(result.finishedAt) - Date.parse(result.startedAt)).toBeGreaterThanOrEqual(threeDays);
    expect(Date.now() - wallStart).toBeLessThan(threeDays);
    expect(result.ledger).toMatchObject({ inserted: 1, duplicates: 0 });
  });
});
