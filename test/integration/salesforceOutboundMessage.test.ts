import { Client, Connection, WorkflowNotFoundError } from '@temporalio/client';
import { defaultPayloadConverter } from '@temporalio/common';
import type { FastifyInstance } from 'fastify';
import { XMLParser } from 'fast-xml-parser';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadConfig } from '../../src/config/load.ts';
import { toWallTime } from '../../src/calendar/zonedTime.ts';
import { salesforceInbound } from '../../src/connectors/salesforce/inbound.ts';
import { TemporalEventSink } from '../../src/ingest/temporalSink.ts';
import { buildApp } from '../../src/server/app.ts';
import { freePort } from '../../src/temporal/ports.ts';
import { leadWorkflowId } from '../../workflows/definitions.ts';
import { outboundMessageXml, postOutboundMessage, type NotificationSpec } from '../contracts/salesforce/outboundMessage.ts';
import { salesforceId, startSalesforceContract, type SalesforceContractServer } from '../contracts/salesforce/server.ts';
import { eventually } from '../support/eventually.ts';
import { alwaysOpen, waitForState } from '../support/leads.ts';
import { createHarness, type TestHarness } from '../support/temporal.ts';

/**
 * Salesforce in and out on the dev server: Outbound Messages (SOAP, as a Flow sends them) become leads in real
 * workflows, acknowledged only once Temporal has them and applied once when Salesforce redelivers; the assignment
 * comes back to the Salesforce contract server as the Lead's OwnerId and one Task.
 */

const ORG = '00D5g000004SmKxEAK';
const INTEGRATION_USER = '0055g00000Intg1AAA';
const CLIENT = { id: '3MVG9flywheel.it.key', secret: 'flywheel-it-secret' };
const OM_TOKEN = 'om-url-token-3b9c41d7';
const ENV = { FW_IT_SF_CLIENT_ID: CLIENT.id, FW_IT_SF_CLIENT_SECRET: CLIENT.secret, FW_IT_SF_OM_TOKEN: OM_TOKEN };

let sf: SalesforceContractServer;
let h: TestHarness;
let app: FastifyInstance;
let endpoint: string;
/** Rep id -> the Salesforce User the contract server holds for the rep's e-mail. */
const users = new Map<string, string>();

beforeAll(async () => {
  Object.assign(process.env, { FW_IT_SF_CLIENT_ID: ENV.FW_IT_SF_CLIENT_ID, FW_IT_SF_CLIENT_SECRET: ENV.FW_IT_SF_CLIENT_SECRET });
  const { reps } = loadConfig(fileURLToPath(new URL('../../config/flywheel.yaml', import.meta.url))).config;
  for (const r of reps) users.set(r.id, salesforceId('005'));
  sf = await startSalesforceContract({
    organizationId: ORG,
    apps: [{ clientId: CLIENT.id, clientSecret: CLIENT.secret, runAs: INTEGRATION_USER }],
    users: [
      { Id: INTEGRATION_USER, Username: 'integration@northwind.example', Email: 'integration@northwind.example' },
      ...reps.map((r) => ({ Id: users.get(r.id)!, Username: r.email, Email: r.email, Name: r.name })),
    ],
  });
  h = await createHarness('dev', 'sf-outbound', {
    adjust: (loaded) => {
      alwaysOpen(loaded);
      loaded.config.connections = {
        ...loaded.config.connections,
        salesforce: {
          organizationId: ORG,
          loginUrl: sf.url,
          clientIdEnv: 'FW_IT_SF_CLIENT_ID',
          clientSecretEnv: 'FW_IT_SF_CLIENT_SECRET',
          outboundMessageTokenEnv: 'FW_IT_SF_OM_TOKEN',
          // Contacts carry no company facts of their own: the Flow's message sends the account's through custom fields.
          fields: {
            Contact: {
              email: 'Email',
              firstName: 'FirstName',
              lastName: 'LastName',
              title: 'Title',
              country: 'MailingCountry',
              source: 'LeadSource',
              company: 'Account_Name__c',
              domain: 'Account_Website__c',
              employees: 'Account_Employees__c',
              industry: 'Account_Industry__c',
            },
          },
          // No owners map: the write-back finds each rep's User by e-mail, as most orgs would start.
          writeBack: { task: { subject: 'Call the new lead' } },
        },
      };
    },
  });
  app = buildApp({ checks: {}, salesforce: salesforceInbound(h.deps.config.config, { sink: new TemporalEventSink(h.client, h.taskQueue), ledger: h.ledger }, ENV) });
  await app.listen({ host: '127.0.0.1', port: 0 });
  endpoint = `http://127.0.0.1:${(app.server.address() as { port: number }).port}/v1/connectors/salesforce/outbound-message`;
});
afterAll(async () => {
  await app?.close();
  await h?.close();
  await sf?.close();
});

