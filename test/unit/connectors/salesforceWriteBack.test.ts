import { fileURLToPath } from 'node:url';
import { ApplicationFailure } from '@temporalio/common';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { loadConfig } from '../../../src/config/load.ts';
import type { FlywheelConfig, SalesforceConfig } from '../../../src/config/types.ts';
import { SalesforceAuth } from '../../../src/connectors/salesforce/oauth.ts';
import { salesforceWriteBack, SalesforceWriteBack, taskSubject } from '../../../src/connectors/salesforce/writeBack.ts';
import type { AssignmentWriteBack } from '../../../src/connectors/writeBack.ts';
import { salesforceId, startSalesforceContract, type SalesforceContractServer } from '../../contracts/salesforce/server.ts';

const ORG = '00D5g000004SmKxEAK';
const INTEGRATION_USER = '0055g00000Intg1AAA';
const ANNA = '0055g00000AnnaSAAA';
const NOAH = '0055g00000NoahFAAA';
const FORMER = '0055g00000FormrAAA';
const env = { SF_ID: '3MVG9flywheel.key', SF_SECRET: 'flywheel-secret' };

let sf: SalesforceContractServer;

beforeAll(async () => {
  sf = await startSalesforceContract({
    organizationId: ORG,
    apps: [{ clientId: env.SF_ID, clientSecret: env.SF_SECRET, runAs: INTEGRATION_USER }],
    users: [
      { Id: INTEGRATION_USER, Username: 'integration@northwind.example', Email: 'integration@northwind.example' },
      { Id: ANNA, Username: 'anna@northwind.example', Email: 'anna.schmidt@northwind.example', Name: 'Anna Schmidt' },
      // SOQL compares text ignoring case: the lookup must find a User whose e-mail differs only in case.
      { Id: NOAH, Username: 'noah@northwind.example', Email: 'Noah.Fischer@Northwind.example', Name: 'Noah Fischer' },
      { Id: FORMER, Username: 'former@northwind.example', Email: 'former@northwind.example', IsActive: false },
    ],
  });
});
afterAll(() => sf?.close());
beforeEach(() => {
  sf.refuseSessions(false);
  sf.failNext(0, 'SERVER_UNAVAILABLE');
});

function config(over: Partial<SalesforceConfig> = {}): FlywheelConfig {
  const loaded = loadConfig(fileURLToPath(new URL('../../../config/flywheel.yaml', import.meta.url)));
  loaded.config.connections = {
    ...loaded.config.connections,
    salesforce: {
      organizationId: ORG,
      loginUrl: sf.url,
      clientIdEnv: 'SF_ID',
      clientSecretEnv: 'SF_SECRET',
      owners: { 'anna-schmidt': ANNA },
      writeBack: { task: { subject: 'Call within the SLA', priority: 'High' } },
      ...over,
    },
  };
  return loaded.config;
}

function writeBack(over: Partial<SalesforceConfig> = {}, e: Record<string, string> = env): { wb: SalesforceWriteBack; auth: SalesforceAuth } {
  const cfg = config(over);
  const auth = new SalesforceAuth(cfg.connections!.salesforce!, { env: e });
  return { wb: new SalesforceWriteBack({ config: cfg, auth }), auth };
}

function newLead(type: 'Lead' | 'Contact' = 'Lead'): string {
  return sf.addRecord(type, salesforceId(type === 'Lead' ? '00Q' : '003'), { LastName: 'Weber', ...(type === 'Lead' ? { Company: 'ShopCo GmbH' } : {}), OwnerId: INTEGRATION_USER });
}

function assignment(id: string, over: Partial<AssignmentWriteBack> = {}): AssignmentWriteBack {
  const objectType = id.startsWith('003') ? 'Contact' : 'Lead';
  return {
    leadId: `salesforce-${id}`,
    crm: { system: 'salesforce', objectType, id },
    owner: 'anna-schmidt',
    pool: null,
    queue: 'emea-mid-market',
    deadline: '2026-05-04T22:30:00.000Z',
    slaStatus: 'running',
    attempt: 0,
    ...over,
  };
}

const writesTo = (id: string) => sf.writes.filter((w) => w.id === id || w.body.WhoId === id);
const tasksOf = (id: string) => sf.tasks((t) => t.WhoId === id);

async function failure(p: Promise<unknown>): Promise<Error> {
  const e = await p.then(
    () => null,
    (err: unknown) => err,
  );
  expect(e).toBeInstanceOf(Error);
  return e as Error;
}

