import type { FastifyInstance } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { LoadedConfig } from '../../src/config/types.ts';
import { hubspotInbound } from '../../src/connectors/hubspot/inbound.ts';
import { signV3 } from '../../src/connectors/hubspot/signature.ts';
import { taskMarker } from '../../src/connectors/hubspot/writeBack.ts';
import { TemporalEventSink } from '../../src/ingest/temporalSink.ts';
import { buildApp } from '../../src/server/app.ts';
import { createHarness, type TestHarness } from '../support/temporal.ts';
import { alwaysOpen, deliver, leadEvent, midMarketLead, waitForState } from '../support/leads.ts';
import { eventually } from '../support/eventually.ts';
import { HubSpotContractServer, type HubSpotOwner } from '../contracts/hubspot/server.ts';
import { registerWrites } from '../contracts/hubspot/writes.ts';

const TOKEN = 'pat-eu1-aaaaaaaa-bbbb-cccc-dddd-eeeeeeeeeeee';
const TOKEN_ENV = 'HUBSPOT_WRITEBACK_IT_TOKEN';
const SECRET = 'hubspot-app-client-secret-for-the-echo-test';
const SECRET_ENV = 'HUBSPOT_WRITEBACK_IT_CLIENT_SECRET';
const APP_ID = 7_654_321;
const PORTAL_ID = 62_515;

let h: TestHarness;
let hubspot: HubSpotContractServer;
/** Flywheel's API with the HubSpot webhook route (the way HubSpot reaches Flywheel). */
let app: FastifyInstance;
let api: string;
/** rep id -> HubSpot owner id; half the reps are mapped in the configuration, the rest are found by e-mail. */
const ownerOf = new Map<string, string>();

type Row = { type: string; recorded_at: Date; data: Record<string, unknown> };
const rowsOf = (leadId: string) => h.ledger.query<Row>('SELECT type, recorded_at, data FROM ledger_events WHERE lead_id = $1 ORDER BY id', [leadId]);

function withHubSpot(loaded: LoadedConfig): void {
  alwaysOpen(loaded);
  const reps = loaded.config.reps;
  const configured = Object.fromEntries(reps.filter((_, i) => i % 2 === 0).map((r) => [r.id, ownerOf.get(r.id)!]));
  loaded.config.connections = {
    ...loaded.config.connections,
    hubspot: {
      appId: APP_ID,
      portalId: PORTAL_ID,
      baseUrl: hubspot.url,
      accessTokenEnv: TOKEN_ENV,
      clientSecretEnv: SECRET_ENV,
      owners: configured,
      writeBack: { lifecycleStage: 'salesqualifiedlead', leadStatus: 'OPEN', slaStatusProperty: 'flywheel_sla_status', slaDeadlineProperty: 'flywheel_sla_deadline', task: { priority: 'HIGH' } },
    },
  };
}

beforeAll(async () => {
  hubspot = await HubSpotContractServer.start({ accessToken: TOKEN });
  registerWrites(hubspot);
  hubspot.defineProperty('contacts', 'flywheel_sla_status');
  hubspot.defineProperty('contacts', 'flywheel_sla_deadline');
  process.env[TOKEN_ENV] = TOKEN;
  process.env[SECRET_ENV] = SECRET;
  h = await createHarness('dev', 'hubspot-write-back', {
    adjust: (loaded) => {
      // Every rep is a HubSpot user (an owner with the rep's e-mail).
      const owners: HubSpotOwner[] = loaded.config.reps.map((r, i) => ({ id: String(80_001 + i), email: r.email, firstName: r.name ?? r.id, userId: 90_001 + i }));
      loaded.config.reps.forEach((r, i) => ownerOf.set(r.id, owners[i]!.id));
      hubspot.seed({ owners });
      withHubSpot(loaded);
    },
  });
  const inbound = hubspotInbound(h.deps.config.config, { sink: new TemporalEventSink(h.client, h.taskQueue), ledger: h.ledger });
  app = buildApp({ checks: {}, hubspot: inbound });
  await app.listen({ host: '127.0.0.1', port: 0 });
  api = `http://127.0.0.1:${(app.server.address() as { port: number }).port}`;
});

