import type { FastifyInstance } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { HubSpotConfig } from '../../src/config/types.ts';
import { hubspotInbound } from '../../src/connectors/hubspot/inbound.ts';
import { TemporalEventSink } from '../../src/ingest/temporalSink.ts';
import { buildApp } from '../../src/server/app.ts';
import { HUBSPOT_WEBHOOK_PATH } from '../../src/server/routes/connectors/hubspot.ts';
import { HubSpotContractServer } from '../contracts/hubspot/server.ts';
import { registerWrites } from '../contracts/hubspot/writes.ts';
import { contactCreation, contactPropertyChange, dealCreation, dealStageChange, freshObjectId, postWebhook, redelivery, ticketCreation, type WebhookEvent } from '../contracts/hubspot/webhooks.ts';
import { eventually } from '../support/eventually.ts';
import { alwaysOpen, leadState, waitForState } from '../support/leads.ts';
import { createHarness, type TestHarness } from '../support/temporal.ts';

const SECRET = 'hubspot-client-secret-not-real';
const TOKEN = 'pat-na1-hubspot-inbound-test';
const TOKEN_ENV = 'FLYWHEEL_TEST_HUBSPOT_INBOUND_TOKEN';
const PORTAL = { portalId: 62515, appId: 1160452 };

let h: TestHarness;
let crm: HubSpotContractServer;
let app: FastifyInstance;
let hubspot: HubSpotConfig;
let url: string;

beforeAll(async () => {
  crm = await HubSpotContractServer.start({ accessToken: TOKEN });
  registerWrites(crm);
  // The worker's write-back reads its token from the environment variable the configuration names.
  process.env[TOKEN_ENV] = TOKEN;
  h = await createHarness('dev', 'hubspot-inbound', {
    adjust: (loaded) => {
      alwaysOpen(loaded);
      const owners = Object.fromEntries(loaded.config.reps.map((r, i) => [r.id, String(90_000 + i)]));
      crm.seed({ owners: loaded.config.reps.map((r, i) => ({ id: String(90_000 + i), email: r.email ?? `${r.id}@northwind.example`, firstName: r.name, userId: 7_000 + i })) });
      loaded.config.connections = {
        ...loaded.config.connections,
        hubspot: {
          appId: PORTAL.appId,
          portalId: PORTAL.portalId,
          baseUrl: crm.url,
          accessTokenEnv: TOKEN_ENV,
          clientSecretEnv: 'FLYWHEEL_TEST_HUBSPOT_INBOUND_SECRET',
          owners,
          properties: {
            contact: {
              email: 'email',
              firstName: 'firstname',
              lastName: 'lastname',
              title: 'jobtitle',
              company: 'company',
              domain: 'website',
              country: 'country',
              employees: 'numberofemployees',
              industry: 'industry',
              source: 'lead_source',
            },
          },
          dealStages: { won: ['closedwon'], lost: ['closedlost'] },
        },
      };
    },
  });
  hubspot = h.deps.config.config.connections!.hubspot!;
  const sink = new TemporalEventSink(h.client, h.taskQueue);
  const env = { FLYWHEEL_TEST_HUBSPOT_INBOUND_SECRET: SECRET, [TOKEN_ENV]: TOKEN };
  app = buildApp({ checks: {}, hubspot: hubspotInbound(h.deps.config.config, { sink, ledger: h.ledger }, env) });
  await app.listen({ host: '127.0.0.1', port: 0 });
  url = `http://127.0.0.1:${(app.server.address() as { port: number }).port}${HUBSPOT_WEBHOOK_PATH}`;
});
afterAll(async () => {
  await app?.close();
  await h?.close();
  await crm?.close();
  delete process.env[TOKEN_ENV];
});

/** A HubSpot contact like the mid-market demo request the shipped rules route to sales. */
function seedContact(overrides: Record<string, string> = {}): { id: number; leadId: string } {
  const id = freshObjectId();
  crm.upsert('contacts', String(id), {
    email: `jana.weber.${id}@shopco.example`,
    firstname: 'Jana',
    lastname: 'Weber',
    jobtitle: 'Head of Analytics',
    company: 'ShopCo GmbH',
    website: `https://www.shop${id}.example/`,
    country: 'Germany',
    numberofemployees: '450',
    industry: 'ecommerce',
    lead_source: 'demo-request',
    ...overrides,
  });
  return { id, leadId: `hubspot-${id}` };
}

