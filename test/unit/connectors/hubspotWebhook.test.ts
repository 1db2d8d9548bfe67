import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { FlywheelConfig } from '../../../src/config/types.ts';
import { validateBatch } from '../../../src/events/validate.ts';
import { createHubSpotReader, HubSpotReadError } from '../../../src/connectors/hubspot/reader.ts';
import { eventIdentity, ignoredRows, isOwnWrite, parseWebhookBatch, resolveBatch, senderProblems } from '../../../src/connectors/hubspot/webhook.ts';
import { HubSpotContractServer } from '../../contracts/hubspot/server.ts';
import { contactCreation, contactPropertyChange, dealCreation, dealStageChange, redelivery, ticketCreation } from '../../contracts/hubspot/webhooks.ts';

const TOKEN = 'pat-na1-contract-test-token';
const PORTAL = { portalId: 62515, appId: 54321 };
let crm: HubSpotContractServer;
let config: FlywheelConfig;

beforeAll(async () => {
  crm = await HubSpotContractServer.start({
    accessToken: TOKEN,
    seed: {
      contacts: [
        {
          id: '501',
          properties: {
            email: 'jana.weber@shopco.example',
            firstname: 'Jana',
            lastname: 'Weber',
            company: 'ShopCo GmbH',
            website: 'shopco.example',
            country: 'Germany',
            numberofemployees: '450',
            hubspot_owner_id: '9001',
            lead_source: 'demo-request',
          },
        },
        { id: '502', properties: { email: 'tom@acme.example', country: 'US' } },
      ],
      deals: [
        { id: '7001', properties: { dealname: 'ShopCo', dealstage: 'appointmentscheduled', amount: '24000', deal_currency_code: 'EUR', pipeline: 'default' } },
        { id: '7002', properties: { dealname: 'Acme', dealstage: 'closedlost', amount: '5000', closed_lost_reason: 'went with a competitor' } },
        { id: '7003', properties: { dealname: 'Orphan', dealstage: 'closedwon', amount: '1' } },
      ],
      companies: [{ id: '3001', properties: { name: 'ShopCo GmbH', domain: 'shopco.example', numberofemployees: '500' } }],
      associations: [
        ['deals', '7001', 'contacts', '501'],
        ['deals', '7001', 'companies', '3001'],
        ['deals', '7002', 'contacts', '502'],
        ['companies', '3001', 'contacts', '501'],
      ],
    },
  });
  config = {
    connections: {
      hubspot: {
        appId: PORTAL.appId,
        baseUrl: crm.url,
        owners: { 'anna-schmidt': '9001' },
        properties: {
          contact: { email: 'email', firstName: 'firstname', lastName: 'lastname', company: 'company', domain: 'website', country: 'country', employees: 'numberofemployees', source: 'lead_source' },
        },
        dealStages: { won: ['closedwon'], lost: ['closedlost'] },
      },
    },
  } as unknown as FlywheelConfig;
});
afterAll(() => crm?.close());

const reader = () => createHubSpotReader({ accessToken: TOKEN, baseUrl: crm.url });
const deps = (known: string[] = []) => ({ config, reader: reader(), knownLeads: async (ids: string[]) => new Set(ids.filter((i) => known.includes(i))) });

