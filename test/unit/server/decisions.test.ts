import { Client, Connection } from '@temporalio/client';
import { Ajv2020 } from 'ajv/dist/2020.js';
import addFormats from 'ajv-formats';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { whyRecord } from '../../../src/decisions/why.ts';
import { TemporalEventSink } from '../../../src/ingest/temporalSink.ts';
import { openLedger } from '../../../src/ledger/open.ts';
import type { OpenedLedger } from '../../../src/ledger/types.ts';
import { RulesCache } from '../../../src/rules/cache.ts';
import { loadConfig } from '../../../src/config/load.ts';
import { buildApp } from '../../../src/server/app.ts';
import { recordAccountJourney, recordBreachJourney, type Journey } from '../../support/decisionJourney.ts';
import { fullHandoff } from '../../support/accounts.ts';
import { signedHeaders, TEST_SECRET } from '../../support/events.ts';
import { midMarketLead } from '../../support/leads.ts';
import { pgliteTemplate, removeTempRoots, tempRoot } from '../ledger/helpers/fixtures.ts';

const T = 120_000;
const RULES = fileURLToPath(new URL('../../../rules', import.meta.url));
const CONFIG = fileURLToPath(new URL('../../../config/flywheel.yaml', import.meta.url));

let ledger: OpenedLedger;
let lead: Journey;
let account: Journey;
const rules = new RulesCache(RULES, { config: loadConfig(CONFIG).config });

beforeAll(async () => {
  await pgliteTemplate();
  ledger = await openLedger({ root: await tempRoot(), role: 'owner', databaseUrl: undefined, serve: false });
  lead = await recordBreachJourney(ledger, 'api-lead-1', midMarketLead({ email: 'erin.quarshie@shopco.example', firstName: 'Erin', lastName: 'Quarshie' }));
  account = await recordAccountJourney(ledger, 'api-acc-1', 'api-lead-1', fullHandoff());
}, T);
afterAll(async () => {
  await ledger?.close();
  removeTempRoots();
});

const app = () => buildApp({ checks: {}, decisions: { ledger, rules } });

describe('GET /v1/leads/{id}/decisions and /v1/accounts/{id}/decisions', () => {
  it("answers with the record's decisions from the ledger: the same answer as `why --json`", async () => {
    const res = await app().inject({ method: 'GET', url: '/v1/leads/api-lead-1/decisions' });
    expect(res.statusCode).toBe(200);
    expect(res.headers['content-type']).toMatch(/^application\/json/);
    const body = res.json();
    expect(body).toEqual(JSON.parse(JSON.stringify(await whyRecord(ledger, 'lead', 'api-lead-1', { engine: rules.get() }))));
    expect(body.summary.owner).toMatchObject({ owner: lead.second, reason: 'sla-breach', rules: ['route-mid-market'] });
    expect(body.summary.reassignments).toEqual([expect.objectContaining({ from: lead.first, to: lead.second, excluded: [lead.first] })]);
    const route1 = body.occasions.find((o: { occasion: string }) => o.occasion === 'route:1');
    expect(route1.decisions[0].candidates).toContainEqual({ rep: lead.first, queue: 'mid-market', verdict: 'excluded', detail: 'breached this lead before' });
    expect(res.body).not.toContain('erin.quarshie');

    const acc = await app().inject({ method: 'GET', url: '/v1/accounts/api-acc-1/decisions' });
    expect(acc.statusCode).toBe(200);
    expect(acc.json().summary.owner).toMatchObject({ owner: account.second, kind: 'cs-routing', reason: 'kickoff-breach' });
  });

  it('matches the OpenAPI document, which lists both operations', async () => {
    const doc = (await app().inject({ method: 'GET', url: '/openapi.json' })).json();
    for (const [path, op] of [
      ['/v1/leads/{id}/decisions', 'getLeadDecisions'],
      ['/v1/accounts/{id}/decisions', 'getAccountDecisions'],
    ] as const) {
      expect(doc.paths[path].get).toMatchObject({ operationId: op, responses: { '200': expect.anything(), '401': expect.anything(), '404': expect.anything(), '503': expect.anything() } });
    }
    const ajv = new Ajv2020({ strict: false });
    addFormats.default(ajv);
    ajv.addSchema({ ...doc, $id: 'https://flywheel.test/openapi.json' });
    const decisions = ajv.getSchema('https://flywheel.test/openapi.json#/components/schemas/Decisions')!;
    const problem = ajv.getSchema('https://flywheel.test/openapi.json#/components/schemas/Problem')!;
    for (const url of ['/v1/leads/api-lead-1/decisions', '/v1/accounts/api-acc-1/decisions']) {
      const body = (await app().inject({ method: 'GET', url })).json();
      expect({ url, valid: decisions(body), errors: decisions.errors }).toEqual({ url, valid: true, errors: null });
    }
    const missing = (await app().inject({ method: 'GET', url: '/v1/leads/nobody/decisions' })).json();
    expect(problem(missing)).toBe(true);
  });

  it('answers 404 problem+json for a record without decisions, and 503 when the ledger does not answer', async () => {
    const res = await app().inject({ method: 'GET', url: '/v1/accounts/nobody/decisions' });
    expect(res.statusCode).toBe(404);
    expect(res.headers['content-type']).toMatch(/^application\/problem\+json/);
    expect(res.json()).toEqual({
      type: '/problems/not-found',
      title: 'Not found',
      status: 404,
      instance: '/v1/accounts/nobody/decisions',
      detail: 'no decisions recorded for account nobody in the ledger',
    });

    const closed = await openLedger({ root: await tempRoot(), role: 'owner', databaseUrl: undefined, serve: false });
    await closed.close();
    const down = await buildApp({ checks: {}, decisions: { ledger: closed } }).inject({ method: 'GET', url: '/v1/leads/api-lead-1/decisions' });
    expect(down.statusCode).toBe(503);
    expect(down.json()).toMatchObject({ type: '/problems/ledger-unavailable', status: 503 });
  });

  it('requires a signed request when the API has an ingest secret', async () => {
    // A real sink that is never used: these routes read the ledger only.
    const client = new Client({ connection: Connection.lazy({ address: inject('temporal').devAddress }) });
    const signed = buildApp({ checks: {}, ingest: { sink: new TemporalEventSink(client, 'unused'), ledger, secret: TEST_SECRET, toleranceSeconds: 300 }, decisions: { ledger, rules } });
    const url = '/v1/leads/api-lead-1/decisions';
    const unsigned = await signed.inject({ method: 'GET', url });
    expect(unsigned.statusCode).toBe(401);
    expect(unsigned.json().type).toBe('/problems/unauthorized');
    expect((await signed.inject({ method: 'GET', url, headers: signedHeaders(url) })).statusCode).toBe(200);
    // A signature is for one target: it cannot read another record.
    expect((await signed.inject({ method: 'GET', url: '/v1/accounts/api-acc-1/decisions', headers: signedHeaders(url) })).statusCode).toBe(401);
    await client.connection.close();
  });
});
