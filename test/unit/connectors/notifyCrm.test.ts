import { describe, expect, it } from 'vitest';
import type { ActivityDeps } from '../../../activities/deps.ts';
import { createNotifyActivities } from '../../../activities/lead/notify.ts';
import { loadConfig } from '../../../src/config/load.ts';
import type { AssignmentWriteBack, CrmWriteBack } from '../../../src/connectors/writeBack.ts';
import { clockKey } from '../../../src/sla/clockKeys.ts';
import { emptyLedgerPerTest } from '../ledger/helpers/emptyLedger.ts';

const ledger = emptyLedgerPerTest();
const shipped = loadConfig('config/flywheel.yaml');
const config = { ...shipped, config: { ...shipped.config, connections: { ...shipped.config.connections, hubspot: { appId: 1 } } } };

/** A CRM that records what it was asked to write. */
function crm(): CrmWriteBack & { calls: AssignmentWriteBack[] } {
  const calls: AssignmentWriteBack[] = [];
  return { system: 'hubspot', calls, assigned: async (w) => (calls.push(w), { written: ['owner'] }) };
}
const notifier = (c: CrmWriteBack) => createNotifyActivities({ ledger, config, crm: [c], webhooks: { send: async () => ({ sent: false }) } } as unknown as ActivityDeps);
const assignment = (attempt: number) => ({ kind: 'assignment' as const, leadId: 'hubspot-501', owner: 'jonas-becker', pool: null, queue: 'mid-market', strategy: 'weighted-round-robin', attempt });

describe('notifyCrm and the CRM write-back', () => {
  it('tells the CRM of the lead behind the id, with the deadline of the clock the assignment started', async () => {
    await ledger.record([
      { key: clockKey('lead', 'hubspot-501', 0, 'started'), type: 'sla.started', occurredAt: '2026-03-02T09:00:00Z', leadId: 'hubspot-501', data: { deadline: '2026-03-02T13:00:00.000Z' } },
    ]);
    const c = crm();
    await notifier(c).notifyCrm(assignment(0));
    expect(c.calls).toEqual([
      expect.objectContaining({ crm: { system: 'hubspot', objectType: 'contact', id: '501' }, owner: 'jonas-becker', deadline: '2026-03-02T13:00:00.000Z', slaStatus: 'running', attempt: 0 }),
    ]);
  });

  it('does not put back an owner that a later assignment replaced (a write-back retried past a rate-limit storm)', async () => {
    await ledger.record([{ key: 'lead:hubspot-501:assigned:1', type: 'lead.reassigned', occurredAt: '2026-03-02T13:00:00Z', leadId: 'hubspot-501', owner: 'maya-brooks' }]);
    const c = crm();
    const r = await notifier(c).notifyCrm(assignment(0));
    expect(c.calls).toEqual([]);
    expect(r).toMatchObject({ crm: { superseded: true } });
  });

  it('leaves leads that no CRM connector owns to the generic webhook', async () => {
    const c = crm();
    await notifier(c).notifyCrm({ ...assignment(0), leadId: 'L-1001' });
    expect(c.calls).toEqual([]);
  });
});