describe('HubSpot webhook batches', () => {
  it('refuses a body that is not a batch of subscription events, naming each field', () => {
    expect(parseWebhookBatch({ eventId: 1 })).toMatchObject({ ok: false, errors: [{ pointer: '', detail: 'must be an array' }] });
    const bad = parseWebhookBatch([{ ...contactCreation(PORTAL, 1), objectId: 'x', subscriptionType: undefined }]);
    expect(bad.ok).toBe(false);
    expect(!bad.ok && bad.errors.map((e) => e.pointer)).toEqual(['/0/objectId', '/0/subscriptionType']);
    expect(parseWebhookBatch([contactCreation(PORTAL, 1)]).ok).toBe(true);
  });

  it('names events of another app or portal', () => {
    const events = [contactCreation(PORTAL, 1), contactCreation({ portalId: 1, appId: 2 }, 2)];
    expect(senderProblems(events, { appId: PORTAL.appId })).toEqual([{ pointer: '/1/appId', detail: expect.stringContaining('app 2') }]);
    expect(senderProblems(events, { appId: PORTAL.appId, portalId: PORTAL.portalId }).map((p) => p.pointer)).toEqual(['/1/appId', '/1/portalId']);
  });

  it("keeps an event's identity across redeliveries and tells HubSpot's same-eventId events apart", () => {
    const e = contactPropertyChange(PORTAL, 501, 'email', 'x@y.example');
    expect(eventIdentity(redelivery([e])[0]!)).toBe(eventIdentity(e));
    expect(eventIdentity({ ...e, propertyName: 'country' })).not.toBe(eventIdentity(e));
    expect(eventIdentity({ ...e, occurredAt: e.occurredAt + 1 })).not.toBe(eventIdentity(e));
  });

  it("recognises this app's own writes by sourceId", () => {
    const e = contactPropertyChange(PORTAL, 501, 'hubspot_owner_id', '9001');
    expect(isOwnWrite({ ...e, changeSource: 'INTEGRATION', sourceId: `app-${PORTAL.appId}` }, PORTAL.appId)).toBe(true);
    expect(isOwnWrite({ ...e, changeSource: 'API', sourceId: String(PORTAL.appId) }, PORTAL.appId)).toBe(true);
    expect(isOwnWrite({ ...e, changeSource: 'INTEGRATION', sourceId: 'app-999' }, PORTAL.appId)).toBe(false);
    expect(isOwnWrite(e, PORTAL.appId)).toBe(false);
  });

  it('turns a documented batch into lead and deal events with one batch read per object type', async () => {
    crm.resetRecords();
    const batch = [
      contactCreation(PORTAL, 501),
      contactPropertyChange(PORTAL, 501, 'country', 'Germany'),
      contactPropertyChange(PORTAL, 502, 'lifecyclestage', 'lead'),
      contactPropertyChange(PORTAL, 501, 'hubspot_owner_id', '9001'),
      contactPropertyChange(PORTAL, 501, 'hubspot_owner_id', '9002', { changeSource: 'INTEGRATION', sourceId: `app-${PORTAL.appId}` }),
      dealCreation(PORTAL, 7001),
      dealStageChange(PORTAL, 7002, 'closedlost'),
      dealStageChange(PORTAL, 7001, 'qualifiedtobuy'),
      dealStageChange(PORTAL, 7003, 'closedwon'),
      ticketCreation(PORTAL, 42),
      contactCreation(PORTAL, 999),
    ];
    const { events, ignored } = await resolveBatch(batch, deps());
    expect(validateBatch(events)).toEqual([]);
    expect(events.map((e) => [e.type, e.subject])).toEqual([
      ['lead.created', 'hubspot-501'],
      ['lead.updated', 'hubspot-501'],
      ['lead.updated', 'hubspot-501'],
      ['opportunity.created', 'hubspot-501'],
      ['opportunity.lost', 'hubspot-502'],
    ]);
    expect(events[0]).toMatchObject({
      source: 'hubspot://portal/62515',
      id: eventIdentity(batch[0]!),
      time: new Date(batch[0]!.occurredAt).toISOString(),
      data: {
        email: 'jana.weber@shopco.example',
        country: 'DE',
        employees: 450,
        domain: 'shopco.example',
        source: 'demo-request',
        crm: { system: 'hubspot', objectType: 'contact', id: '501', portalId: 62515, ownerId: '9001', owner: 'anna-schmidt' },
      },
    });
    expect(events[2]!.data.crm).toMatchObject({ ownerId: '9001', ownerChangedAt: expect.any(String) });
    expect(events[3]!.data).toMatchObject({ opportunityId: '7001', amount: 24000, currency: 'EUR', stage: 'appointmentscheduled' });
    expect(events[4]!.data).toMatchObject({ opportunityId: '7002', reason: 'went with a competitor' });
    expect(ignored.map((i) => [i.event.subscriptionType, i.event.objectId, i.kind])).toEqual([
      ['contact.propertyChange', 502, 'unmapped'],
      ['contact.propertyChange', 501, 'echo'],
      ['deal.propertyChange', 7001, 'stage'],
      ['ticket.creation', 42, 'unsupported'],
      ['deal.propertyChange', 7003, 'no-contact'],
      ['contact.creation', 999, 'no-record'],
    ]);
    // One batch read per object type, of the configured properties only.
    const reads = crm.requestsTo('POST', /\/crm\/v3\/objects\/\w+\/batch\/read$/);
    expect(reads.map((r) => r.path).sort()).toEqual(['/crm/v3/objects/contacts/batch/read', '/crm/v3/objects/deals/batch/read']);
    const contactRead = reads.find((r) => r.path.includes('contacts'))!.body as { properties: string[]; inputs: { id: string }[] };
    expect(contactRead.properties).toEqual(['company', 'country', 'email', 'firstname', 'hubspot_owner_id', 'lastname', 'lead_source', 'numberofemployees', 'website']);
    expect(contactRead.inputs.map((i) => i.id).sort()).toEqual(['501', '999']);
    expect(crm.requests.every((r) => r.headers.authorization === `Bearer ${TOKEN}`)).toBe(true);
    const rows = ignoredRows(ignored);
    expect(rows[1]).toMatchObject({ type: 'event.ignored', leadId: 'hubspot-501', data: { kind: 'echo', connector: 'hubspot', propertyName: 'hubspot_owner_id' } });
    expect(JSON.stringify(rows)).not.toContain('9002');
  });

  it("wins a deal onto its company's account, and sends company facts to known leads only", async () => {
    const won = dealStageChange(PORTAL, 7001, 'closedwon');
    const company = { ...contactPropertyChange(PORTAL, 3001, 'numberofemployees', '500'), subscriptionType: 'company.propertyChange' };
    const { events } = await resolveBatch([won, company], deps(['hubspot-501']));
    expect(events.map((e) => [e.type, e.subject])).toEqual([
      ['opportunity.won', 'hubspot-501'],
      ['lead.updated', 'hubspot-501'],
    ]);
    expect(events[0]!.data).toMatchObject({ opportunityId: '7001', accountId: 'hubspot-company-3001', arr: 24000, amount: 24000, currency: 'EUR' });
    expect(events[1]!.data).toEqual({ company: 'ShopCo GmbH', domain: 'shopco.example', employees: 500 });
    const none = await resolveBatch([company], deps([]));
    expect(none.events).toEqual([]);
    expect(none.ignored[0]).toMatchObject({ kind: 'no-lead' });
  });

  it('leaves out a fact the event schema refuses instead of refusing the batch', async () => {
    crm.upsert('contacts', '503', { email: 'ok@shop.example', partner_account: 'has a space' });
    const strict = { connections: { hubspot: { ...config.connections!.hubspot!, properties: { contact: { email: 'email', 'referrer.accountId': 'partner_account' } } } } } as unknown as FlywheelConfig;
    const { events, dropped } = await resolveBatch([contactCreation(PORTAL, 503)], { ...deps(), config: strict });
    expect(events.map((e) => e.data)).toEqual([{ email: 'ok@shop.example', crm: { system: 'hubspot', objectType: 'contact', id: '503', portalId: PORTAL.portalId } }]);
    expect(dropped).toEqual([{ fact: 'referrer', property: '', detail: 'refused by the event schema', objectType: 'lead.created', id: 'hubspot-503' }]);
    expect(validateBatch(events)).toEqual([]);
  });

  it('reads more than 100 records in chunks of 100', async () => {
    crm.resetRecords();
    const ids = Array.from({ length: 150 }, (_, i) => String(20_000 + i));
    for (const id of ids) crm.upsert('contacts', id, { email: `c${id}@x.example` });
    const got = await reader().batchRead('contacts', ids, ['email']);
    expect(got.size).toBe(150);
    expect(crm.requestsTo('POST', '/crm/v3/objects/contacts/batch/read').map((r) => (r.body as { inputs: unknown[] }).inputs.length)).toEqual([100, 50]);
  });

  it("turns HubSpot's 429 into a read error carrying its Retry-After", async () => {
    crm.rateLimit(1, 7);
    const err = await reader()
      .batchRead('contacts', ['501'], ['email'])
      .catch((e: unknown) => e);
    expect(err).toBeInstanceOf(HubSpotReadError);
    expect(err).toMatchObject({ status: 429, retryAfterSeconds: 7 });
    const bad = await createHubSpotReader({ accessToken: 'wrong', baseUrl: crm.url })
      .batchRead('contacts', ['501'], ['email'])
      .catch((e: unknown) => e);
    expect(bad).toMatchObject({ status: 401, message: expect.stringContaining('INVALID_AUTHENTICATION') });
    expect((bad as Error).message).not.toContain('wrong');
  });
});

