import { readFileSync, writeFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { parseDocument } from 'yaml';
import { configFor, runCliInProcess, startCli } from '../../../../test/support/cli.ts';
import { eventually } from '../../../../test/support/eventually.ts';
import { alwaysOpen, waitForState } from '../../../../test/support/leads.ts';
import { createHarness, type TestHarness } from '../../../../test/support/temporal.ts';
import { startPubSubContract, type PubSubContractServer } from '../../../../test/contracts/salesforce/pubsub.ts';
import { salesforceId, startSalesforceContract, type SalesforceContractServer } from '../../../../test/contracts/salesforce/server.ts';
import { leadWorkflowId } from '../../../../workflows/definitions.ts';

const ORG = '00D5g000004CliAEAS';
const LEADS = '/data/LeadChangeEvent';
const APP = { clientId: '3MVG9-flywheel-cdc-cli', clientSecret: 'cdc-cli-consumer-secret' };

let h: TestHarness;
let rest: SalesforceContractServer;
let pubsub: PubSubContractServer;
let configFile: string;

/** The org's REST API decides whether a token is a live session: the Pub/Sub stand-in asks it, as Salesforce does. */
async function liveSession(token: string): Promise<boolean> {
  const res = await fetch(`${rest.url}/services/data/v62.0/query?q=${encodeURIComponent('SELECT Id FROM User LIMIT 1')}`, { headers: { authorization: `Bearer ${token}` } });
  return res.status === 200;
}

function withSalesforce(file: string, cdc: Record<string, unknown>): void {
  const doc = parseDocument(readFileSync(file, 'utf8'));
  doc.setIn(['temporal', 'taskQueue'], h.taskQueue);
  doc.setIn(['connections', 'salesforce'], { organizationId: ORG, loginUrl: rest.url, auth: 'client-credentials', writeBack: { enabled: false }, changeDataCapture: cdc });
  writeFileSync(file, doc.toString());
}

beforeAll(async () => {
  const runAs = salesforceId('005');
  rest = await startSalesforceContract({
    organizationId: ORG,
    apps: [{ ...APP, runAs }],
    users: [{ Id: runAs, Username: 'flywheel-integration@cli.example', Email: 'flywheel-integration@cli.example' }],
  });
  pubsub = await startPubSubContract({ instanceUrl: rest.url, tenantId: ORG, verifyToken: liveSession });
  h = await createHarness('dev', 'connect-salesforce-cdc', { adjust: alwaysOpen });
  configFile = await configFor({ ledgerDir: h.ledgerDir });
});

afterAll(async () => {
  await h?.close();
  await pubsub?.close();
  await rest?.close();
});

describe('flywheel connect salesforce-cdc', () => {
  it('exits 2 naming the setting when Change Data Capture is not enabled', async () => {
    withSalesforce(configFile, { enabled: false });
    const res = await runCliInProcess(['connect', 'salesforce-cdc'], configFile);
    expect(res.code).toBe(2);
    expect(res.stderr).toContain('connections.salesforce.changeDataCapture.enabled is not true');
  });

  it('subscribes with an OAuth session, delivers a new Lead into its workflow, stores the replay id and stops on SIGTERM', async () => {
    withSalesforce(configFile, { enabled: true, pubSubEndpoint: pubsub.endpoint, insecure: true, topics: [LEADS], startFrom: 'LATEST', batchSize: 10 });
    const run = startCli(['connect', 'salesforce-cdc', '--json'], {
      FLYWHEEL_CONFIG: configFile,
      TEMPORAL_ADDRESS: inject('temporal').devAddress,
      TEMPORAL_NAMESPACE: 'default',
      SALESFORCE_CLIENT_ID: APP.clientId,
      SALESFORCE_CLIENT_SECRET: APP.clientSecret,
    });
    try {
      expect(await run.firstJsonLine).toMatchObject({ ready: true, org: ORG, endpoint: pubsub.endpoint, topics: [LEADS], startFrom: 'LATEST', taskQueue: h.taskQueue });
      // LATEST: the subscription must be at the tip before the change is made.
      await eventually(
        async () => pubsub.calls,
        (calls) => calls.some((c) => c.authorized && c.preset === 'LATEST' && c.status === 'open'),
        'the LATEST subscription open',
      );
      expect(rest.tokenRequests).toEqual([expect.objectContaining({ grantType: 'client_credentials', status: 200 })]);

      const sfId = salesforceId('00Q');
      h.track(leadWorkflowId(`salesforce-${sfId}`));
      const event = pubsub.publish(LEADS, {
        changeType: 'CREATE',
        recordIds: [sfId],
        fields: {
          FirstName: 'Ola',
          LastName: 'Nordmann',
          Company: 'Fjord Retail AS',
          Email: 'ola.nordmann@fjord.example',
          Country: 'Norway',
          NumberOfEmployees: 300,
          Industry: 'ecommerce',
          LeadSource: 'demo-request',
        },
      });
      const s = await waitForState(h, `salesforce-${sfId}`, (x) => x.lead.email === 'ola.nordmann@fjord.example', 'created by the CLI subscriber');
      expect(s.lead).toMatchObject({ country: 'NO', employees: 300, crm: { system: 'salesforce', objectType: 'Lead', id: sfId } });
      const hex = event.replayId.toString('hex');
      await eventually(
        () => h.ledger.query<{ position: string }>('SELECT position FROM connector_offsets WHERE source = $1 AND stream = $2', [`salesforce://org/${ORG}`, LEADS]),
        (rows) => rows[0]?.position === hex,
        'the replay id stored',
      );

      run.child.kill('SIGTERM');
      const exit = await run.exited;
      expect(exit.code).toBe(0);
      // Neither the client secret nor an access token reaches the output.
      expect(exit.stderr).not.toContain(APP.clientSecret);
      expect(exit.stderr).not.toMatch(new RegExp(`${ORG.slice(0, 15)}!`));
    } finally {
      if (run.child.exitCode === null) run.child.kill('SIGKILL');
    }
  });
});
