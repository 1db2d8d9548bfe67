import { fileURLToPath } from 'node:url';
import { ApplicationFailure } from '@temporalio/common';
import { Client } from '@hubspot/api-client';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { loadConfig } from '../../../src/config/load.ts';
import type { FlywheelConfig, HubSpotConfig } from '../../../src/config/types.ts';
import type { AssignmentWriteBack } from '../../../src/connectors/writeBack.ts';
import { hubspotFailure, retryAfterMs } from '../../../src/connectors/hubspot/apiErrors.ts';
import { OwnerDirectory } from '../../../src/connectors/hubspot/owners.ts';
import { hubspotWriteBack, taskMarker, type HubSpotWriteBack } from '../../../src/connectors/hubspot/writeBack.ts';
import { failFast } from '../../../activities/failures.ts';
import { HubSpotContractServer } from '../../contracts/hubspot/server.ts';
import { registerWrites } from '../../contracts/hubspot/writes.ts';

const TOKEN = 'pat-na1-11111111-2222-3333-4444-555555555555';
const TOKEN_ENV = 'HUBSPOT_WRITEBACK_UNIT_TOKEN';
const CONTACT = '51';
const DEADLINE = '2026-03-02T10:30:00.000Z';

let server: HubSpotContractServer;

function config(hubspot: Partial<HubSpotConfig> = {}): FlywheelConfig {
  const loaded = loadConfig(fileURLToPath(new URL('../../../config/flywheel.yaml', import.meta.url)));
  loaded.config.connections = {
    ...loaded.config.connections,
    hubspot: {
      appId: 1_234_567,
      baseUrl: server.url,
      accessTokenEnv: TOKEN_ENV,
      owners: { 'jonas-becker': '9001' },
      writeBack: {
        lifecycleStage: 'salesqualifiedlead',
        leadStatus: 'OPEN',
        slaStatusProperty: 'flywheel_sla_status',
        slaDeadlineProperty: 'flywheel_sla_deadline',
        task: { subject: 'Call the new lead', priority: 'HIGH' },
      },
      ...hubspot,
    },
  };
  return loaded.config;
}

function writeBack(hubspot: Partial<HubSpotConfig> = {}, env: NodeJS.ProcessEnv = { [TOKEN_ENV]: TOKEN }): HubSpotWriteBack {
  const wb = hubspotWriteBack(config(hubspot), env);
  if (!wb) throw new Error('expected a HubSpot write-back');
  return wb;
}

function assignment(over: Partial<AssignmentWriteBack> = {}): AssignmentWriteBack {
  return {
    leadId: `hubspot-${CONTACT}`,
    crm: { system: 'hubspot', objectType: 'contact', id: CONTACT },
    owner: 'jonas-becker',
    pool: null,
    queue: 'mid-market',
    deadline: DEADLINE,
    slaStatus: 'running',
    attempt: 0,
    ...over,
  };
}

async function failureOf(p: Promise<unknown>): Promise<ApplicationFailure | Error> {
  const e = await p.then(
    () => null,
    (err: unknown) => err,
  );
  if (!(e instanceof Error)) throw new Error('expected the write-back to fail');
  return e;
}

const writesOf = (kind: string) => server.writes.filter((w) => w.kind === kind);

beforeAll(async () => {
  server = await HubSpotContractServer.start({
    accessToken: TOKEN,
    seed: {
      contacts: [
        { id: CONTACT, properties: { email: 'jana.weber@shopco.example', firstname: 'Jana', lastname: 'Weber', lifecyclestage: 'lead' } },
        { id: '52', properties: { email: 'li.wang@shopco.example', lifecyclestage: 'lead' } },
      ],
      owners: [
        { id: '9001', email: 'jonas.becker@northwind.example', firstName: 'Jonas', lastName: 'Becker', userId: 7001 },
        { id: '9002', email: 'maya.brooks@northwind.example', firstName: 'Maya', lastName: 'Brooks', userId: 7002 },
        { id: '9003', email: 'old.rep@northwind.example', archived: true },
      ],
    },
  });
  registerWrites(server);
  server.defineProperty('contacts', 'flywheel_sla_status');
  server.defineProperty('contacts', 'flywheel_sla_deadline');
});

