import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createHarness, type TestHarness } from '../support/temporal.ts';
import { eventually } from '../support/eventually.ts';
import { alwaysOpen, deliver, leadEvent, leadState, midMarketLead, waitForList, waitForState } from '../support/leads.ts';

let h: TestHarness;
beforeAll(async () => {
  h = await createHarness('dev', 'lead-lifecycle', { adjust: alwaysOpen });
});
afterAll(() => h?.close());

/** The lead's ledger row types once `done` holds: the workflow writes rows after its state shows the change. */
const ledgerTypes = (leadId: string, done: (types: string[]) => boolean) =>
  eventually(
    async () => (await h.ledger.query<{ type: string }>('SELECT type FROM ledger_events WHERE lead_id = $1 ORDER BY id', [leadId])).map((r) => r.type),
    done,
    (last) => `ledger rows of ${leadId}: ${(last ?? []).join(', ')}`,
  );
const count = (types: string[], type: string) => types.filter((t) => t === type).length;

describe('lead lifecycle on the dev server', () => {
  it('routes an MQL, meets the SLA on the owner touch, and hands the won deal to customer success', async () => {
    const id = `life-${Date.now()}`;
    await deliver(h, leadEvent('lead.created', id, midMarketLead()));
    const assigned = await waitForState(h, id, (s) => s.sla?.status === 'running', 'SLA running');
    expect(assigned.stage).toBe('Engage');
    expect(assigned.tier).toBe('B');
    expect(assigned.queue).toBe('mid-market');
    expect(['noah-fischer', 'mia-kowalski', 'liam-oconnor']).toContain(assigned.owner);
    expect(assigned.decisions.map((d) => d.kind)).toEqual(['data-quality', 'disqualification', 'icp', 'qualification', 'routing', 'sla']);
    expect(assigned.decisions.find((d) => d.kind === 'qualification')?.matched).toEqual(['qual-hand-raiser']);
    expect(assigned.sla?.rule).toBe('sla-mts-tier-b');
    // Operators find it with the search attributes the workflow keeps current.
    const query = `WorkflowId="lead:${id}" AND FlywheelStage="Engage" AND Owner="${assigned.owner}" AND IcpTier="B" AND SlaStatus="running"`;
    expect(await waitForList(h, query, 1)).toEqual([`lead:${id}`]);

    await deliver(h, leadEvent('lead.touched', id, { by: assigned.owner, channel: 'phone' }));
    const met = await waitForState(h, id, (s) => s.sla?.status === 'met', 'SLA met');
    expect(met.sla?.timeToFirstTouchMs).toBeGreaterThanOrEqual(0);

    await deliver(h, leadEvent('meeting.booked', id, { meetingId: 'm-1' }));
    await deliver(h, leadEvent('opportunity.created', id, { opportunityId: 'opp-1', amount: 48000, currency: 'EUR' }));
    await deliver(h, leadEvent('opportunity.won', id, { opportunityId: 'opp-1', accountId: 'acc-shopco', arr: 48000, handoff: { champion: 'Jana Weber', goals: ['self-serve dashboards'] } }));
    const won = await waitForState(h, id, (x) => x.status === 'won', 'won');
    expect(won).toMatchObject({ stage: 'Delight', owner: assigned.owner });
    // A late event for a closed lead is recorded, not applied.
    await deliver(h, leadEvent('lead.touched', id, { by: assigned.owner }));
    const late = await waitForState(h, id, (x) => x.ignored.length === 1, 'late event recorded');
    expect(late.ignored[0]?.reason).toBe('the lead is closed (won)');

    const expected = ['lead.assigned', 'sla.started', 'sla.met', 'meeting.booked', 'deal.created', 'deal.won', 'handoff.recorded', 'decision.recorded', 'lead.closed', 'event.ignored'];
    expect(await ledgerTypes(id, (types) => expected.every((t) => types.includes(t)))).toEqual(expect.arrayContaining(expected));
    const open = await h.ledger.query('SELECT * FROM lead_assignments WHERE lead_id = $1 AND released_at IS NULL', [id]);
    expect(open).toHaveLength(0);
  });

  it('applies each event once when the CRM delivers it three times at once', async () => {
    const id = `dup-${Date.now()}`;
    const created = leadEvent('lead.created', id, midMarketLead({ email: 'dup@shopco.example' }));
    await Promise.all([deliver(h, created), deliver(h, created), deliver(h, created)]);
    const s = await waitForState(h, id, (x) => x.sla?.status === 'running' && x.ignored.length === 2, 'two duplicates ignored');
    expect(s.ignored.map((i) => i.reason)).toEqual(['duplicate delivery (same source and id)', 'duplicate delivery (same source and id)']);
    const rows = await h.ledger.query('SELECT rep FROM lead_assignments WHERE lead_id = $1', [id]);
    expect(rows).toHaveLength(1);
    expect(count(await ledgerTypes(id, (types) => types.includes('sla.started')), 'lead.assigned')).toBe(1);

    const touch = leadEvent('lead.touched', id, { by: s.owner, channel: 'phone' });
    const meeting = leadEvent('meeting.booked', id, { meetingId: 'm-dup' });
    await Promise.all([touch, touch, touch, meeting, meeting, meeting].map((e) => deliver(h, e)));
    await waitForState(h, id, (x) => x.ignored.length === 6 && x.firstMeetingAt !== null, 'all duplicates ignored');
    const types = await ledgerTypes(id, (t) => t.includes('sla.met') && t.includes('meeting.booked') && count(t, 'event.ignored') === 0);
    expect(count(types, 'sla.met')).toBe(1);
    expect(count(types, 'meeting.booked')).toBe(1);
  });

  it('keeps a touch that arrives before the create and judges it against the hand-off', async () => {
    const id = `early-${Date.now()}`;
    const earlier = new Date(Date.now() - 60_000).toISOString();
    await deliver(h, leadEvent('lead.touched', id, { by: 'noah-fischer', channel: 'email' }, earlier));
    await deliver(h, leadEvent('lead.created', id, midMarketLead({ email: 'early@shopco.example' }), earlier));
    const s = await waitForState(h, id, (x) => x.sla?.status === 'running' && x.ignored.length === 1, 'early touch judged');
    expect(s.ignored[0]).toMatchObject({ type: 'lead.touched', reason: 'touch happened before the current hand-off' });
    expect(await ledgerTypes(id, (types) => types.includes('event.ignored'))).toContain('event.ignored');
  });

  it('ignores an update older than the one already applied', async () => {
    const id = `stale-${Date.now()}`;
    await deliver(h, leadEvent('lead.created', id, midMarketLead({ email: 'stale@shopco.example', title: 'CTO' })));
    await waitForState(h, id, (x) => x.status !== 'new', 'created');
    await deliver(h, leadEvent('lead.updated', id, { title: 'Intern' }, '2020-01-01T00:00:00Z'));
    const s = await waitForState(h, id, (x) => x.ignored.length === 1, 'stale update ignored');
    expect(s.lead.title).toBe('CTO');
    expect(s.ignored[0]?.reason).toMatch(/^stale update/);
  });

  it('closes a competitor lead as disqualified with the reason', async () => {
    const id = `disq-${Date.now()}`;
    await deliver(h, leadEvent('lead.created', id, midMarketLead({ email: 'spy@contoso-analytics.example', domain: 'contoso-analytics.example', company: 'Contoso Analytics' })));
    const result = await waitForState(h, id, (x) => x.status === 'disqualified', 'disqualified');
    expect(result.stage).toBe('Closed');
    expect(result.closedReason).toBe('works for a competitor');
    expect(await h.ledger.query('SELECT 1 FROM lead_assignments WHERE lead_id = $1', [id])).toHaveLength(0);
  });

  it('keeps an unqualified lead in nurture until an update qualifies it', async () => {
    const id = `nurture-${Date.now()}`;
    await deliver(h, leadEvent('lead.created', id, midMarketLead({ email: 'nurture@shopco.example', source: 'content' })));
    const nurtured = await waitForState(h, id, (x) => x.status === 'nurture', 'nurture');
    expect(nurtured.stage).toBe('Attract');
    expect(nurtured.owner).toBeNull();
    await deliver(h, leadEvent('lead.updated', id, { source: 'demo-request' }));
    const s = await waitForState(h, id, (x) => x.stage === 'Engage', 'handed to sales');
    expect(s.owner).not.toBeNull();
    expect((await leadState(h, id)).decisions.filter((d) => d.kind === 'qualification').map((d) => d.matched[0])).toEqual(['qual-nurture', 'qual-hand-raiser']);
  });
});
