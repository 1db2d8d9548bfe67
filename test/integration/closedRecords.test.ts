import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { accountWorkflowId, accountWorkflowType, leadEventSignal, leadWorkflowId, leadWorkflowType } from '../../workflows/definitions.ts';
import type { LeadEvent } from '../../workflows/lead/types.ts';
import { createHarness, type TestHarness } from '../support/temporal.ts';
import { alwaysOpen, deliver, leadEvent, leadState, midMarketLead, waitForState } from '../support/leads.ts';
import { accountEvent, deliverToAccount, waitForAccount, waitForLedger } from '../support/accounts.ts';
import { handoffReceived } from '../support/accountHandoff.ts';
import { eventually } from '../support/eventually.ts';

let h: TestHarness;
beforeAll(async () => {
  h = await createHarness('dev', 'closed-records', { adjust: alwaysOpen });
});
afterAll(() => h?.close());

type Row = { type: string; stage: string | null; data: Record<string, unknown> };
const DUPLICATE = 'duplicate delivery (same source and id)';

const leadRows = (leadId: string) => h.ledger.query<Row>('SELECT type, stage, data FROM ledger_events WHERE lead_id = $1 ORDER BY id', [leadId]);
/** Polls a lead's ledger rows until `done` holds: the workflow writes them after its state changes. */
const waitForLeadRows = (leadId: string, done: (rows: Row[]) => boolean, what: string, timeoutMs = 15_000) =>
  eventually(
    () => leadRows(leadId),
    done,
    (last) => `ledger rows of ${leadId} never showed "${what}"; types: ${(last ?? []).map((r) => r.type).join(', ')}`,
    timeoutMs,
  );
const count = (rows: Row[], type: string, kind?: string) => rows.filter((r) => r.type === type && (kind === undefined || r.data.kind === kind)).length;

/**
 * Starts the lead's workflow with a one-second closed grace period, as the ingest API would start it with the
 * default week: a won or disqualified lead then completes within the test, and a later event starts a fresh run.
 */
async function startShortGraceLead(id: string, extra: Record<string, unknown> = {}) {
  h.track(leadWorkflowId(id));
  return h.client.workflow.start(leadWorkflowType, { workflowId: leadWorkflowId(id), taskQueue: h.taskQueue, args: [{ leadId: id, closedGraceMs: 1_000, ...extra }] });
}

const later = (ms = 1_000) => new Date(Date.now() + ms).toISOString();
/** A company of its own per lead: the ledger is shared by this file's tests, and routing reads a domain's deals. */
const ownCompany = (id: string, overrides: Record<string, unknown> = {}) => midMarketLead({ email: `jana.weber@${id}.example`, domain: `${id}.example`, ...overrides });

