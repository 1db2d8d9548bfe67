import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { accountEventSignal, accountWorkflowId, accountWorkflowType } from '../../workflows/definitions.ts';
import { createHarness, type TestHarness } from '../support/temporal.ts';
import { alwaysOpen } from '../support/leads.ts';
import { accountEvent, deliverToAccount, waitForAccount, waitForLedger } from '../support/accounts.ts';
import { handoffReceived } from '../support/accountHandoff.ts';

const DAY = 86_400_000;
type Row = { type: string; occurred_at: Date; data: Record<string, unknown> };

describe('timers of a customer that continued as new (time-skipping server)', () => {
  let h: TestHarness;
  beforeAll(async () => {
    h = await createHarness('time-skipping', 'account-can-timers', { adjust: alwaysOpen });
  });
  afterAll(() => h?.close());

  // Only the ledger and describe() are read while runs change hands: the time-skipping test server can leave time
  // skipping locked when a query lands on a run that is just continuing as new.
  it('fires the first-30-days and renewal timers it carried into the new run', async () => {
    const id = `acc-can-t-${Date.now()}`;
    const wfId = accountWorkflowId(id);
    await h.client.workflow.start(accountWorkflowType, { workflowId: wfId, taskQueue: h.taskQueue, args: [{ accountId: id, historyBudget: 60 }] });
    h.track(wfId);
    const now = new Date(await h.now()).toISOString();
    await deliverToAccount(h, handoffReceived(id, now, 120));
    const onboarded = await waitForAccount(h, id, (s) => s.renewal !== null && s.onboarding !== null, 'onboarded');
    await deliverToAccount(h, accountEvent('account.kickoff_held', id, {}, now));
    const handle = h.client.workflow.getHandle(wfId);
    const firstRun = (await handle.describe()).runId;
    const expansions = Array.from({ length: 20 }, () => accountEvent('account.expanded', id, { amount: 1_000 }, now));
    await Promise.all(expansions.map((e) => handle.signal(accountEventSignal, e)));
    await waitForLedger<Row>(h, id, (rs) => rs.filter((r) => r.data.kind === 'expansion').length === 20, 'every expansion applied', 60_000);
    expect((await handle.describe()).runId).not.toBe(firstRun);

    await h.advance(Date.parse(onboarded.renewal!.dueAt) - (await h.now()) + 60_000);
    const rows = await waitForLedger<Row>(h, id, (rs) => rs.some((r) => r.type === 'renewal.overdue'), 'contract end', 60_000);
    const completed = rows.find((r) => r.type === 'onboarding.completed')!;
    // A timer fires at its instant; the workflow task that records it starts a moment later.
    const late = (actual: Date, due: string) => actual.getTime() - Date.parse(due);
    expect(late(completed.occurred_at, onboarded.onboarding!.until)).toBeGreaterThanOrEqual(0);
    expect(late(completed.occurred_at, onboarded.onboarding!.until)).toBeLessThan(60_000);
    const reminders = rows.filter((r) => r.type === 'renewal.reminder');
    expect(reminders.map((r) => r.data.offset)).toEqual(onboarded.renewal!.reminders.map((r) => r.offset));
    reminders.forEach((r, i) => expect(late(r.occurred_at, onboarded.renewal!.reminders[i]!.at)).toBeLessThan(60_000));
    reminders.forEach((r, i) => expect(late(r.occurred_at, onboarded.renewal!.reminders[i]!.at)).toBeGreaterThanOrEqual(0));
    expect(rows.filter((r) => r.type === 'sla.breached')).toHaveLength(0);
    expect(Date.parse(onboarded.renewal!.dueAt) - Date.parse(now)).toBeGreaterThan(100 * DAY);
  });
});