describe('Salesforce write-back of an assignment', () => {
  it("sets the Lead's OwnerId to the mapped User and writes one Task for that owner, due on the deadline's date in the organisation's zone", async () => {
    const lead = newLead();
    const { wb } = writeBack();
    const r = await wb.assigned(assignment(lead));
    const [task] = tasksOf(lead);
    expect(r.written).toEqual(['Lead.OwnerId', `Task ${task!.Id}`]);
    expect(sf.record(lead)!.fields.OwnerId).toBe(ANNA);
    // 22:30 UTC on 4 May is 00:30 on 5 May in Berlin: the rep's due date is the 5th.
    expect(task).toMatchObject({
      Subject: 'Call within the SLA (Flywheel #1)',
      WhoId: lead,
      OwnerId: ANNA,
      ActivityDate: '2026-05-05',
      Status: 'Not Started',
      Priority: 'High',
      IsClosed: false,
      CreatedById: INTEGRATION_USER,
    });
    expect(task!.Description).toContain('Flywheel assigned this lead to Anna Schmidt (queue emea-mid-market, assignment #1).');
    expect(task!.Description).toContain('First touch due by 2026-05-05 00:30 Europe/Berlin (2026-05-04T22:30:00.000Z)');
    expect(task!.Description).toContain(`Flywheel key: salesforce-${lead}:assignment:0`);
    expect(writesTo(lead).map((w) => [w.kind, w.sobject, Object.keys(w.body).sort()])).toEqual([
      ['update', 'Lead', ['OwnerId']],
      ['create', 'Task', ['ActivityDate', 'Description', 'OwnerId', 'Priority', 'Status', 'Subject', 'WhoId']],
    ]);
  });

  it("finds an unmapped rep's User by e-mail (SOQL on User), once for many assignments, and writes to a Contact too", async () => {
    const [a, b] = [newLead('Contact'), newLead()];
    const { wb } = writeBack();
    const userQueries = () => sf.requests.filter((r) => r.path.endsWith('/query') && /FROM User/.test(r.query.q ?? '')).length;
    const before = userQueries();
    await wb.assigned(assignment(a, { owner: 'noah-fischer' }));
    await wb.assigned(assignment(b, { owner: 'noah-fischer' }));
    expect(userQueries() - before).toBe(1);
    expect(sf.requests.filter((r) => /FROM User/.test(r.query.q ?? '')).at(-1)!.query.q).toBe("SELECT Id FROM User WHERE Email = 'noah.fischer@northwind.example' AND IsActive = true LIMIT 2");
    expect([sf.record(a)!.fields.OwnerId, sf.record(b)!.fields.OwnerId]).toEqual([NOAH, NOAH]);
    expect(writesTo(a).map((w) => `${w.kind} ${w.sobject}`)).toEqual(['update Contact', 'create Task']);
    expect(tasksOf(b)).toHaveLength(1);
  });

  it('a retried attempt finds its Task and writes no second one; the next attempt (a reassignment) writes its own', async () => {
    const lead = newLead();
    const { wb } = writeBack();
    const first = await wb.assigned(assignment(lead));
    const again = await wb.assigned(assignment(lead));
    expect(tasksOf(lead)).toHaveLength(1);
    expect(again.written).toEqual(['Lead.OwnerId', `Task ${tasksOf(lead)[0]!.Id} (already written)`]);
    expect(first.written[1]).toBe(`Task ${tasksOf(lead)[0]!.Id}`);
    const lookup = sf.requests.filter((r) => /FROM Task/.test(r.query.q ?? '')).at(-1)!.query.q;
    expect(lookup).toBe(`SELECT Id FROM Task WHERE WhoId = '${lead}' AND Subject = 'Call within the SLA (Flywheel #1)' LIMIT 1`);

    await wb.assigned(assignment(lead, { owner: 'noah-fischer', attempt: 1 }));
    expect(tasksOf(lead).map((t) => [t.Subject, t.OwnerId])).toEqual([
      ['Call within the SLA (Flywheel #1)', ANNA],
      ['Call within the SLA (Flywheel #2)', NOAH],
    ]);
    expect(sf.record(lead)!.fields.OwnerId).toBe(NOAH);
  });

  it('writes nothing for a pool, nothing when write-back is off, only the owner when tasks are off, and no due date without a clock', async () => {
    const lead = newLead();
    expect(await writeBack().wb.assigned(assignment(lead, { owner: null, pool: 'emea' }))).toEqual({ written: [] });
    expect(await writeBack({ writeBack: { enabled: false } }).wb.assigned(assignment(lead))).toEqual({ written: [] });
    expect(writesTo(lead)).toEqual([]);
    expect(await writeBack({ writeBack: { task: { enabled: false } } }).wb.assigned(assignment(lead))).toEqual({ written: ['Lead.OwnerId'] });
    expect(tasksOf(lead)).toEqual([]);

    const held = newLead();
    await writeBack().wb.assigned(assignment(held, { deadline: null, slaStatus: 'held' }));
    expect(tasksOf(held)[0]).not.toHaveProperty('ActivityDate');
    expect(tasksOf(held)[0]!.Description).toContain('No SLA clock runs yet (the lead was held).');
    expect(salesforceWriteBack(config({ writeBack: { enabled: false } }))).toBeNull();
    expect(salesforceWriteBack(config())).toBeInstanceOf(SalesforceWriteBack);
  });

  it('keeps the Task subject within 255 characters with its marker', () => {
    expect(taskSubject('x'.repeat(300), 9)).toHaveLength(255);
    expect(taskSubject('x'.repeat(300), 9).endsWith(' (Flywheel #10)')).toBe(true);
  });
});