const xml = new XMLParser({ removeNSPrefix: true, parseTagValue: false });
const withToken = (url = endpoint) => `${url}?token=${OM_TOKEN}`;

/** A Flow's Outbound Message for a new Lead: the fields an admin picks for Flywheel (a 450-person German retailer). */
function newLeadNotification(leadId: string, over: Record<string, string | number | null> = {}): NotificationSpec {
  const now = new Date().toISOString();
  return {
    id: salesforceId('04l'),
    type: 'Lead',
    fields: {
      Id: leadId,
      FirstName: 'Jana',
      LastName: 'Weber',
      Title: 'Head of Analytics',
      Email: `jana.weber+${leadId}@shopco.example`,
      Company: 'ShopCo GmbH',
      Website: 'www.shopco.example',
      Country: 'DE',
      NumberOfEmployees: 450,
      Industry: 'ecommerce',
      LeadSource: 'demo-request',
      CreatedDate: now,
      LastModifiedDate: now,
      ...over,
    },
  };
}

async function exists(workflowId: string): Promise<boolean> {
  try {
    await h.client.workflow.getHandle(workflowId).describe();
    return true;
  } catch (e) {
    if (e instanceof WorkflowNotFoundError) return false;
    throw e;
  }
}

/** The CRM events in the workflow's history, in the order Temporal recorded them. */
async function signalled(workflowId: string): Promise<{ key: string; id: string; type: string }[]> {
  const history = await h.client.workflow.getHandle(workflowId).fetchHistory();
  return (history.events ?? [])
    .map((e) => e.workflowExecutionSignaledEventAttributes)
    .filter((s) => s?.signalName === 'crmEvent')
    .map((s) => defaultPayloadConverter.fromPayload(s!.input!.payloads![0]!));
}

const receipts = (key: string) => h.ledger.query<{ workflow_id: string }>('SELECT workflow_id FROM ingest_receipts WHERE event_key = $1', [key]);
const ledgerCount = (leadId: string, type: string) =>
  h.ledger.query<{ n: number }>('SELECT count(*)::int AS n FROM ledger_events WHERE lead_id = $1 AND type = $2', [leadId, type]).then((r) => Number(r[0]!.n));
const tasksOf = (recordId: string) => sf.tasks((t) => t.WhoId === recordId);
const ownerWrites = (recordId: string) => sf.writes.filter((w) => w.kind === 'update' && w.id === recordId && 'OwnerId' in w.body);

async function expectAck(res: Response): Promise<void> {
  const body = await res.text();
  expect({ status: res.status, type: res.headers.get('content-type') }).toEqual({ status: 200, type: 'text/xml; charset=utf-8' });
  expect(xml.parse(body).Envelope.Body).toEqual({ notificationsResponse: { Ack: 'true' } });
}

async function expectFault(res: Response, status: number, code: 'Client' | 'Server', type: string): Promise<string> {
  const body = await res.text();
  expect({ status: res.status, contentType: res.headers.get('content-type') }).toEqual({ status, contentType: 'text/xml; charset=utf-8' });
  const fault = xml.parse(body).Envelope.Body.Fault;
  expect(fault).toMatchObject({ faultcode: `soapenv:${code}`, detail: { problem: { type, status: String(status) } } });
  return String(fault.faultstring);
}