const post = (events: WebhookEvent[], opts: Parameters<typeof postWebhook>[3] = {}) => postWebhook(url, SECRET, events, opts);
const track = (leadId: string) => h.track(`lead:${leadId}`);

async function ledgerRows(leadId: string): Promise<{ key: string; type: string; data: Record<string, unknown> }[]> {
  return h.ledger.query('SELECT event_key AS key, type, data FROM ledger_events WHERE lead_id = $1 ORDER BY id', [leadId]);
}
const routingDecisions = async (leadId: string) => (await ledgerRows(leadId)).filter((r) => r.type === 'decision.recorded' && r.data.kind === 'routing').length;

async function workflowExists(leadId: string): Promise<boolean> {
  try {
    await h.client.workflow.getHandle(`lead:${leadId}`).describe();
    return true;
  } catch (e) {
    if ((e as Error).name === 'WorkflowNotFoundError') return false;
    throw e;
  }
}

describe('POST /v1/connectors/hubspot/webhook', () => {
  it('turns documented webhook batches into lead and deal events in real workflows', async () => {
    const { id, leadId } = seedContact();
    track(leadId);
    const ticket = ticketCreation(PORTAL, freshObjectId());
    const created = await post([contactCreation(PORTAL, id), ticket]);
    expect(created.status).toBe(202);
    expect(created.body).toMatchObject({
      accepted: [{ type: 'lead.created', source: `hubspot://portal/${PORTAL.portalId}`, workflowId: `lead:${leadId}`, duplicate: false }],
      ignored: [{ subscriptionType: 'ticket.creation', kind: 'unsupported' }],
    });
    const assigned = await waitForState(h, leadId, (s) => s.owner !== null, 'assigned');
    expect(assigned.lead).toMatchObject({
      email: `jana.weber.${id}@shopco.example`,
      country: 'DE',
      employees: 450,
      domain: `shop${id}.example`,
      source: 'demo-request',
      crm: { system: 'hubspot', objectType: 'contact', id: String(id) },
    });
    const ignoredRow = await h.ledger.query<{ n: number }>(
      "SELECT count(*)::int AS n FROM ledger_events WHERE type = 'event.ignored' AND data->>'subscriptionType' = 'ticket.creation' AND data->>'objectId' = $1",
      [String(ticket.objectId)],
    );
    expect(Number(ignoredRow[0]!.n)).toBe(1);

    // A property change: the current record is read and the lead updated.
    crm.upsert('contacts', String(id), { jobtitle: 'VP Data' });
    const changed = await post([contactPropertyChange(PORTAL, id, 'jobtitle', 'VP Data')]);
    expect(changed.status).toBe(202);
    await waitForState(h, leadId, (s) => s.lead.title === 'VP Data', 'title updated');

    // The deal: created (its associated contact is the lead), then won on its company's account.
    const dealId = freshObjectId();
    const companyId = freshObjectId();
    crm.upsert('deals', String(dealId), { dealname: 'ShopCo analytics', dealstage: 'appointmentscheduled', amount: '24000', deal_currency_code: 'EUR', pipeline: 'default' });
    crm.upsert('companies', String(companyId), { name: 'ShopCo GmbH', domain: `shop${id}.example` });
    crm.associate('deals', String(dealId), 'contacts', String(id));
    crm.associate('deals', String(dealId), 'companies', String(companyId));
    const deal = await post([dealCreation(PORTAL, dealId)]);
    expect(deal.body).toMatchObject({ accepted: [{ type: 'opportunity.created', workflowId: `lead:${leadId}` }] });
    await waitForState(h, leadId, (s) => s.status === 'opportunity', 'opportunity');

    crm.upsert('deals', String(dealId), { dealstage: 'closedwon' });
    const won = await post([dealStageChange(PORTAL, dealId, 'closedwon')]);
    expect(won.body).toMatchObject({ accepted: [{ type: 'opportunity.won' }] });
    h.track(`account:hubspot-company-${companyId}`);
    await waitForState(h, leadId, (s) => s.status === 'won', 'won');
    const rows = await eventually(
      () => ledgerRows(leadId),
      (rs) => rs.some((r) => r.type === 'deal.won'),
      'deal.won row',
    );
    expect(rows.find((r) => r.type === 'deal.won')!.data).toMatchObject({ opportunityId: String(dealId) });
    const account = await h.ledger.query<{ account_id: string; arr_delta: string }>("SELECT account_id, arr_delta FROM ledger_events WHERE type = 'deal.won' AND lead_id = $1", [leadId]);
    expect(account[0]).toMatchObject({ account_id: `hubspot-company-${companyId}` });
    expect(Number(account[0]!.arr_delta)).toBe(24000);
  });

  it('refuses a wrong signature and a stale timestamp with 401 problem+json, delivering nothing', async () => {
    const { id, leadId } = seedContact();
    const reads = crm.requests.length;
    const batch = [contactCreation(PORTAL, id)];
    const wrong = await post(batch, { signWith: 'not-the-client-secret' });
    expect(wrong.status).toBe(401);
    expect(wrong.headers.get('content-type')).toContain('application/problem+json');
    expect(wrong.body).toMatchObject({ type: '/problems/unauthorized', status: 401, detail: expect.stringContaining('does not match') });
    const stale = await post(batch, { timestampMs: Date.now() - 6 * 60_000 });
    expect(stale.status).toBe(401);
    expect(stale.body).toMatchObject({ type: '/problems/unauthorized', detail: expect.stringContaining('older than 300 s') });
    const unsigned = await fetch(url, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(batch) });
    expect(unsigned.status).toBe(401);
    expect(crm.requests.length).toBe(reads);
    expect(await workflowExists(leadId)).toBe(false);
    const receipts = await h.ledger.query('SELECT 1 FROM ingest_receipts WHERE workflow_id = $1', [`lead:${leadId}`]);
    expect(receipts).toHaveLength(0);
  });

  it('refuses events of another app or portal with 403, naming the field', async () => {
    const { id, leadId } = seedContact();
    const res = await post([contactCreation({ portalId: PORTAL.portalId, appId: 999 }, id)]);
    expect(res.status).toBe(403);
    expect(res.body).toMatchObject({ type: '/problems/forbidden', errors: [{ pointer: '/0/appId' }] });
    const portal = await post([contactCreation({ portalId: 1, appId: PORTAL.appId }, id)]);
    expect(portal.body).toMatchObject({ status: 403, errors: [{ pointer: '/0/portalId' }] });
    expect(await workflowExists(leadId)).toBe(false);
  });

  it('applies a redelivered batch once (same body, new timestamp and signature, attemptNumber + 1)', async () => {
    const { id, leadId } = seedContact();
    track(leadId);
    const ticket = ticketCreation(PORTAL, freshObjectId());
    const batch = [contactCreation(PORTAL, id), contactPropertyChange(PORTAL, id, 'country', 'Germany'), ticket];
    const first = await post(batch);
    expect(first.status).toBe(202);
    expect((first.body.accepted as { duplicate: boolean }[]).map((a) => a.duplicate)).toEqual([false, false]);
    const again = await post(redelivery(batch), { timestampMs: Date.now() + 1 });
    expect(again.status).toBe(202);
    expect((again.body.accepted as { id: string; duplicate: boolean }[]).map((a) => [a.id, a.duplicate])).toEqual((first.body.accepted as { id: string }[]).map((a) => [a.id, true]));

    const s = await waitForState(h, leadId, (st) => st.owner !== null && st.ignored.filter((i) => i.reason.startsWith('duplicate delivery')).length === 2, 'both repeats ignored');
    expect(s.ignored.filter((i) => i.reason.startsWith('duplicate delivery'))).toHaveLength(2);
    expect(await routingDecisions(leadId)).toBe(1);
    const assignments = await h.ledger.query('SELECT 1 FROM lead_assignments WHERE lead_id = $1', [leadId]);
    expect(assignments).toHaveLength(1);
    const ignored = await h.ledger.query("SELECT 1 FROM ledger_events WHERE type = 'event.ignored' AND data->>'objectId' = $1", [String(ticket.objectId)]);
    expect(ignored).toHaveLength(1);
  });

  it("does not re-route on the echo of Flywheel's own owner write, and records a HubSpot reassignment without re-routing", async () => {
    const { id, leadId } = seedContact();
    track(leadId);
    expect((await post([contactCreation(PORTAL, id)])).status).toBe(202);
    const assigned = await waitForState(h, leadId, (s) => s.owner !== null, 'assigned');
    const ownerId = hubspot.owners![assigned.owner!]!;
    // The write-back set the owner in HubSpot (the contract server recorded it).
    await eventually(
      async () => crm.get('contacts', String(id))?.properties.hubspot_owner_id ?? undefined,
      (v) => v === ownerId,
      'owner written back to HubSpot',
    );
    const before = await leadState(h, leadId);

    // HubSpot tells every subscriber about that change, Flywheel included: sourceId names this app.
    const echo = await post([contactPropertyChange(PORTAL, id, 'hubspot_owner_id', ownerId, { changeSource: 'INTEGRATION', sourceId: `app-${PORTAL.appId}` })]);
    expect(echo.status).toBe(202);
    expect(echo.body).toMatchObject({ accepted: [], ignored: [{ kind: 'echo', reason: expect.stringContaining("flywheel's own write") }] });
    const echoRows = (await ledgerRows(leadId)).filter((r) => r.type === 'event.ignored' && r.data.kind === 'echo');
    expect(echoRows).toHaveLength(1);
    const after = await leadState(h, leadId);
    expect(after.owner).toBe(assigned.owner);
    expect(after.leadUpdatedAt).toBe(before.leadUpdatedAt);
    expect(await routingDecisions(leadId)).toBe(1);

    // A person reassigns the contact in HubSpot: recorded on the lead (crm.ownerId), Flywheel does not route again.
    const other = Object.values(hubspot.owners!).find((o) => o !== ownerId)!;
    crm.upsert('contacts', String(id), { hubspot_owner_id: other });
    const human = await post([contactPropertyChange(PORTAL, id, 'hubspot_owner_id', other)]);
    expect(human.body).toMatchObject({ accepted: [{ type: 'lead.updated' }] });
    const updated = await waitForState(h, leadId, (s) => (s.lead.crm as { ownerId?: string } | undefined)?.ownerId === other, 'HubSpot owner recorded');
    expect(updated.owner).toBe(assigned.owner);
    expect(await routingDecisions(leadId)).toBe(1);
  });

  it('answers 503 with Retry-After when HubSpot rate-limits the batch read, and delivers nothing until HubSpot redelivers', async () => {
    const { id, leadId } = seedContact();
    track(leadId);
    const batch = [contactCreation(PORTAL, id)];
    crm.rateLimit(1, 9);
    const limited = await post(batch);
    expect(limited.status).toBe(503);
    expect(limited.headers.get('retry-after')).toBe('9');
    expect(limited.body).toMatchObject({ type: '/problems/crm-unavailable', detail: expect.stringContaining('429') });
    expect(await workflowExists(leadId)).toBe(false);

    const retried = await post(redelivery(batch));
    expect(retried.status).toBe(202);
    await waitForState(h, leadId, (s) => s.status !== 'new', 'created on redelivery');
  });

  it('verifies against the configured public URL when a proxy stands in front', async () => {
    const { id, leadId } = seedContact();
    track(leadId);
    hubspot.publicUrl = 'https://flywheel.example.com/hooks/hubspot';
    try {
      const batch = [contactCreation(PORTAL, id)];
      const body = JSON.stringify(batch);
      const { v3Headers } = await import('../contracts/hubspot/webhooks.ts');
      const local = await post(batch);
      expect(local.status).toBe(401);
      const res = await fetch(url, { method: 'POST', headers: v3Headers(SECRET, hubspot.publicUrl, body), body });
      expect(res.status).toBe(202);
    } finally {
      delete hubspot.publicUrl;
    }
    await waitForState(h, leadId, (s) => s.status !== 'new', 'created');
  });
});
