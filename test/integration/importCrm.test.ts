import { readFileSync, writeFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { parseDocument } from 'yaml';
import { HubSpotContractServer } from '../contracts/hubspot/server.ts';
import { salesforceId, startSalesforceContract, type SalesforceContractServer } from '../contracts/salesforce/server.ts';
import { configFor, runCliInProcess } from '../support/cli.ts';
import { createHarness, type TestHarness } from '../support/temporal.ts';

/**
 * `flywheel import accounts --from hubspot|salesforce` through the contract servers: every page of the CRM's bulk
 * read (HubSpot CRM search with `after`, Salesforce query with nextRecordsUrl) is read and imported; an import
 * stopped after its first page resumes from the position stored in connector_offsets.
 */

const TOKEN = 'pat-eu1-import-test';
const TOKEN_ENV = 'FLYWHEEL_TEST_IMPORT_HUBSPOT_TOKEN';
const ORG = '00D5g000004ImpAEAS';
const APP = { clientId: '3MVG9-flywheel-import', clientSecret: 'import-consumer-secret' };
const PORTAL = 4_400_000 + Math.floor(Math.random() * 100_000);
const COMPANIES = 450;
const SF_ACCOUNTS = 450;

let h: TestHarness;
let hubspot: HubSpotContractServer;
let sf: SalesforceContractServer;
let configFile: string;
const saved = { ...process.env };
const sfLeads: string[] = [];
const base = 8_000_000 + Math.floor(Math.random() * 1_000_000) * 10;

beforeAll(async () => {
  hubspot = await HubSpotContractServer.start({ accessToken: TOKEN });
  const runAs = salesforceId('005');
  const csUser = salesforceId('005');
  sf = await startSalesforceContract({
    organizationId: ORG,
    apps: [{ ...APP, runAs }],
    users: [
      { Id: runAs, Username: 'import@flywheel.example', Email: 'import@flywheel.example' },
      { Id: csUser, Username: 'cs@flywheel.example', Email: 'cs@flywheel.example' },
    ],
  });
  h = await createHarness('dev', 'import-crm');
  // The import is under test, not 900 account workflows running at once on a 2-core machine.
  h.worker.worker.shutdown();
  const rep = h.deps.config.config.reps[0]!.id;
  configFile = await configFor({ ledgerDir: h.ledgerDir });
  const doc = parseDocument(readFileSync(configFile, 'utf8'));
  doc.setIn(['temporal', 'taskQueue'], h.taskQueue);
  doc.setIn(['connections', 'hubspot'], { appId: 1234, portalId: PORTAL, baseUrl: hubspot.url, accessTokenEnv: TOKEN_ENV, owners: { [rep]: '77001' } });
  doc.setIn(['connections', 'salesforce'], { organizationId: ORG, loginUrl: sf.url, auth: 'client-credentials', owners: { [rep]: csUser } });
  writeFileSync(configFile, doc.toString());

  for (let i = 0; i < COMPANIES; i++) {
    const id = String(base + i);
    hubspot.upsert('companies', id, { name: `Customer ${i}`, domain: `hs${id}.example`, lifecyclestage: 'customer', hubspot_owner_id: '77001' });
    hubspot.upsert('deals', String(base + 5_000 + i), { dealname: `Deal ${i}`, hs_arr: String(12_000 + i), amount: String(12_000 + i), hs_is_closed_won: 'true', dealstage: 'closedwon' });
    hubspot.associate('companies', id, 'deals', String(base + 5_000 + i));
  }
  // Not customers: never imported.
  for (let i = 0; i < 15; i++) hubspot.upsert('companies', String(base + 900 + i), { name: `Prospect ${i}`, domain: `p${i}.example`, lifecyclestage: 'lead' });
  for (let i = 0; i < SF_ACCOUNTS; i++) {
    sf.addRecord('Account', salesforceId('001'), {
      Name: `SF Customer ${i}`,
      Website: `https://www.sf${i}-${base}.example`,
      Type: 'Customer',
      OwnerId: csUser,
      ARR__c: 20_000 + i,
      Contract_Start__c: '2025-04-01',
      Contract_End__c: '2027-03-31',
    });
  }
  for (let i = 0; i < 10; i++) sf.addRecord('Account', salesforceId('001'), { Name: `SF Prospect ${i}`, Type: 'Prospect', OwnerId: csUser, ARR__c: 1 });
  // Open leads: with sales (owned, hand-off recorded), in marketing, and closed ones that stay out.
  hubspot.upsert('contacts', String(base + 1), {
    email: 'jana.weber@fjord.example',
    firstname: 'Jana',
    lastname: 'Weber',
    company: 'Fjord GmbH',
    country: 'Germany',
    lifecyclestage: 'salesqualifiedlead',
    hubspot_owner_id: '77001',
    hubspot_owner_assigneddate: '2026-11-02T09:00:00.000Z',
  });
  hubspot.upsert('contacts', String(base + 2), { email: 'li.wei@shop.example', firstname: 'Li', lifecyclestage: 'marketingqualifiedlead', hubspot_owner_id: '77001' });
  hubspot.upsert('contacts', String(base + 3), { email: 'unowned@shop.example', lifecyclestage: 'lead' });
  hubspot.upsert('contacts', String(base + 4), { email: 'customer@shop.example', lifecyclestage: 'customer', hubspot_owner_id: '77001' });
  sfLeads.push(
    sf.addRecord('Lead', salesforceId('00Q'), {
      FirstName: 'Ola',
      LastName: 'Nordmann',
      Company: 'Fjord AS',
      Email: 'ola@fjord.example',
      Country: 'Norway',
      Status: 'Working - Contacted',
      OwnerId: csUser,
      IsConverted: false,
    }),
  );
  sfLeads.push(sf.addRecord('Lead', salesforceId('00Q'), { LastName: 'Kowalski', Company: 'Wisla', Email: 'jan@wisla.example', Status: 'Open - Not Contacted', OwnerId: csUser, IsConverted: false }));
  sf.addRecord('Lead', salesforceId('00Q'), { LastName: 'Converted', Company: 'Done Inc', Status: 'Closed - Converted', OwnerId: csUser, IsConverted: true });

  Object.assign(process.env, {
    TEMPORAL_ADDRESS: inject('temporal').devAddress,
    TEMPORAL_NAMESPACE: 'default',
    [TOKEN_ENV]: TOKEN,
    SALESFORCE_CLIENT_ID: APP.clientId,
    SALESFORCE_CLIENT_SECRET: APP.clientSecret,
  });
});

afterAll(async () => {
  for (const k of ['TEMPORAL_ADDRESS', 'TEMPORAL_NAMESPACE', TOKEN_ENV, 'SALESFORCE_CLIENT_ID', 'SALESFORCE_CLIENT_SECRET']) {
    if (saved[k] === undefined) delete process.env[k];
    else process.env[k] = saved[k];
  }
  await h?.close();
  await hubspot?.close();
  await sf?.close();
});

async function receipts(source: string): Promise<number> {
  const [r] = await h.ledger.query<{ n: number }>('SELECT count(*)::int AS n FROM ingest_receipts WHERE event_key LIKE $1', [`${source}#accounts:%`]);
  return r!.n;
}

async function offsets(source: string): Promise<string[]> {
  const rows = await h.ledger.query<{ position: string }>("SELECT position FROM connector_offsets WHERE connector = 'import' AND source = $1", [source]);
  return rows.map((r) => r.position);
}

describe('flywheel import accounts --from <crm>', () => {
  it('HubSpot: pages through every customer company by `after`, ARR from won deals; stopped after a page, it resumes from the stored cursor', async () => {
    const source = `import://hubspot/${PORTAL}`;
    const dry = await runCliInProcess(['import', 'accounts', '--from', 'hubspot', '--dry-run', '--json'], configFile);
    expect(dry.code, dry.stderr).toBe(0);
    const preview = JSON.parse(dry.stdout) as { imported: number; sample: { subject: string; source: string; data: Record<string, unknown> }[] };
    expect(preview.imported).toBe(COMPANIES);
    expect(preview.sample[0]).toMatchObject({
      subject: `hubspot-company-${base}`,
      source,
      data: { name: 'Customer 0', domain: `hs${base}.example`, arr: 12_000, csOwner: h.deps.config.config.reps[0]!.id, importedFrom: `hubspot/${PORTAL}/companies/${base}` },
    });
    expect(await receipts(source)).toBe(0);

    const first = await runCliInProcess(['import', 'accounts', '--from', 'hubspot', '--stop-after', '1', '--json'], configFile);
    expect(first.code, first.stderr).toBe(143);
    expect(first.stderr).toContain('resume with the same command');
    expect(await receipts(source)).toBe(200);
    expect(await offsets(source)).toEqual(['200']);

    const searchesBefore = hubspot.requestsTo('POST', '/crm/v3/objects/companies/search').length;
    const rest = await runCliInProcess(['import', 'accounts', '--from', 'hubspot', '--json'], configFile);
    expect(rest.code, rest.stderr).toBe(0);
    expect(JSON.parse(rest.stdout)).toMatchObject({ imported: COMPANIES - 200, bad: [] });
    expect(await receipts(source)).toBe(COMPANIES);
    // Resumed at after=200 (not from the start), then after=400; the cursor is gone once the read reached the end.
    const searches = hubspot.requestsTo('POST', '/crm/v3/objects/companies/search').slice(searchesBefore);
    expect(searches.map((r) => (r.body as { after?: string; limit: number }).after ?? null)).toEqual(['200', '400']);
    expect(searches.every((r) => (r.body as { limit: number }).limit === 200)).toBe(true);
    expect(await offsets(source)).toEqual([]);

    const again = await runCliInProcess(['import', 'accounts', '--from', 'hubspot', '--json'], configFile);
    expect(JSON.parse(again.stdout)).toMatchObject({ imported: 0, alreadyImported: COMPANIES });
  });

  it('Salesforce: reads Accounts of Type Customer batch after batch through nextRecordsUrl, with the mapped ARR and contract fields', async () => {
    const source = `import://salesforce/${ORG}`;
    const maps = ['--map', 'ARR__c=arr', '--map', 'Contract_Start__c=contractStart', '--map', 'Contract_End__c=contractEnd'];
    const res = await runCliInProcess(['import', 'accounts', '--from', 'salesforce', ...maps, '--page-size', '200', '--json'], configFile);
    expect(res.code, res.stderr).toBe(0);
    expect(JSON.parse(res.stdout)).toMatchObject({ read: SF_ACCOUNTS, imported: SF_ACCOUNTS, bad: [] });
    expect(await receipts(source)).toBe(SF_ACCOUNTS);
    const queries = sf.requests.filter((r) => r.path.includes('/query'));
    expect(queries.map((r) => r.path.replace(/01g\w+-/, '01g<locator>-'))).toEqual([
      '/services/data/v62.0/query',
      '/services/data/v62.0/query/01g<locator>-200',
      '/services/data/v62.0/query/01g<locator>-400',
    ]);
    const [row] = await h.ledger.query<{ workflow_id: string }>('SELECT workflow_id FROM ingest_receipts WHERE event_key LIKE $1 LIMIT 1', [`${source}#accounts:%`]);
    expect(row!.workflow_id).toMatch(/^account:salesforce-account-001/);

    const missingArr = await runCliInProcess(['import', 'accounts', '--from', 'salesforce', '--dry-run'], configFile);
    expect(missingArr.code).toBe(2);
    expect(missingArr.stderr).toContain('--map <Field>=arr');
  });

  it('leads from HubSpot and Salesforce keep their stage and owner: open, owned contacts/leads only', async () => {
    const rep = h.deps.config.config.reps[0]!.id;
    const hs = await runCliInProcess(['import', 'leads', '--from', 'hubspot', '--sla-from-handoff', '--dry-run', '--json'], configFile);
    const hsOut = JSON.parse(hs.stdout) as { imported: number; bad: { where: string; field: string }[]; sample: { subject: string; data: Record<string, unknown> }[] };
    // The marketing lead has no recorded hand-off, which --sla-from-handoff needs: reported, not guessed.
    expect(hsOut.bad).toEqual([{ where: `hubspot contacts/${base + 2}`, field: 'hubspot_owner_assigneddate', problem: 'is required with --sla-from-handoff (the recorded hand-off time)' }]);
    expect(hs.code).toBe(1);
    expect(hsOut.sample).toEqual([
      expect.objectContaining({
        subject: `hubspot-${base + 1}`,
        data: expect.objectContaining({
          email: 'jana.weber@fjord.example',
          country: 'DE',
          stage: 'Engage',
          status: 'assigned',
          owner: rep,
          handoffAt: '2026-11-02T09:00:00.000Z',
          sla: { start: true },
        }),
      }),
    ]);

    const res = await runCliInProcess(['import', 'leads', '--from', 'salesforce', '--json'], configFile);
    expect(res.code, res.stderr).toBe(0);
    expect(JSON.parse(res.stdout)).toMatchObject({ read: 2, imported: 2, bad: [] });
    const rows = await h.ledger.query<{ workflow_id: string }>('SELECT workflow_id FROM ingest_receipts WHERE event_key LIKE $1 ORDER BY workflow_id', [`import://salesforce/${ORG}#leads:%`]);
    expect(rows.map((r) => r.workflow_id)).toEqual(sfLeads.map((id) => `lead:salesforce-${id}`).sort());
  });
});
