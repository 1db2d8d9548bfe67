import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { leadWorkflowId, leadWorkflowType } from '../../workflows/definitions.ts';
import { createHarness, type TestHarness } from '../support/temporal.ts';
import { eventually } from '../support/eventually.ts';
import { alwaysOpen, deliver, leadEvent, midMarketLead, waitForState } from '../support/leads.ts';

let h: TestHarness;
beforeAll(async () => {
  h = await createHarness('dev', 'lead-versions', { adjust: alwaysOpen });
});
afterAll(() => h?.close());

/**
 * Leads started by the first version of the lead workflow keep running after an upgrade: CRM events still reach
 * them (signal-with-start names the current type, and a running workflow is signalled whatever its type), and once
 * their history grows past the budget they continue as the current version with their state.
 */
describe('lead workflow versions', () => {
  it('signals a running first-version lead, then continues it as the current version with its state', async () => {
    expect(leadWorkflowType).toBe('leadLifecycleV2');
    const id = `v1-${Date.now()}`;
    const handle = await h.client.workflow.start('leadLifecycle', { workflowId: leadWorkflowId(id), taskQueue: h.taskQueue, args: [{ leadId: id, historyBudget: 60 }] });
    h.track(leadWorkflowId(id));
    await deliver(h, leadEvent('lead.created', id, midMarketLead({ email: 'v1@shopco.example' })));
    const assigned = await waitForState(h, id, (s) => s.sla?.status === 'running', 'assigned by the first version');
    expect((await handle.describe()).type).toBe('leadLifecycle');

    // Updates (no re-qualification while with sales) until the first version's budget is spent.
    for (let i = 0; i < 20; i++) await deliver(h, leadEvent('lead.updated', id, { [`note${i}`]: i }));
    const current = await eventually(
      () => h.client.workflow.getHandle(leadWorkflowId(id)).describe(),
      (d) => d.type === leadWorkflowType,
      'continued as the current version',
      60_000,
    );
    expect(current.runId).not.toBe(handle.firstExecutionRunId);
    const s = await waitForState(h, id, (x) => Array.from({ length: 20 }, (_, i) => `note${i}`).every((k) => k in x.lead), 'every update applied');
    expect(s.owner).toBe(assigned.owner);
    expect(s.sla?.deadline).toBe(assigned.sla?.deadline);
    expect(s.runs).toBeGreaterThan(1);

    // The current version goes on from the carried state: the owner's touch meets the clock the first version started.
    await deliver(h, leadEvent('lead.touched', id, { by: assigned.owner }));
    await waitForState(h, id, (x) => x.sla?.status === 'met', 'SLA met in the current version');
    const rows = await eventually(
      () => h.ledger.query<{ type: string }>("SELECT type FROM ledger_events WHERE lead_id = $1 AND type IN ('sla.started', 'sla.met')", [id]),
      (rs) => rs.some((r) => r.type === 'sla.met'),
      'sla.met row',
    );
    expect(rows.filter((r) => r.type === 'sla.started')).toHaveLength(1);
  });
});