describe('the HubSpot contract server', () => {
  const post = (path: string, body: unknown, token = TOKEN) =>
    fetch(`${crm.url}${path}`, { method: 'POST', headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' }, body: JSON.stringify(body) });

  it('answers like HubSpot: 401 without a token, 400 over 100 inputs, 207 naming missing ids', async () => {
    const unauth = await fetch(`${crm.url}/crm/v3/objects/contacts/501`);
    expect(unauth.status).toBe(401);
    expect(await unauth.json()).toMatchObject({ status: 'error', category: 'INVALID_AUTHENTICATION', correlationId: expect.any(String), message: expect.any(String) });
    const tooMany = await post('/crm/v3/objects/contacts/batch/read', { properties: ['email'], inputs: Array.from({ length: 101 }, (_, i) => ({ id: String(i) })) });
    expect(tooMany.status).toBe(400);
    expect(await tooMany.json()).toMatchObject({ status: 'error', category: 'VALIDATION_ERROR' });
    const partial = await post('/crm/v3/objects/contacts/batch/read', { properties: ['email', 'no_such_property'], inputs: [{ id: '501' }, { id: '404404' }] });
    expect(partial.status).toBe(207);
    const body = (await partial.json()) as {
      status: string;
      numErrors: number;
      results: { id: string; properties: Record<string, unknown> }[];
      errors: { category: string; context: { ids: string[] } }[];
    };
    expect(body).toMatchObject({ status: 'COMPLETE', numErrors: 1, errors: [{ category: 'OBJECT_NOT_FOUND', context: { ids: ['404404'] } }] });
    expect(body.results[0]).toMatchObject({ id: '501', archived: false, properties: { email: 'jana.weber@shopco.example', hs_object_id: '501' } });
    expect(body.results[0]!.properties).not.toHaveProperty('no_such_property');
    const one = await fetch(`${crm.url}/crm/v3/objects/deals/7001?properties=dealstage,amount&associations=contacts`, { headers: { authorization: `Bearer ${TOKEN}` } });
    expect(await one.json()).toMatchObject({ id: '7001', properties: { dealstage: 'appointmentscheduled', amount: '24000' }, associations: { contacts: { results: [{ id: '501' }] } } });
  });

  it("answers 429 with HubSpot's rate-limit body and Retry-After for the next N requests", async () => {
    crm.rateLimit(2, 3);
    for (let i = 0; i < 2; i++) {
      const r = await post('/crm/v3/objects/contacts/batch/read', { inputs: [{ id: '501' }] });
      expect(r.status).toBe(429);
      expect(r.headers.get('retry-after')).toBe('3');
      expect(await r.json()).toMatchObject({ status: 'error', errorType: 'RATE_LIMIT', policyName: 'TEN_SECONDLY_ROLLING' });
    }
    expect((await post('/crm/v3/objects/contacts/batch/read', { inputs: [{ id: '501' }] })).status).toBe(200);
  });
});
