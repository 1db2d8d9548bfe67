import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { leadEventSignal, leadWorkflowId, leadWorkflowType } from '../../workflows/definitions.ts';
import { createHarness, type TestHarness } from '../support/temporal.ts';
import { alwaysOpen, deliver, leadEvent, leadState, midMarketLead, waitForState } from '../support/leads.ts';

let h: TestHarness;
beforeAll(async () => {
  h = await createHarness('dev', 'lead-can', { adjust: alwaysOpen });
});
afterAll(() => h?.close());

describe('a long-lived lead', () => {
  it('continues as new with its state, losing no event sent meanwhile and still ignoring redeliveries', async () => {
    const id = `can-${Date.now()}`;
    await h.client.workflow.start(leadWorkflowType, { workflowId: leadWorkflowId(id), taskQueue: h.taskQueue, args: [{ leadId: id, historyBudget: 20 }] });
    h.track(leadWorkflowId(id));
    const created = leadEvent('lead.created', id, midMarketLead({ email: 'can@shopco.example', source: 'content' }));
    await deliver(h, created);
    await waitForState(h, id, (s) => s.status === 'nurture', 'nurture');

    // Thirty updates at once (one CRM save time, so none is stale). However the server batches them into workflow
    // tasks, they take the history past its budget of 20 events at least once (their thirty signal events alone do), so a
    // continue-as-new falls between or after them: wait for that too, not only for the updates.
    const savedAt = new Date().toISOString();
    const updates = Array.from({ length: 30 }, (_, i) => leadEvent('lead.updated', id, { [`note${i}`]: i }, savedAt));
    const handle = h.client.workflow.getHandle(leadWorkflowId(id));
    await Promise.all(updates.map((e) => handle.signal(leadEventSignal, e)));
    const s = await waitForState(h, id, (x) => x.runs > 1 && updates.every((_, i) => `note${i}` in x.lead), 'all updates applied across a continue-as-new', 60_000);
    expect(s.status).toBe('nurture');
    expect(s.lead.email).toBe('can@shopco.example');

    await deliver(h, created);
    const after = await waitForState(h, id, (x) => x.ignored.some((i) => i.eventId === created.id), 'redelivery ignored');
    expect(after.ignored.find((i) => i.eventId === created.id)?.reason).toBe('duplicate delivery (same source and id)');
    expect((await handle.describe()).historyLength).toBeLessThan(200);
    expect((await leadState(h, id)).decisions.filter((d) => d.kind === 'qualification').length).toBeGreaterThan(1);
  });
});