afterAll(async () => {
  await app?.close();
  await h?.close();
  await hubspot?.close();
  delete process.env[TOKEN_ENV];
  delete process.env[SECRET_ENV];
});

/** Posts a webhook batch as HubSpot does: a JSON array signed with X-HubSpot-Signature-v3 over a millisecond timestamp. */
async function postWebhook(events: Record<string, unknown>[]): Promise<{ status: number; body: Record<string, unknown> }> {
  const url = `${api}/v1/connectors/hubspot/webhook`;
  const body = JSON.stringify(events);
  const timestamp = String(Date.now());
  const res = await fetch(url, {
    method: 'POST',
    headers: { 'content-type': 'application/json', 'x-hubspot-request-timestamp': timestamp, 'x-hubspot-signature-v3': signV3(SECRET, 'POST', url, body, timestamp) },
    body,
  });
  return { status: res.status, body: (await res.json()) as Record<string, unknown> };
}

/** A HubSpot contact, and the Flywheel lead for it (`hubspot-<contact id>`) delivered as lead.created. */
async function newLead(contactId: string): Promise<string> {
  hubspot.seed({ contacts: [{ id: contactId, properties: { email: `lead-${contactId}@shopco.example`, firstname: 'Jana', lastname: 'Weber', lifecyclestage: 'lead' } }] });
  const leadId = `hubspot-${contactId}`;
  await deliver(h, leadEvent('lead.created', leadId, midMarketLead({ email: `lead-${contactId}@shopco.example`, domain: `shop${contactId}.example` })));
  return leadId;
}

const writesFor = (contactId: string) => ({
  contact: hubspot.writes.filter((w) => w.kind === 'contact.update' && w.id === contactId),
  tasks: hubspot.writes.filter((w) => w.kind === 'task.create' && hubspot.associated('tasks', w.id!, 'contacts').includes(contactId)),
});