describe('Salesforce write-back failures', () => {
  it('an expired session (INVALID_SESSION_ID) gets one new token and the write goes through', async () => {
    const lead = newLead();
    const { wb, auth } = writeBack();
    await wb.assigned(assignment(lead));
    sf.expireSessions();
    const before = sf.requests.length;
    const second = newLead();
    await wb.assigned(assignment(second));
    expect(auth.requested).toBe(2);
    expect(tasksOf(second)).toHaveLength(1);
    // The PATCH is refused once, then repeated with the new token; the rest goes through.
    const calls = sf.requests.slice(before).map((r) => `${r.method} ${r.path.replace(/^\/services\/(data\/v[\d.]+\/)?/, '').replace(/\/[A-Za-z0-9]{18}$/, '/{id}')} ${r.status}`);
    expect(calls).toEqual(['PATCH sobjects/Lead/{id} 401', 'POST oauth2/token 200', 'PATCH sobjects/Lead/{id} 204', 'GET query 200', 'POST sobjects/Task 201']);
  });

  it('a token refused again right after it was issued is final, not retried for ever', async () => {
    const lead = newLead();
    const { wb, auth } = writeBack();
    sf.refuseSessions(true);
    const e = await failure(wb.assigned(assignment(lead)));
    expect(e).toBeInstanceOf(ApplicationFailure);
    expect(e).toMatchObject({ type: 'CrmRejected', nonRetryable: true });
    expect(e.message).toContain('a newly issued token was refused too');
    expect(auth.requested).toBe(2);
    expect(writesTo(lead)).toEqual([]);
  });

  it("REQUEST_LIMIT_EXCEEDED is retried a minute later; a 503 is retried with the activity's backoff and not by jsforce", async () => {
    const lead = newLead();
    const { wb } = writeBack();
    sf.failNext(1, 'REQUEST_LIMIT_EXCEEDED');
    const limited = await failure(wb.assigned(assignment(lead)));
    expect(limited).toBeInstanceOf(ApplicationFailure);
    expect(limited).toMatchObject({ type: 'CrmRateLimited', nonRetryable: false, nextRetryDelay: 60_000 });
    expect(limited.message).toContain('REQUEST_LIMIT_EXCEEDED');

    // The User lookup is a GET, which jsforce would retry by itself on a 503; the write-back leaves that to Temporal.
    const before = sf.requests.length;
    sf.failNext(1, 'SERVER_UNAVAILABLE');
    const down = await failure(wb.assigned(assignment(lead, { owner: 'noah-fischer' })));
    expect(down).not.toBeInstanceOf(ApplicationFailure);
    expect(down.message).toContain('SERVER_UNAVAILABLE');
    expect(sf.requests.slice(before).map((r) => r.status)).toEqual([503]);

    await wb.assigned(assignment(lead));
    expect(tasksOf(lead)).toHaveLength(1);
  });

  it('what Salesforce refuses is final: a deleted record, an inactive owner, a rep without a User, bad credentials', async () => {
    const final = async (p: Promise<unknown>, text: RegExp) => {
      const e = await failure(p);
      expect(e).toBeInstanceOf(ApplicationFailure);
      expect(e).toMatchObject({ type: 'CrmRejected', nonRetryable: true });
      expect(e.message).toMatch(text);
    };
    await final(writeBack().wb.assigned(assignment('00Q5g00000Gone1AAA')), /PATCH Lead 00Q5g00000Gone1AAA answered NOT_FOUND/);
    await final(writeBack({ owners: { 'anna-schmidt': FORMER } }).wb.assigned(assignment(newLead())), /INACTIVE_OWNER_OR_USER/);
    await final(writeBack({ owners: { 'anna-schmidt': '00Q5g00000NotAUser' } }).wb.assigned(assignment(newLead())), /FIELD_INTEGRITY_EXCEPTION/);
    await final(
      writeBack().wb.assigned(assignment(newLead(), { owner: 'liam-oconnor' })),
      /no active Salesforce User has the e-mail of rep liam-oconnor: map the rep in connections.salesforce.owners/,
    );
    await final(writeBack({}, { ...env, SF_SECRET: 'wrong' }).wb.assigned(assignment(newLead())), /invalid_client/);
  });
});