afterAll(async () => {
  await server?.close();
});

beforeEach(() => server.resetRecords());

describe('HubSpot write-back of an assignment (against the HubSpot contract server)', () => {
  it('sets the configured owner, lifecycle stage, lead status and SLA properties, and one task due at the deadline for the owner', async () => {
    const wb = writeBack();
    const res = await wb.assigned(assignment());

    const contact = server.get('contacts', CONTACT)!;
    expect(contact.properties).toMatchObject({
      hubspot_owner_id: '9001',
      lifecyclestage: 'salesqualifiedlead',
      hs_lead_status: 'OPEN',
      flywheel_sla_status: 'running',
      flywheel_sla_deadline: DEADLINE,
    });
    // The configured owner needs no lookup.
    expect(server.requestsTo('GET', /^\/crm\/v3\/owners/)).toHaveLength(0);

    const [created] = writesOf('task.create');
    expect(writesOf('task.create')).toHaveLength(1);
    const task = server.get('tasks', created!.id!)!;
    expect(task.properties).toMatchObject({ hs_timestamp: DEADLINE, hubspot_owner_id: '9001', hs_task_subject: 'Call the new lead', hs_task_status: 'NOT_STARTED', hs_task_priority: 'HIGH' });
    expect(task.properties.hs_task_body).toContain(taskMarker(`hubspot-${CONTACT}`, 0));
    expect(server.associated('tasks', task.id, 'contacts')).toEqual([CONTACT]);
    expect((created!.body as { associations: unknown }).associations).toEqual([{ to: { id: CONTACT }, types: [{ associationCategory: 'HUBSPOT_DEFINED', associationTypeId: 204 }] }]);
    expect(res.written).toEqual([`contact:${CONTACT}:hubspot_owner_id,lifecyclestage,hs_lead_status,flywheel_sla_status,flywheel_sla_deadline`, `task:${task.id}`]);

    // Every call carried the token as a Bearer header.
    expect(server.requests.every((r) => r.headers.authorization === `Bearer ${TOKEN}`)).toBe(true);
  });

  it('creates no second task when the same assignment is written again (a retried activity), but one per new assignment', async () => {
    const wb = writeBack();
    const lead = 'hubspot-52';
    const first = await wb.assigned(assignment({ leadId: lead, crm: { system: 'hubspot', objectType: 'contact', id: '52' }, attempt: 0 }));
    const again = await wb.assigned(assignment({ leadId: lead, crm: { system: 'hubspot', objectType: 'contact', id: '52' }, attempt: 0 }));
    expect(writesOf('task.create')).toHaveLength(1);
    const taskId = writesOf('task.create')[0]!.id!;
    expect(first.written.at(-1)).toBe(`task:${taskId}`);
    expect(again.written.at(-1)).toBe(`task:${taskId}:existing`);
    // The search asked for the owner's tasks due at that instant (epoch milliseconds, as HubSpot filters date-times).
    const searches = server.requestsTo('POST', '/crm/v3/objects/tasks/search');
    expect(searches.length).toBeGreaterThanOrEqual(2);
    expect(searches[0]!.body).toMatchObject({
      filterGroups: [
        {
          filters: [
            { propertyName: 'hubspot_owner_id', operator: 'EQ', value: '9001' },
            { propertyName: 'hs_timestamp', operator: 'EQ', value: String(Date.parse(DEADLINE)) },
          ],
        },
      ],
    });

    // A reassignment (the next attempt) due at the same instant is a task of its own.
    await wb.assigned(assignment({ leadId: lead, crm: { system: 'hubspot', objectType: 'contact', id: '52' }, attempt: 1 }));
    expect(writesOf('task.create')).toHaveLength(2);
    expect(server.associated('contacts', '52', 'tasks')).toHaveLength(2);
  });

  it('finds the owner by the rep e-mail through the Owners API once, and again only after the cache expires', async () => {
    const wb = writeBack();
    await wb.assigned(assignment({ owner: 'maya-brooks', attempt: 10 }));
    await wb.assigned(assignment({ owner: 'maya-brooks', attempt: 11 }));
    const lookups = server.requestsTo('GET', '/crm/v3/owners/');
    expect(lookups).toHaveLength(1);
    expect(lookups[0]!.query).toMatchObject({ email: 'maya.brooks@northwind.example', archived: 'false' });
    expect(server.get('contacts', CONTACT)!.properties.hubspot_owner_id).toBe('9002');

    let now = 1_000_000;
    const client = new Client({ accessToken: TOKEN, basePath: server.url });
    const dir = new OwnerDirectory(client.crm.owners.ownersApi, { configured: {}, emails: { 'maya-brooks': 'Maya.Brooks@northwind.example' }, ttlMs: 60_000, now: () => now });
    server.resetRecords();
    expect(await dir.ownerIdOf('maya-brooks')).toBe('9002');
    now += 59_000;
    expect(await dir.ownerIdOf('maya-brooks')).toBe('9002');
    expect(server.requestsTo('GET', '/crm/v3/owners/')).toHaveLength(1);
    now += 2_000;
    expect(await dir.ownerIdOf('maya-brooks')).toBe('9002');
    expect(server.requestsTo('GET', '/crm/v3/owners/')).toHaveLength(2);
  });

  it('refuses, for good, a rep HubSpot has no owner for (an archived owner does not count)', async () => {
    const cfg = config();
    cfg.reps.push({ ...cfg.reps.find((r) => r.id === 'jonas-becker')!, id: 'old-rep', email: 'old.rep@northwind.example' });
    const wb = hubspotWriteBack(cfg, { [TOKEN_ENV]: TOKEN })!;
    const err = await failureOf(wb.assigned(assignment({ owner: 'old-rep' })));
    expect(err).toBeInstanceOf(ApplicationFailure);
    expect(err).toMatchObject({ type: 'CrmRejected', nonRetryable: true });
    expect(err.message).toMatch(/rep "old-rep" has no HubSpot owner/);
    expect(writesOf('contact.update')).toHaveLength(0);
  });

  it('writes only the status for a pool assignment: no owner, no task', async () => {
    const before = server.get('contacts', CONTACT)!.properties.hubspot_owner_id;
    const res = await writeBack().assigned(assignment({ owner: null, pool: 'emea-pool', attempt: 20, deadline: DEADLINE }));
    expect(writesOf('contact.update')).toHaveLength(1);
    expect((writesOf('contact.update')[0]!.body as { properties: Record<string, string> }).properties).toEqual({
      lifecyclestage: 'salesqualifiedlead',
      hs_lead_status: 'OPEN',
      flywheel_sla_status: 'running',
      flywheel_sla_deadline: DEADLINE,
    });
    expect(server.get('contacts', CONTACT)!.properties.hubspot_owner_id).toBe(before);
    expect(writesOf('task.create')).toHaveLength(0);
    expect(server.requestsTo('POST', /^\/crm\/v3\/objects\/tasks/)).toHaveLength(0);
    expect(res.written).toHaveLength(1);
  });

  it('clears the deadline and creates no task for a held lead', async () => {
    await writeBack().assigned(assignment({ slaStatus: 'held', deadline: null, attempt: 21 }));
    expect(server.get('contacts', CONTACT)!.properties).toMatchObject({ flywheel_sla_status: 'held', flywheel_sla_deadline: '' });
    expect(writesOf('task.create')).toHaveLength(0);
  });

  it('treats a bad token (401) as final, without the token in the message', async () => {
    const err = await failureOf(writeBack({}, { [TOKEN_ENV]: 'pat-na1-not-the-token' }).assigned(assignment({ attempt: 30 })));
    expect(err).toBeInstanceOf(ApplicationFailure);
    expect(err).toMatchObject({ type: 'CrmRejected', nonRetryable: true });
    expect(err.message).toMatch(/PATCH contact 51 answered 401: INVALID_AUTHENTICATION/);
    expect(err.message).not.toContain('pat-na1');
    // failFast (every activity) leaves the ApplicationFailure as it is.
    await expect(failFast(async () => Promise.reject(err))()).rejects.toBe(err);
  });

  it('refuses for good when the access token variable is empty, naming the variable', async () => {
    const err = await failureOf(writeBack({}, {}).assigned(assignment({ attempt: 31 })));
    expect(err).toMatchObject({ type: 'CrmRejected', nonRetryable: true });
    expect(err.message).toContain(TOKEN_ENV);
    expect(server.requests).toHaveLength(0);
  });

  it('turns a 429 into a retryable failure whose next retry waits for Retry-After', async () => {
    server.rateLimit(1, 7);
    const err = await failureOf(writeBack().assigned(assignment({ attempt: 40 })));
    expect(err).toBeInstanceOf(ApplicationFailure);
    expect(err).toMatchObject({ type: 'CrmRateLimited', nonRetryable: false, nextRetryDelay: 7_000 });
    expect(server.requests.map((r) => r.status)).toEqual([429]);
    // The retry (the activity's next attempt) goes through.
    await writeBack().assigned(assignment({ attempt: 40 }));
    expect(writesOf('task.create')).toHaveLength(1);
  });

  it('refuses for good a property the portal does not have (400 PROPERTY_DOESNT_EXIST)', async () => {
    const err = await failureOf(writeBack({ writeBack: { slaStatusProperty: 'flywheel_sla_state' } }).assigned(assignment({ attempt: 50 })));
    expect(err).toBeInstanceOf(ApplicationFailure);
    expect(err).toMatchObject({ type: 'CrmRejected', nonRetryable: true });
    expect(err.message).toMatch(/answered 400: VALIDATION_ERROR: Property values were not valid: .*PROPERTY_DOESNT_EXIST.*flywheel_sla_state/);
    expect(writesOf('contact.update')).toHaveLength(0);
  });

  it('refuses for good a configured owner id HubSpot does not know, and retries a 5xx', async () => {
    const bad = await failureOf(writeBack({ owners: { 'jonas-becker': '123' } }).assigned(assignment({ attempt: 60 })));
    expect(bad).toMatchObject({ type: 'CrmRejected', nonRetryable: true });
    expect(bad.message).toMatch(/INVALID_OWNER_ID/);

    server.failNext(1, 502);
    const outage = await failureOf(writeBack().assigned(assignment({ attempt: 61 })));
    expect(outage).not.toBeInstanceOf(ApplicationFailure);
    expect(outage.message).toMatch(/PATCH contact 51 answered 502/);
  });

  it('refuses for good a contact that does not exist (404)', async () => {
    const err = await failureOf(writeBack().assigned(assignment({ leadId: 'hubspot-404', crm: { system: 'hubspot', objectType: 'contact', id: '404' } })));
    expect(err).toMatchObject({ type: 'CrmRejected', nonRetryable: true });
    expect(err.message).toMatch(/PATCH contact 404 answered 404: OBJECT_NOT_FOUND/);
  });

  it('is not built when the write-back is off or HubSpot is not configured', () => {
    expect(hubspotWriteBack(config({ writeBack: { enabled: false } }), { [TOKEN_ENV]: TOKEN })).toBeNull();
    const cfg = config();
    delete cfg.connections!.hubspot;
    expect(hubspotWriteBack(cfg, { [TOKEN_ENV]: TOKEN })).toBeNull();
  });
});

