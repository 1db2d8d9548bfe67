import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { leadWorkflowId } from '../../workflows/definitions.ts';
import { createHarness, type TestHarness } from '../support/temporal.ts';
import { alwaysOpen, deliver, leadEvent, leadState, waitForList, waitForState } from '../support/leads.ts';
import { eventually } from '../support/eventually.ts';
import { accountEvent, deliverToAccount, fullHandoff, waitForAccount, waitForLedger, winLead } from '../support/accounts.ts';

let h: TestHarness;
beforeAll(async () => {
  h = await createHarness('dev', 'account-lifecycle', {
    adjust: (loaded) => {
      alwaysOpen(loaded);
      // The head of CS is full: enterprise customers must reach the cs-routing rule's fallback queue.
      loaded.config.reps.find((r) => r.id === 'sofia-rossi')!.capacity = 0;
    },
  });
});
afterAll(() => h?.close());

type Row = { type: string; owner: string | null; lead_id: string | null; arr_delta: number | null; amount: number | null; data: Record<string, unknown> };
const rowsWith = (accountId: string, type: string) => waitForLedger<Row>(h, accountId, (rs) => rs.some((r) => r.type === type), type);

describe('account lifecycle on the dev server', () => {
  it('carries a won deal into Delight: CS owner, kickoff SLA, health playbook, expansion and churn', async () => {
    const accountId = `acc-life-${Date.now()}`;
    const seller = await winLead(h, `lead-${accountId}`, accountId, { arr: 48_000, handoff: fullHandoff() });
    const onboarding = await waitForAccount(h, accountId, (s) => s.kickoff?.status === 'running' && s.renewal !== null, 'onboarding with a kickoff clock');
    expect(onboarding).toMatchObject({ stage: 'Delight', status: 'onboarding', arr: 48_000, salesOwner: seller, csQueue: 'cs-onboarding', contract: { start: '2027-01-15', end: '2028-01-14' } });
    expect(['emma-janssen', 'david-kim']).toContain(onboarding.csOwner);
    expect(onboarding.onboarding?.owner).toBe(onboarding.csOwner);
    expect(onboarding.kickoff?.rule).toBe('sla-stc-default');
    expect(onboarding.handoffs).toEqual([expect.objectContaining({ opportunityId: `opp-lead-${accountId}`, missing: [] })]);
    expect(onboarding.renewal?.reminders.map((r) => r.offset)).toEqual(['90d', '60d', '30d']);
    expect(onboarding.decisions.map((d) => d.kind)).toEqual(['handoff', 'cs-routing', 'sla', 'renewal']);
    const q = `WorkflowId="account:${accountId}" AND FlywheelStage="Delight" AND CsOwner="${onboarding.csOwner}" AND Arr=48000 AND SlaStatus="running"`;
    expect(await waitForList(h, q, 1)).toEqual([`account:${accountId}`]);

    await deliverToAccount(h, accountEvent('account.kickoff_held', accountId, { heldBy: onboarding.csOwner }));
    await waitForAccount(h, accountId, (s) => s.kickoff?.status === 'met', 'kickoff met');

    await deliverToAccount(h, accountEvent('account.health_reported', accountId, { activeSeatRatio: 0.3, daysSinceLastLogin: 20, nps: { score: -10, responses: 4 } }));
    const red = await waitForAccount(h, accountId, (s) => s.health?.band === 'red', 'red health');
    expect(red.health).toMatchObject({ playbook: 'churn-risk-save', signals: expect.arrayContaining(['seat-utilisation-low', 'dormant', 'detractors']) });
    expect(await waitForList(h, `WorkflowId="account:${accountId}" AND HealthStatus="red"`, 1)).toHaveLength(1);
    // Red health makes the renewal at risk: the reminders are planned again, earlier and more of them.
    const replanned = await waitForAccount(h, accountId, (s) => s.renewal?.rule === 'renewal-at-risk', 'renewal re-planned');
    expect(replanned.renewal?.reminders.map((r) => r.offset)).toEqual(['120d', '90d', '60d', '30d', '14d']);

    await deliverToAccount(h, accountEvent('account.expanded', accountId, { amount: 12_000 }));
    await deliverToAccount(h, accountEvent('account.contracted', accountId, { amount: 5_000 }));
    await deliverToAccount(h, accountEvent('account.churned', accountId, { reason: 'no-adoption' }));
    const churned = await waitForAccount(h, accountId, (s) => s.status === 'churned', 'churned');
    expect(churned).toMatchObject({ stage: 'Closed', arr: 0, churn: { reason: 'no-adoption' }, renewal: null });

    const ledger = await waitForLedger<Row>(h, accountId, (rs) => rs.some((r) => r.data.kind === 'churn'), 'churn');
    const types = ledger.map((r) => r.type);
    expect(types).toEqual(expect.arrayContaining(['deal.won', 'cs.assigned', 'sla.started', 'sla.met', 'health.scored', 'playbook.started', 'arr.changed']));
    expect(types).not.toContain('handoff.incomplete');
    const arr = ledger.filter((r) => r.type === 'deal.won' || r.type === 'arr.changed').map((r) => [r.data.kind ?? 'won', Number(r.arr_delta)]);
    expect(arr).toEqual([
      ['won', 48_000],
      ['expansion', 12_000],
      ['contraction', -5_000],
      ['churn', -55_000],
    ]);
    const playbook = ledger.find((r) => r.type === 'playbook.started')!;
    expect(playbook.data.notified).toEqual(expect.arrayContaining([onboarding.csOwner, 'sofia-rossi']));
    // The CSM's capacity is freed once the churn is recorded.
    await eventually(
      () => h.ledger.query('SELECT * FROM lead_assignments WHERE lead_id = $1 AND released_at IS NULL', [`account:${accountId}`]),
      (open) => open.length === 0,
      'CS assignment released',
    );
  });

  it("places an enterprise customer in the rule's fallback queue when its queue has nobody free", async () => {
    const accountId = `acc-ent-${Date.now()}`;
    await winLead(h, `lead-${accountId}`, accountId, { arr: 150_000, handoff: fullHandoff({ executiveSponsor: 'CFO', implementationPlan: 'phase 1: finance dashboards' }) });
    const s = await waitForAccount(h, accountId, (x) => x.kickoff !== null, 'CS owner assigned');
    expect(s.decisions.find((d) => d.kind === 'cs-routing')?.matched).toEqual(['cs-enterprise']);
    expect(s.csQueue).toBe('cs-onboarding');
    expect(['emma-janssen', 'david-kim']).toContain(s.csOwner);
    const assigned = (await rowsWith(accountId, 'cs.assigned')).find((r) => r.type === 'cs.assigned')!;
    expect(assigned.data.skipped).toEqual([{ rep: 'sofia-rossi', reason: 'cs-overflow: at capacity (0/0)' }]);

    // Churning before the kickoff closes the open clock on record; the row carries the CSM's team for metrics.
    await deliverToAccount(h, accountEvent('account.churned', accountId, { reason: 'acquired' }));
    const cancelled = (await waitForLedger<Row & { team: string | null }>(h, accountId, (rs) => rs.some((r) => r.type === 'sla.cancelled'), 'kickoff clock cancelled')).find(
      (r) => r.type === 'sla.cancelled',
    )!;
    expect(cancelled).toMatchObject({ owner: s.csOwner, team: 'customer-success', data: { handoff: 'sales-to-cs', reason: 'churned' } });
  });

  it('records an incomplete hand-off and tells the seller and their manager', async () => {
    const accountId = `acc-gap-${Date.now()}`;
    const seller = await winLead(h, `lead-${accountId}`, accountId, { arr: 30_000, handoff: fullHandoff({ champion: undefined, successCriteria: [] }) });
    const s = await waitForAccount(h, accountId, (x) => x.handoffs.length === 1 && x.kickoff !== null, 'hand-off checked');
    expect(s.handoffs[0]?.missing).toEqual(['handoff.champion', 'handoff.successCriteria']);
    const violation = (await rowsWith(accountId, 'handoff.incomplete')).find((r) => r.type === 'handoff.incomplete');
    expect(violation?.owner).toBe(seller);
    expect(violation?.data).toMatchObject({ missing: ['handoff.champion', 'handoff.successCriteria'], rules: { 'handoff.champion': 'handoff-stc-base' }, notified: [seller, 'jonas-becker'] });
  });

  it('turns a referral into a warm lead attributed to the referrer and credits the referrer when it is won', async () => {
    const referrer = `acc-ref-${Date.now()}`;
    await winLead(h, `lead-${referrer}`, referrer, { arr: 20_000, handoff: fullHandoff() });
    await waitForAccount(h, referrer, (s) => s.status === 'onboarding', 'referrer onboarded');
    const referral = accountEvent('referral.submitted', referrer, {
      leadId: `ref-lead-${referrer}`,
      contact: { email: 'kai.berg@datahaus.example', firstName: 'Kai', lastName: 'Berg', title: 'CFO' },
      company: { name: 'Datahaus AG', domain: 'datahaus.example', country: 'DE', employees: 380, industry: 'software' },
    });
    await deliverToAccount(h, referral);
    await deliverToAccount(h, referral);
    const leadId = `ref-lead-${referrer}`;
    h.track(leadWorkflowId(leadId));
    const lead = await waitForState(h, leadId, (s) => s.owner !== null, 'referred lead routed');
    expect(lead.lead).toMatchObject({ source: 'referral', referrer: { accountId: referrer }, company: 'Datahaus AG' });
    expect(lead.decisions.find((d) => d.kind === 'qualification')?.matched).toEqual(['qual-customer-referral']);
    const afterDup = await waitForAccount(h, referrer, (s) => s.ignored.length === 1, 'duplicate referral ignored');
    expect(afterDup.referrals).toHaveLength(1);

    // The referred company becomes a customer of its own; the referrer gets the credit.
    await deliver(h, leadEvent('lead.touched', leadId, { by: lead.owner }));
    await deliver(h, leadEvent('opportunity.created', leadId, { opportunityId: `opp-${leadId}`, amount: 36_000 }));
    await deliver(h, leadEvent('opportunity.won', leadId, { opportunityId: `opp-${leadId}`, accountId: `acc-datahaus-${referrer}`, arr: 36_000, handoff: fullHandoff() }));
    h.track(`account:acc-datahaus-${referrer}`);
    const credited = await waitForAccount(h, referrer, (s) => s.referredArr === 36_000, 'referrer credited');
    expect(credited.referrals[0]).toMatchObject({ leadId, status: 'won', arr: 36_000, company: 'Datahaus AG' });
    const credit = (await rowsWith(referrer, 'referral.credited')).find((r) => r.type === 'referral.credited');
    expect(credit).toMatchObject({ lead_id: leadId, amount: 36_000, data: { referredAccountId: `acc-datahaus-${referrer}` } });
    expect((await leadState(h, leadId)).status).toBe('won');
  });
});