describe('HubSpot write-back of an assignment (dev server, HubSpot contract server)', () => {
  it('sets the owner and the SLA state on the contact and creates one task for the owner due at the SLA deadline', async () => {
    const contactId = '7001';
    const leadId = await newLead(contactId);
    const s = await waitForState(h, leadId, (x) => x.sla?.status === 'running' && x.owner !== null, 'assigned with a running SLA clock');
    const landed = await eventually(
      async () => writesFor(contactId),
      (w) => w.tasks.length > 0,
      (w) => `no task for contact ${contactId}; writes: ${JSON.stringify(w)}; requests: ${hubspot.requests.map((r) => `${r.method} ${r.path} ${r.status}`).join(', ')}`,
      20_000,
    );

    const contact = hubspot.get('contacts', contactId)!;
    expect(contact.properties).toMatchObject({
      hubspot_owner_id: ownerOf.get(s.owner!),
      lifecyclestage: 'salesqualifiedlead',
      hs_lead_status: 'OPEN',
      flywheel_sla_status: 'running',
      flywheel_sla_deadline: new Date(s.sla!.deadline).toISOString(),
    });
    expect(landed.tasks).toHaveLength(1);
    const task = hubspot.get('tasks', landed.tasks[0]!.id!)!;
    expect(task.properties).toMatchObject({ hs_timestamp: new Date(s.sla!.deadline).toISOString(), hubspot_owner_id: ownerOf.get(s.owner!), hs_task_status: 'NOT_STARTED', hs_task_priority: 'HIGH' });
    expect(task.properties.hs_task_body).toContain(taskMarker(leadId, 0));

    // The deadline HubSpot shows is the one on the ledger's sla.started row, and nothing was dead-lettered.
    const rows = await rowsOf(leadId);
    expect(rows.find((r) => r.type === 'sla.started')?.data.deadline).toBe(s.sla!.deadline);
    expect(rows.some((r) => r.type === 'notification.failed')).toBe(false);

    // HubSpot tells subscribers about the owner change Flywheel made, naming this app as its source: Flywheel's own
    // echo is acknowledged and recorded as ignored, and routes nothing again.
    const echo = await postWebhook([
      {
        eventId: 1_740_001,
        subscriptionId: 2_901_122,
        portalId: PORTAL_ID,
        appId: APP_ID,
        occurredAt: Date.parse(landed.contact[0]!.at),
        subscriptionType: 'contact.propertyChange',
        attemptNumber: 0,
        objectId: Number(contactId),
        propertyName: 'hubspot_owner_id',
        propertyValue: ownerOf.get(s.owner!),
        changeSource: 'INTEGRATION',
        sourceId: `app-${APP_ID}`,
      },
    ]);
    expect(echo.status).toBe(202);
    expect(echo.body).toMatchObject({ accepted: [], ignored: [{ kind: 'echo', objectId: contactId }] });
    const after = await eventually(
      () => rowsOf(leadId),
      (rs) => rs.some((r) => r.type === 'event.ignored' && r.data.kind === 'echo'),
      'the echo recorded as ignored',
    );
    // Nothing reached the lead's workflow (accepted is empty), so nothing can route it later: same rows, same owner.
    const routingRows = (rs: Row[]) => rs.filter((r) => ['lead.assigned', 'lead.reassigned', 'sla.started'].includes(r.type) || (r.type === 'decision.recorded' && r.data.kind === 'routing'));
    expect(routingRows(after)).toEqual(routingRows(rows));
    const now = await waitForState(h, leadId, () => true, 'state readable');
    expect({ owner: now.owner, assignments: now.assignments }).toEqual({ owner: s.owner, assignments: s.assignments });
    expect(hubspot.get('contacts', contactId)!.properties.hubspot_owner_id).toBe(ownerOf.get(s.owner!));
    expect(writesFor(contactId).tasks).toHaveLength(1);
  });

  it('during a 429 storm starts the SLA clock and records the assignment at once, and writes to HubSpot after the storm, as HubSpot asked', async () => {
    const contactId = '7002';
    const retryAfter = 3;
    // The next two HubSpot calls (the write-back's first two tries) are answered 429 with Retry-After: 3.
    hubspot.rateLimit(2, retryAfter);
    const leadId = await newLead(contactId);

    // The lead does not wait for HubSpot: its clock runs and its rows are on the ledger while the storm lasts.
    const s = await waitForState(h, leadId, (x) => x.sla?.status === 'running', 'SLA running during the storm');
    const rows = await eventually(
      () => rowsOf(leadId),
      (rs) => ['lead.assigned', 'sla.started'].every((t) => rs.some((r) => r.type === t)),
      'lead.assigned and sla.started on the ledger',
    );

    const landed = await eventually(
      async () => writesFor(contactId),
      (w) => w.contact.length > 0 && w.tasks.length > 0,
      (w) => `the write-back never landed; writes: ${JSON.stringify(w)}; statuses: ${hubspot.requests.map((r) => `${r.method} ${r.path} ${r.status}`).join(', ')}`,
      30_000,
    );

    // The first two tries were refused 429; each retry came no sooner than Retry-After, and then it went through.
    const patches = hubspot.requestsTo('PATCH', `/crm/v3/objects/contacts/${contactId}`);
    expect(patches.map((r) => r.status)).toEqual([429, 429, 200]);
    for (let i = 1; i < patches.length; i++) expect(Date.parse(patches[i]!.at) - Date.parse(patches[i - 1]!.at)).toBeGreaterThanOrEqual(retryAfter * 1000 - 50);

    // The clock and the rows were there before anything reached HubSpot.
    const firstWrite = Date.parse(landed.contact[0]!.at);
    for (const type of ['lead.assigned', 'sla.started']) expect(rows.find((r) => r.type === type)!.recorded_at.getTime()).toBeLessThan(firstWrite);
    expect(Date.parse(s.sla!.startedAt)).toBeLessThan(firstWrite);

    expect(hubspot.get('contacts', contactId)!.properties.hubspot_owner_id).toBe(ownerOf.get(s.owner!));
    expect(landed.tasks).toHaveLength(1);
    expect(hubspot.get('tasks', landed.tasks[0]!.id!)!.properties.hs_timestamp).toBe(new Date(s.sla!.deadline).toISOString());
    expect((await rowsOf(leadId)).some((r) => r.type === 'notification.failed')).toBe(false);
  });
});
