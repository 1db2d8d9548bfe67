import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { accountEventSignal, accountWorkflowId, accountWorkflowType } from '../../workflows/definitions.ts';
import { createHarness, type TestHarness } from '../support/temporal.ts';
import { alwaysOpen } from '../support/leads.ts';
import { accountEvent, deliverToAccount, waitForAccount, waitForLedger } from '../support/accounts.ts';
import { handoffReceived } from '../support/accountHandoff.ts';

let h: TestHarness;
beforeAll(async () => {
  h = await createHarness('dev', 'account-can', { adjust: alwaysOpen });
});
afterAll(() => h?.close());

describe('a customer that lives for years', () => {
  it('continues as new with its state, losing no event sent during the hand-over and still ignoring redeliveries', async () => {
    const id = `acc-can-${Date.now()}`;
    const wfId = accountWorkflowId(id);
    await h.client.workflow.start(accountWorkflowType, { workflowId: wfId, taskQueue: h.taskQueue, args: [{ accountId: id, historyBudget: 60 }] });
    h.track(wfId);
    const now = new Date().toISOString();
    await deliverToAccount(h, handoffReceived(id, now));
    const before = await waitForAccount(h, id, (s) => s.renewal !== null, 'onboarded');

    // Forty signals at once: several continue-as-new boundaries fall between them.
    const handle = h.client.workflow.getHandle(wfId);
    const reports = Array.from({ length: 20 }, (_, i) => accountEvent('account.health_reported', id, { activeSeatRatio: i % 2 ? 0.9 : 0.3 }, now));
    const expansions = Array.from({ length: 20 }, () => accountEvent('account.expanded', id, { amount: 1_000 }, now));
    await Promise.all([...reports, ...expansions].map((e) => handle.signal(accountEventSignal, e)));
    const rows = await waitForLedger<{ type: string; data: Record<string, unknown> }>(
      h,
      id,
      (rs) => rs.filter((r) => r.type === 'health.scored').length === 20 && rs.filter((r) => r.data.kind === 'expansion').length === 20,
      'every signal applied',
      60_000,
    );
    expect(rows.filter((r) => r.type === 'playbook.started').length).toBeGreaterThan(0);
    const after = await waitForAccount(h, id, (s) => s.arr === 80_000, 'all expansions in the state');
    expect(after.runs).toBeGreaterThan(1);
    expect(after).toMatchObject({ csOwner: before.csOwner, contract: before.contract, onboarding: before.onboarding, kickoff: before.kickoff, renewal: { dueAt: before.renewal!.dueAt, sent: [] } });

    await deliverToAccount(h, expansions[0]!);
    const dup = await waitForAccount(h, id, (s) => s.ignored.some((i) => i.eventId === expansions[0]!.id), 'redelivery ignored');
    expect(dup.ignored.find((i) => i.eventId === expansions[0]!.id)?.reason).toBe('duplicate delivery (same source and id)');
    expect(dup.arr).toBe(80_000);
    expect((await handle.describe()).historyLength).toBeLessThan(200);
  });
});
