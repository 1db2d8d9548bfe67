import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { leadWorkflowId } from '../../workflows/definitions.ts';
import { createHarness, type TestHarness } from '../support/temporal.ts';
import { alwaysOpen, deliver, leadEvent, midMarketLead, waitForState } from '../support/leads.ts';
import { eventually } from '../support/eventually.ts';

type Row = { type: string; key: string; data: Record<string, unknown> };

/** A CRM webhook receiver that answers every request with one status and counts what it got. */
async function crm(status: number): Promise<{ url: string; hits: () => number; close: () => Promise<void> }> {
  let hits = 0;
  const server = http.createServer((req, res) => {
    hits++;
    req.resume();
    res.writeHead(status, { 'content-type': 'application/json' }).end('{}');
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const { port } = server.address() as AddressInfo;
  return { url: `http://127.0.0.1:${port}/hooks`, hits: () => hits, close: () => new Promise((r) => server.close(() => r())) };
}

/** A dev-server harness whose CRM webhook answers `status`, for the enclosing describe block. */
function withCrm(status: number, name: string): { h: () => TestHarness; crm: () => Awaited<ReturnType<typeof crm>> } {
  let h: TestHarness;
  let receiver: Awaited<ReturnType<typeof crm>>;
  beforeAll(async () => {
    receiver = await crm(status);
    h = await createHarness('dev', name, { adjust: alwaysOpen, webhookUrl: receiver.url });
  });
  afterAll(async () => {
    await h?.close();
    await receiver?.close();
  });
  return { h: () => h, crm: () => receiver };
}

function rowsOf(h: TestHarness, leadId: string, done: (rs: Row[]) => boolean, what: string): Promise<Row[]> {
  const q = () => h.ledger.query<Row>('SELECT type, event_key AS key, data FROM ledger_events WHERE lead_id = $1 ORDER BY id', [leadId]);
  return eventually(q, done, (last) => `ledger of ${leadId} never showed "${what}"; types: ${(last ?? []).map((r) => r.type).join(', ')}`, 20_000);
}

describe('a CRM that is down delays only the CRM (dev server)', () => {
  const env = withCrm(503, 'crm-down');

  it('starts the SLA clock and applies later events while the assignment webhook keeps failing', async () => {
    const h = env.h();
    const down = env.crm();
    const id = `crm-down-${Date.now()}`;
    await deliver(h, leadEvent('lead.created', id, midMarketLead({ email: 'down@crmdown.example', domain: 'crmdown.example' })));
    const s = await waitForState(h, id, (x) => x.sla?.status === 'running', 'SLA running');
    await rowsOf(h, id, (rs) => rs.some((r) => r.type === 'sla.started'), 'sla.started');
    // The webhook is still being retried: the CRM was asked, and the activity is pending with more than one attempt.
    const pending = await eventually(
      async () => (await h.client.workflow.getHandle(leadWorkflowId(id)).describe()).raw.pendingActivities ?? [],
      (acts) => acts.some((a) => a.activityType?.name === 'notifyCrm' && (a.attempt ?? 0) > 1) && down.hits() > 1,
      'notifyCrm retrying',
    );
    expect(pending.find((a) => a.activityType?.name === 'notifyCrm')?.lastFailure?.message).toMatch(/answered 503/);
    await deliver(h, leadEvent('lead.touched', id, { by: s.owner }));
    await waitForState(h, id, (x) => x.sla?.status === 'met', 'met while the CRM is down');
  });
});

describe('a CRM that refuses the request, and data the ledger refuses (dev server)', () => {
  const env = withCrm(400, 'crm-refuses');

  it('records a refused notification as a dead letter at once and goes on', async () => {
    const h = env.h();
    const refusing = env.crm();
    const id = `crm-400-${Date.now()}`;
    await deliver(h, leadEvent('lead.created', id, midMarketLead({ email: 'no@crm400.example', domain: 'crm400.example' })));
    const s = await waitForState(h, id, (x) => x.sla?.status === 'running', 'SLA running');
    const rows = await rowsOf(h, id, (rs) => rs.some((r) => r.type === 'notification.failed'), 'notification.failed');
    expect(rows.find((r) => r.type === 'notification.failed')?.data).toMatchObject({ notification: 'crm assignment', activity: 'notifyCrm', type: 'CrmRejected' });
    expect(refusing.hits()).toBe(1);
    await deliver(h, leadEvent('lead.touched', id, { by: s.owner }));
    await waitForState(h, id, (x) => x.sla?.status === 'met', 'met');
  });

  it('replaces a ledger row it cannot store with a lead.failed row, keeps the rest, and applies later events', async () => {
    const h = env.h();
    const id = `poison-${Date.now()}`;
    await deliver(h, leadEvent('lead.created', id, midMarketLead({ email: 'p@poison.example', domain: 'poison.example' })));
    const s = await waitForState(h, id, (x) => x.sla?.status === 'running', 'SLA running');
    await deliver(h, leadEvent('lead.touched', id, { by: s.owner }));
    // Past the ledger's amount cap: the deal row is refused, the opportunity itself is applied.
    await deliver(h, leadEvent('opportunity.created', id, { opportunityId: 'opp-big', amount: 1e17 }));
    await waitForState(h, id, (x) => x.opportunity?.id === 'opp-big', 'opportunity applied');
    const rows = await rowsOf(h, id, (rs) => rs.some((r) => r.type === 'lead.failed'), 'lead.failed');
    const failed = rows.find((r) => r.type === 'lead.failed')!;
    expect(failed.data).toMatchObject({ what: 'ledger row refused', refusedType: 'deal.created' });
    expect(String(failed.data.cause)).toMatch(/amount/);
    expect(rows.some((r) => r.type === 'sla.met')).toBe(true);

    // A step that fails for good (the hand-off row cannot be stored) is on record; the lead goes on. The win is one
    // step (its rows, the hand-off, the release): the failure names it.
    await deliver(h, leadEvent('opportunity.won', id, { opportunityId: 'opp-big', accountId: `acc-${id}`, arr: 1e17, amount: 1e17 }));
    const won = await waitForState(h, id, (x) => (x.failures ?? []).length > 0, 'failure recorded');
    expect(won.failures?.[0]).toMatchObject({ activity: 'winLead', type: 'InvalidData', eventType: 'opportunity.won' });
    expect(won.failures?.[0]?.message).toMatch(/handoff:opp-big.*amount/);
    await rowsOf(h, id, (rs) => rs.some((r) => r.type === 'lead.failed' && r.data.activity === 'winLead'), 'lead.failed for the hand-off');
    await deliver(h, leadEvent('lead.touched', id, { by: s.owner }));
    await waitForState(h, id, (x) => x.ignored.some((i) => /closed/.test(i.reason)), 'later event applied to the closed lead');
  });

  it('records the events it cannot keep before a lead exists instead of dropping them', async () => {
    const h = env.h();
    const id = `early-flood-${Date.now()}`;
    const touches = Array.from({ length: 55 }, (_, i) => leadEvent('lead.touched', id, { by: 'noah-fischer', n: i }));
    for (let i = 0; i < touches.length; i += 11) await Promise.all(touches.slice(i, i + 11).map((t) => deliver(h, t)));
    const rows = await rowsOf(h, id, (rs) => rs.filter((r) => r.type === 'event.ignored').length === 5, 'five ignored');
    expect(rows.filter((r) => r.type === 'event.ignored').every((r) => /does not exist yet and 50 earlier events/.test(String(r.data.reason)))).toBe(true);
  });
});
