import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { WORKFLOW_TYPES, workflowIds, systemCheckStatusQuery, type SystemCheckResult } from '../../workflows/definitions.ts';
import { createHarness, type TestHarness } from '../support/temporal.ts';

type SystemCheck = (i: { checkId: string; timerMs?: number }) => Promise<SystemCheckResult>;

describe('systemCheck on the dev server', () => {
  let h: TestHarness;
  beforeAll(async () => {
    h = await createHarness('dev', 'system-check');
  });
  afterAll(() => h?.close());

  it('runs a timer and an activity that writes the ledger once, even when the check id repeats', async () => {
    const checkId = randomUUID();
    const first = await h.run(() =>
      h.client.workflow.execute<SystemCheck>(WORKFLOW_TYPES.systemCheck, {
        taskQueue: h.taskQueue,
        workflowId: workflowIds.systemCheck(checkId),
        args: [{ checkId, timerMs: 50 }],
      }),
    );
    expect(first.ledger).toEqual({ inserted: 1, duplicates: 0, mode: 'embedded' });
    expect(Date.parse(first.finishedAt) - Date.parse(first.startedAt)).toBeGreaterThanOrEqual(50);

    // A second run with the same check id models an activity retried after its write landed.
    const again = await h.run(() =>
      h.client.workflow.execute<SystemCheck>(WORKFLOW_TYPES.systemCheck, {
        taskQueue: h.taskQueue,
        workflowId: `${workflowIds.systemCheck(checkId)}:again`,
        args: [{ checkId }],
      }),
    );
    expect(again.ledger).toMatchObject({ inserted: 0, duplicates: 1 });
    const rows = await h.ledger.query<{ n: string }>(`select count(*)::text as n from ledger_events where event_key = $1`, [`system-check:${checkId}`]);
    expect(rows[0]?.n).toBe('1');

    const handle = h.client.workflow.getHandle(workflowIds.systemCheck(checkId));
    expect(await handle.query(systemCheckStatusQuery)).toBe('done');
  });
});