describe('how long a HubSpot 429 waits', () => {
  it('takes Retry-After in seconds or as an HTTP date, else the window of the named limit', () => {
    const now = Date.parse('2026-03-02T10:00:00Z');
    expect(retryAfterMs({ 'retry-after': '3' }, {}, now)).toBe(3_000);
    expect(retryAfterMs({ 'retry-after': 'Mon, 02 Mar 2026 10:00:20 GMT' }, {}, now)).toBe(20_000);
    expect(retryAfterMs({}, { message: 'You have reached your ten_secondly_rolling limit.' }, now)).toBe(10_000);
    expect(retryAfterMs({}, { message: 'You have reached your secondly limit.' }, now)).toBe(1_000);
    expect(retryAfterMs({}, { policyName: 'DAILY' }, now)).toBe(3_600_000);
    expect(retryAfterMs({}, null, now)).toBe(10_000);
  });

  it('keeps a network failure retryable', () => {
    const e = hubspotFailure(Object.assign(new Error('connect ECONNREFUSED 127.0.0.1:1'), { name: 'FetchError', code: 'ECONNREFUSED' }), 'PATCH contact 1');
    expect(e).not.toBeInstanceOf(ApplicationFailure);
    expect(e.message).toMatch(/PATCH contact 1 failed: FetchError \(ECONNREFUSED\)/);
  });
});