describe('Salesforce Outbound Message in, owner and Task out', () => {
  it('acknowledges a Lead only once Temporal has it, routes it, writes OwnerId and one Task, and applies a redelivery once', async () => {
    const recordId = sf.addRecord('Lead', salesforceId('00Q'), { LastName: 'Weber', Company: 'ShopCo GmbH', OwnerId: INTEGRATION_USER });
    const leadId = `salesforce-${recordId}`;
    const n = newLeadNotification(recordId);
    const message = outboundMessageXml({ organizationId: ORG, notifications: [n] });
    const key = `salesforce://org/${ORG}#${n.id}`;
    h.track(leadWorkflowId(leadId));

    await expectAck(await postOutboundMessage(withToken(), message));
    // The Ack came after Temporal took the signal: the event is in the workflow's history right now, no waiting.
    expect((await signalled(leadWorkflowId(leadId))).map((s) => [s.key, s.type])).toEqual([[key, 'lead.created']]);
    expect(await receipts(key)).toEqual([{ workflow_id: leadWorkflowId(leadId) }]);

    const assigned = await waitForState(h, leadId, (s) => s.sla?.status === 'running', 'SLA running');
    expect(assigned).toMatchObject({ stage: 'Engage', tier: 'B', queue: 'mid-market' });
    expect(assigned.lead).toMatchObject({ email: n.fields.Email, company: 'ShopCo GmbH', domain: 'shopco.example', employees: 450, crm: { system: 'salesforce', objectType: 'Lead', id: recordId } });

    // Out: the Lead's OwnerId is the User of the rep Flywheel chose, and one Task is due on the deadline's Berlin date.
    const [task] = await eventually(
      async () => tasksOf(recordId),
      (t) => t.length > 0,
      () => `no Task for ${recordId}; writes: ${JSON.stringify(sf.writes.slice(-5))}`,
    );
    const ownerId = users.get(assigned.owner!)!;
    expect(sf.record(recordId)!.fields.OwnerId).toBe(ownerId);
    const due = toWallTime(Date.parse(assigned.sla!.deadline), 'Europe/Berlin');
    expect(task).toMatchObject({
      Subject: 'Call the new lead (Flywheel #1)',
      WhoId: recordId,
      OwnerId: ownerId,
      ActivityDate: `${due.year}-${String(due.month).padStart(2, '0')}-${String(due.day).padStart(2, '0')}`,
      Status: 'Not Started',
      Priority: 'High',
      CreatedById: INTEGRATION_USER,
    });

    // Salesforce redelivers the same notification (it did not see the Ack, say): acknowledged, applied once.
    await expectAck(await postOutboundMessage(withToken(), message));
    const again = await waitForState(h, leadId, (s) => s.ignored.some((i) => i.eventId === n.id), 'redelivery recorded as a duplicate');
    expect(again.ignored.filter((i) => i.eventId === n.id).map((i) => i.reason)).toEqual(['duplicate delivery (same source and id)']);
    expect(again.owner).toBe(assigned.owner);
    expect(await receipts(key)).toHaveLength(1);
    expect(await ledgerCount(leadId, 'lead.assigned')).toBe(1);
    expect(await ledgerCount(leadId, 'sla.started')).toBe(1);
    expect(ownerWrites(recordId)).toHaveLength(1);
    expect(tasksOf(recordId)).toHaveLength(1);

    // Flywheel's own OwnerId change makes the Flow send the Lead again (a new notification): merged, not re-routed.
    const echo = newLeadNotification(recordId, { Title: 'VP Analytics', CreatedDate: String(n.fields.CreatedDate), LastModifiedDate: new Date().toISOString() });
    await expectAck(await postOutboundMessage(withToken(), outboundMessageXml({ organizationId: ORG, notifications: [echo] })));
    const merged = await waitForState(h, leadId, (s) => s.lead.title === 'VP Analytics', 'echo merged');
    expect(merged).toMatchObject({ owner: assigned.owner, status: assigned.status });
    expect((await signalled(leadWorkflowId(leadId))).map((s) => s.type)).toEqual(['lead.created', 'lead.created', 'lead.updated']);
    expect(await ledgerCount(leadId, 'lead.assigned')).toBe(1);
    expect(tasksOf(recordId)).toHaveLength(1);
  });

  it('a Contact becomes a lead, and an Opportunity on it (by ContactId) reaches that lead', async () => {
    const contactId = sf.addRecord('Contact', salesforceId('003'), { LastName: 'Brandt', OwnerId: INTEGRATION_USER });
    const leadId = `salesforce-${contactId}`;
    h.track(leadWorkflowId(leadId));
    const contact: NotificationSpec = {
      id: salesforceId('04l'),
      type: 'Contact',
      fields: {
        Id: contactId,
        FirstName: 'Mara',
        LastName: 'Brandt',
        Title: 'Head of Analytics',
        Email: `mara.brandt+${contactId}@shopco.example`,
        MailingCountry: 'Germany',
        LeadSource: 'demo-request',
        Account_Name__c: 'ShopCo GmbH',
        Account_Website__c: 'shopco.example',
        Account_Employees__c: '450',
        Account_Industry__c: 'ecommerce',
        LastModifiedDate: new Date().toISOString(),
      },
    };
    await expectAck(await postOutboundMessage(withToken(), outboundMessageXml({ organizationId: ORG, notifications: [contact] })));
    const assigned = await waitForState(h, leadId, (s) => s.sla?.status === 'running', 'contact routed');
    await eventually(
      async () => tasksOf(contactId),
      (t) => t.length === 1,
      'one Task on the Contact',
    );
    expect(sf.record(contactId)!.fields.OwnerId).toBe(users.get(assigned.owner!));

    const opportunity: NotificationSpec = {
      id: salesforceId('04l'),
      type: 'Opportunity',
      fields: { Id: salesforceId('006'), StageName: 'Qualification', Amount: '48000.0', ContactId: contactId, AccountId: salesforceId('001') },
    };
    await expectAck(await postOutboundMessage(withToken(), outboundMessageXml({ organizationId: ORG, notifications: [opportunity] })));
    const opp = await waitForState(h, leadId, (s) => s.status === 'opportunity', 'opportunity created');
    expect(opp.opportunity).toMatchObject({ id: opportunity.fields.Id, amount: 48000 });
  });

  it('refuses another org, a missing token and a malformed message with a SOAP fault, delivering nothing', async () => {
    const recordId = salesforceId('00Q');
    const leadId = `salesforce-${recordId}`;
    const n = newLeadNotification(recordId);
    const other = outboundMessageXml({ organizationId: '00D5g000004OthrEAK', notifications: [n] });
    expect(await expectFault(await postOutboundMessage(withToken(), other), 403, 'Client', '/problems/forbidden')).toContain('messages of organization 00D5g000004OthrEAK are not accepted here');

    const ours = outboundMessageXml({ organizationId: ORG, notifications: [n] });
    await expectFault(await postOutboundMessage(endpoint, ours), 401, 'Client', '/problems/unauthorized');
    await expectFault(await postOutboundMessage(`${endpoint}?token=guess`, ours), 401, 'Client', '/problems/unauthorized');
    expect(await expectFault(await postOutboundMessage(withToken(), ours.slice(0, -40)), 400, 'Client', '/problems/bad-request')).toContain('not well-formed XML');

    // JSON is not an Outbound Message at all: the framework's 415, as problem+json like every other route.
    const json = await fetch(withToken(), { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{}' });
    expect([json.status, json.headers.get('content-type'), ((await json.json()) as { type: string }).type]).toEqual([
      415,
      'application/problem+json; charset=utf-8',
      '/problems/unsupported-media-type',
    ]);

    expect(await exists(leadWorkflowId(leadId))).toBe(false);
    expect(await receipts(`salesforce://org/${ORG}#${n.id}`)).toEqual([]);
    expect(await receipts(`salesforce://org/00D5g000004OthrEAK#${n.id}`)).toEqual([]);
  });

  it('is described in the OpenAPI document when Salesforce is configured', async () => {
    const doc = (await (await fetch(endpoint.replace('/v1/connectors/salesforce/outbound-message', '/openapi.json'))).json()) as {
      paths: Record<string, { post: { responses: Record<string, unknown>; requestBody: { content: Record<string, unknown> } } }>;
    };
    const op = doc.paths['/v1/connectors/salesforce/outbound-message']!.post;
    expect(Object.keys(op.requestBody.content)).toEqual(['text/xml']);
    expect(Object.keys(op.responses)).toEqual(['200', '400', '401', '403', '415', '503']);
  });

  it("answers a 503 SOAP fault, never the Ack, while Temporal is unreachable; Salesforce's retry then delivers", async () => {
    const connection = Connection.lazy({ address: `127.0.0.1:${await freePort()}` });
    const down = buildApp({
      checks: {},
      salesforce: salesforceInbound(h.deps.config.config, { sink: new TemporalEventSink(new Client({ connection, namespace: 'default' }), h.taskQueue, { timeoutMs: 1_000 }), ledger: h.ledger }, ENV),
    });
    try {
      const recordId = sf.addRecord('Lead', salesforceId('00Q'), { LastName: 'Weber', Company: 'ShopCo GmbH' });
      const leadId = `salesforce-${recordId}`;
      h.track(leadWorkflowId(leadId));
      const message = outboundMessageXml({ organizationId: ORG, notifications: [newLeadNotification(recordId)] });
      const res = await down.inject({ method: 'POST', url: `/v1/connectors/salesforce/outbound-message?token=${OM_TOKEN}`, headers: { 'content-type': 'text/xml; charset=utf-8' }, payload: message });
      expect(res.statusCode).toBe(503);
      expect(res.headers['retry-after']).toBe('5');
      const fault = xml.parse(res.body).Envelope.Body.Fault;
      expect(fault).toMatchObject({ faultcode: 'soapenv:Server', detail: { problem: { type: '/problems/temporal-unavailable', status: '503' } } });
      expect(res.body).not.toContain('127.0.0.1');
      expect(await exists(leadWorkflowId(leadId))).toBe(false);

      // Salesforce sends the same message again later; Temporal is back (this server's sink reaches it).
      await expectAck(await postOutboundMessage(withToken(), message));
      expect((await signalled(leadWorkflowId(leadId))).map((s) => s.type)).toEqual(['lead.created']);
    } finally {
      await down.close();
      await connection.close();
    }
  });
});