describe('closed records on the dev server', () => {
  it('applies an event for a won lead past its grace period to the closed record, not to a new lead', async () => {
    const id = `closed-won-${Date.now()}`;
    const accountId = `acc-${id}`;
    h.track(accountWorkflowId(accountId));
    const first = await startShortGraceLead(id);
    await deliver(h, leadEvent('lead.created', id, ownCompany(id)));
    const routed = await waitForState(h, id, (s) => s.owner !== null && s.sla?.status === 'running', 'routed');
    await deliver(h, leadEvent('lead.touched', id, { by: routed.owner }));
    await deliver(h, leadEvent('opportunity.created', id, { opportunityId: `opp-${id}`, amount: 30_000 }));
    await deliver(h, leadEvent('opportunity.won', id, { opportunityId: `opp-${id}`, accountId, arr: 30_000, handoff: {} }));
    expect(await first.result()).toMatchObject({ leadId: id, status: 'won', owner: routed.owner });
    expect((await first.describe()).status.name).toBe('COMPLETED');
    const closed = (await waitForLeadRows(id, (rs) => count(rs, 'lead.closed') === 1, 'lead.closed')).find((r) => r.type === 'lead.closed')!;
    expect(closed.data).toMatchObject({ status: 'won', owner: routed.owner, tier: 'B', reopenable: false });

    // The CRM saves the lead again a week later: a fresh run starts, finds the closed record, and keeps it closed.
    const update = leadEvent('lead.updated', id, { title: 'VP Analytics' }, later());
    await deliver(h, update);
    const s = await waitForState(h, id, (x) => x.ignored.some((i) => i.eventId === update.id), 'update recorded on the closed record');
    // The closed record's counters carry on, so anything it writes later cannot collide with what it wrote before.
    expect(s).toMatchObject({ status: 'won', stage: 'Delight', owner: routed.owner, assignments: 1, sla: null });
    expect(s.ignored.find((i) => i.eventId === update.id)?.reason).toMatch(/^the lead is closed \(won since \d{4}-\d\d-\d\dT.+\)$/);
    expect(s.lead.title).not.toBe('VP Analytics');

    const rows = await waitForLeadRows(id, (rs) => rs.some((r) => r.type === 'event.ignored' && r.data.eventId === update.id), 'event.ignored for the update');
    expect(rows.find((r) => r.type === 'event.ignored' && r.data.eventId === update.id)?.data).toMatchObject({ type: 'lead.updated', key: update.key });
    // Routed once, evaluated once, closed once: nothing of a new lead.
    expect(count(rows, 'lead.assigned')).toBe(1);
    expect(count(rows, 'decision.recorded', 'data-quality')).toBe(1);
    expect(count(rows, 'sla.started')).toBe(1);
    expect(count(rows, 'lead.closed')).toBe(1);
    expect(count(rows, 'lead.reopened')).toBe(0);
    expect(await h.ledger.query('SELECT 1 FROM lead_assignments WHERE lead_id = $1', [id])).toHaveLength(1);
  });

  it('keeps a lead disqualified by a rule that cannot change closed, even on an update', async () => {
    const id = `closed-rival-${Date.now()}`;
    const first = await startShortGraceLead(id);
    await deliver(h, leadEvent('lead.created', id, midMarketLead({ email: 'spy@contoso-analytics.example', domain: 'contoso-analytics.example', company: 'Contoso Analytics' })));
    expect(await first.result()).toMatchObject({ status: 'disqualified', reason: 'works for a competitor' });
    await waitForLeadRows(id, (rs) => count(rs, 'lead.closed') === 1, 'lead.closed');

    const update = leadEvent('lead.updated', id, { email: `jana.weber@${id}.example`, domain: `${id}.example`, company: 'ShopCo GmbH' }, later());
    await deliver(h, update);
    const s = await waitForState(h, id, (x) => x.ignored.some((i) => i.eventId === update.id), 'update recorded on the closed record');
    expect(s).toMatchObject({ status: 'disqualified', stage: 'Closed', owner: null });
    expect(s.ignored.find((i) => i.eventId === update.id)?.reason).toMatch(/^the lead is closed \(disqualified since /);
    const rows = await waitForLeadRows(id, (rs) => rs.some((r) => r.type === 'event.ignored' && r.data.eventId === update.id), 'event.ignored for the update');
    expect(count(rows, 'lead.reopened')).toBe(0);
    expect(count(rows, 'decision.recorded', 'data-quality')).toBe(1);
    expect(count(rows, 'lead.assigned')).toBe(0);
  });

  it('re-opens a lead disqualified for a personal e-mail when an update brings a work address, and routes it', async () => {
    const id = `closed-freemail-${Date.now()}`;
    const first = await startShortGraceLead(id);
    // dq-personal-email (reopenable): a free-mail address and no company domain.
    const { domain: _domain, ...freemail } = ownCompany(id, { email: 'jana.weber1987@gmail.com' });
    await deliver(h, leadEvent('lead.created', id, freemail));
    expect(await first.result()).toMatchObject({ status: 'disqualified', reason: 'personal e-mail address and no company domain' });
    const closed = (await waitForLeadRows(id, (rs) => count(rs, 'lead.closed') === 1, 'lead.closed')).find((r) => r.type === 'lead.closed')!;
    expect(closed.data).toMatchObject({ status: 'disqualified', reopenable: true });

    const update = leadEvent('lead.updated', id, { email: `jana.weber@${id}.example`, domain: `${id}.example` }, later());
    await deliver(h, update);
    const s = await waitForState(h, id, (x) => x.owner !== null && x.sla?.status === 'running', 're-opened and routed');
    // The closed record's lead (company, size, source) is kept; the update adds the work address.
    expect(s).toMatchObject({ stage: 'Engage', tier: 'B', queue: 'mid-market', lead: { company: 'ShopCo GmbH', employees: 450, source: 'demo-request', domain: `${id}.example` } });
    expect(s.decisions.find((d) => d.kind === 'qualification')?.matched).toEqual(['qual-hand-raiser']);

    const rows = await waitForLeadRows(id, (rs) => count(rs, 'lead.reopened') === 1 && count(rs, 'lead.assigned') === 1, 'lead.reopened and lead.assigned');
    expect(rows.find((r) => r.type === 'lead.reopened')?.data).toMatchObject({ closedStatus: 'disqualified', reason: 'personal e-mail address and no company domain', eventId: update.id });
    expect(rows.findIndex((r) => r.type === 'lead.reopened')).toBeGreaterThan(rows.findIndex((r) => r.type === 'lead.closed'));
    expect(count(rows, 'decision.recorded', 'disqualification')).toBe(2);
  });
});

describe('long-lived de-duplication on the dev server', () => {
  it('recognises a redelivered event older than the last 200, across continue-as-new', async () => {
    const id = `dedup-${Date.now()}`;
    // A small history budget: the digests of old keys must survive several continue-as-new boundaries.
    const handle = await startShortGraceLead(id, { historyBudget: 150 });
    const created = leadEvent('lead.created', id, ownCompany(id));
    await deliver(h, created);
    const routed = await waitForState(h, id, (s) => s.owner !== null && s.sla?.status === 'running', 'routed');
    const firstDeal = leadEvent('opportunity.created', id, { opportunityId: 'opp-1', amount: 10_000 });
    await deliver(h, firstDeal);
    await waitForState(h, id, (s) => s.opportunity?.id === 'opp-1', 'first opportunity');

    // 250 touches by the owner, all applied; order does not matter within a batch, batches follow each other.
    const touches: LeadEvent[] = [];
    for (let b = 0; b < 5; b++) {
      const batch = Array.from({ length: 50 }, () => leadEvent('lead.touched', id, { by: routed.owner, channel: 'email' }));
      touches.push(...batch);
      await Promise.all(batch.map((e) => handle.signal(leadEventSignal, e)));
    }
    const secondDeal = leadEvent('opportunity.created', id, { opportunityId: 'opp-2', amount: 25_000 });
    await handle.signal(leadEventSignal, secondDeal);
    const remembered = 1 + 1 + touches.length + 1;
    const s = await waitForState(h, id, (x) => x.seen.length + (x.seenDigests?.length ?? 0) === remembered && x.opportunity?.id === 'opp-2', `${remembered} keys remembered`, 120_000);
    expect(s.runs).toBeGreaterThan(1);
    expect(s.ignored).toEqual([]);
    expect(s.seen).toHaveLength(200);
    expect(s.seenDigests).toHaveLength(remembered - 200);
    expect(s.seenDigests!.every((d) => Number.isSafeInteger(d))).toBe(true);
    // Out of the verbatim window: only the digests can recognise these.
    for (const old of [created, firstDeal, touches[0]!]) expect(s.seen).not.toContain(old.key);

    // The CRM redelivers the very first events: an unrecognised opp-1 would make it the lead's opportunity again.
    await deliver(h, created);
    await deliver(h, firstDeal);
    await deliver(h, touches[0]!);
    const after = await waitForState(h, id, (x) => x.ignored.length === 3, 'three redeliveries ignored', 30_000);
    expect(after.ignored.map((i) => [i.eventId, i.reason])).toEqual([
      [created.id, DUPLICATE],
      [firstDeal.id, DUPLICATE],
      [touches[0]!.id, DUPLICATE],
    ]);
    expect(after.opportunity).toMatchObject({ id: 'opp-2', amount: 25_000 });
    expect(after.status).toBe('opportunity');
    expect(after.decisions.filter((d) => d.kind === 'data-quality')).toHaveLength(1);

    const rows = await waitForLeadRows(id, (rs) => rs.filter((r) => r.type === 'deal.created').length === 2 && count(rs, 'sla.met') === 1, 'both deals and the met SLA');
    expect(rows.filter((r) => r.type === 'deal.created').map((r) => r.data.opportunityId)).toEqual(['opp-1', 'opp-2']);
    expect(count(rows, 'decision.recorded', 'data-quality')).toBe(1);
    expect(count(rows, 'lead.assigned')).toBe(1);
    expect(count(rows, 'event.ignored')).toBe(0);
    expect((await leadState(h, id)).runs).toBeGreaterThan(1);
  });
});

describe('a lead blocked by missing data', () => {
  it('tells marketing which fields are missing, once per set of fields, and its arrival in Attract is on the ledger', async () => {
    const id = `blocked-${Date.now()}`;
    const { company: _company, ...noCompany } = ownCompany(id);
    await deliver(h, leadEvent('lead.created', id, noCompany));
    const s = await waitForState(h, id, (x) => x.status === 'blocked-data' && (x.blocked?.notices ?? 0) === 1, 'blocked, marketing told');
    expect(s).toMatchObject({ stage: 'Attract', owner: null, blocked: { missing: ['lead.company'], notices: 1 } });

    const blocked = (await waitForLeadRows(id, (rs) => count(rs, 'lead.blocked') === 1, 'lead.blocked')).find((r) => r.type === 'lead.blocked')!;
    expect(blocked.data.missingFields).toEqual(['lead.company']);
    expect(blocked.data.blockedBy).toEqual(expect.arrayContaining(['lead.company: company is missing']));
    expect(blocked.data.notified).toEqual(expect.arrayContaining(['lena-vogel', 'marketing']));
    expect(blocked.stage).toBe('Attract');

    // A save that still lacks the company is evaluated again, but marketing already knows.
    await deliver(h, leadEvent('lead.updated', id, { title: 'VP Analytics' }, later()));
    const again = await waitForState(h, id, (x) => x.lead.title === 'VP Analytics' && x.decisions.filter((d) => d.kind === 'data-quality').length === 2, 'evaluated again');
    expect(again).toMatchObject({ status: 'blocked-data', blocked: { missing: ['lead.company'], notices: 1 } });
    // The second evaluation's rows are flushed after any notice would have been written.
    const rows = await waitForLeadRows(id, (rs) => count(rs, 'decision.recorded', 'data-quality') === 2, 'second evaluation on the ledger');
    expect(count(rows, 'lead.blocked')).toBe(1);

    // Arrival in Attract: one stage.changed row, so friction metrics see the lead sitting blocked.
    const arrivals = rows.filter((r) => r.type === 'stage.changed' && r.data.arrived === true);
    expect(arrivals).toHaveLength(1);
    expect(arrivals[0]).toMatchObject({ stage: 'Attract', data: { status: 'blocked-data', source: 'demo-request' } });

    // Once the company is known the lead qualifies and goes to sales.
    await deliver(h, leadEvent('lead.updated', id, { company: 'ShopCo GmbH' }, later(2_000)));
    const routed = await waitForState(h, id, (x) => x.owner !== null && x.sla?.status === 'running', 'routed once unblocked');
    expect(routed.blocked).toBeNull();
    const final = await waitForLeadRows(id, (rs) => count(rs, 'lead.assigned') === 1, 'lead.assigned');
    expect(count(final, 'lead.blocked')).toBe(1);
  });
});

describe('a churned account past its grace period', () => {
  it('applies a later event to the closed record instead of waiting for a hand-off as a new account', async () => {
    const accountId = `acc-closed-${Date.now()}`;
    h.track(accountWorkflowId(accountId));
    const first = await h.client.workflow.start(accountWorkflowType, { workflowId: accountWorkflowId(accountId), taskQueue: h.taskQueue, args: [{ accountId, closedGraceMs: 1_000 }] });
    await deliverToAccount(h, handoffReceived(accountId, new Date().toISOString()));
    const onboarding = await waitForAccount(h, accountId, (s) => s.status === 'onboarding' && s.kickoff !== null, 'onboarding');
    await deliverToAccount(h, accountEvent('account.churned', accountId, { reason: 'no-adoption' }));
    expect(await first.result()).toMatchObject({ accountId, status: 'churned', arr: 0, churnReason: 'no-adoption' });
    expect((await first.describe()).status.name).toBe('COMPLETED');
    type ARow = { type: string; data: Record<string, unknown> };
    const closed = (await waitForLedger<ARow>(h, accountId, (rs) => rs.some((r) => r.type === 'account.closed'), 'account.closed')).find((r) => r.type === 'account.closed')!;
    expect(closed.data).toMatchObject({ status: 'churned', reason: 'no-adoption', owner: onboarding.csOwner, snapshot: { name: 'ShopCo GmbH', domain: 'shopco.example' } });

    const report = accountEvent('account.health_reported', accountId, { activeSeatRatio: 0.3, daysSinceLastLogin: 20, nps: { score: -10, responses: 4 } });
    await deliverToAccount(h, report);
    const s = await waitForAccount(h, accountId, (x) => x.status !== 'awaiting-handoff' && x.ignored.some((i) => i.eventId === report.id), 'report recorded on the closed record');
    expect(s).toMatchObject({ stage: 'Closed', status: 'churned', arr: 0, csOwner: onboarding.csOwner, name: 'ShopCo GmbH', churn: { reason: 'no-adoption' } });
    expect(s.ignored.find((i) => i.eventId === report.id)?.reason).toBe('the account churned');
    expect(s.health).toBeNull();
    expect(s.early).toEqual([]);
    const rows = await waitForLedger<ARow>(h, accountId, (rs) => rs.some((r) => r.type === 'event.ignored' && r.data.eventId === report.id), 'event.ignored for the report');
    // No new customer: no second assignment, kickoff clock, or playbook for a churned account.
    expect(rows.filter((r) => r.type === 'cs.assigned')).toHaveLength(1);
    expect(rows.filter((r) => r.type === 'sla.started')).toHaveLength(1);
    expect(rows.filter((r) => r.type === 'health.scored' || r.type === 'playbook.started')).toHaveLength(0);
    expect(rows.filter((r) => r.type === 'account.closed')).toHaveLength(1);
  });
});