describe('the HubSpot contract server checks write requests the way HubSpot does', () => {
  const client = () => new Client({ accessToken: TOKEN, basePath: server.url });

  it('pages owners with after and refuses a limit above 500', async () => {
    const first = await client().crm.owners.ownersApi.getPage(undefined, undefined, 1, false);
    expect(first.results.map((o) => o.id)).toEqual(['9001']);
    const second = await client().crm.owners.ownersApi.getPage(undefined, first.paging!.next!.after, 1, false);
    expect(second.results.map((o) => o.id)).toEqual(['9002']);
    expect(second.paging).toBeUndefined();
    const archived = await client().crm.owners.ownersApi.getPage(undefined, undefined, 100, true);
    expect(archived.results.map((o) => o.id)).toEqual(['9003']);
    await expect(client().crm.owners.ownersApi.getPage(undefined, undefined, 501, false)).rejects.toMatchObject({ code: 400 });
    expect(await client().crm.owners.ownersApi.getById(9002)).toMatchObject({ id: '9002', email: 'maya.brooks@northwind.example', userId: 7002 });
    expect(await client().crm.owners.ownersApi.getById(7001, 'userId')).toMatchObject({ id: '9001' });
    await expect(client().crm.owners.ownersApi.getById(4242)).rejects.toMatchObject({ code: 404 });
  });

  it('requires hs_timestamp on a task and a HubSpot-defined association type from tasks to an existing record', async () => {
    const tasks = client().crm.objects.tasks.basicApi;
    await expect(tasks.create({ properties: { hs_task_subject: 'no due date' } })).rejects.toMatchObject({ code: 400 });
    const assoc = (id: string, typeId: number) => [{ to: { id }, types: [{ associationCategory: 'HUBSPOT_DEFINED', associationTypeId: typeId }] }] as never;
    await expect(tasks.create({ properties: { hs_timestamp: DEADLINE }, associations: assoc(CONTACT, 1) })).rejects.toMatchObject({ code: 400 });
    await expect(tasks.create({ properties: { hs_timestamp: DEADLINE }, associations: assoc('999', 204) })).rejects.toMatchObject({ code: 400 });
    await expect(tasks.create({ properties: { hs_timestamp: DEADLINE, hs_task_priority: 'URGENT' } })).rejects.toMatchObject({ code: 400 });
    const ok = await tasks.create({ properties: { hs_timestamp: String(Date.parse(DEADLINE)) }, associations: assoc(CONTACT, 204) });
    expect(ok.properties.hs_timestamp).toBe(DEADLINE);
    expect(server.writes.map((w) => w.kind)).toEqual(['task.create']);
  });
});
