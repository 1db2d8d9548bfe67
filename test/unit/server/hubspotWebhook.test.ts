import { describe, expect, it } from 'vitest';
import type { FlywheelConfig } from '../../../src/config/types.ts';
import { hubspotInbound, hubspotInboundWarnings } from '../../../src/connectors/hubspot/inbound.ts';
import type { EventSink } from '../../../src/ingest/temporalSink.ts';
import type { Ledger } from '../../../src/ledger/types.ts';
import { buildApp } from '../../../src/server/app.ts';
import { HUBSPOT_WEBHOOK_PATH } from '../../../src/server/routes/connectors/hubspot.ts';
import { contactCreation, v3Headers } from '../../contracts/hubspot/webhooks.ts';

// These requests are all refused before anything is read or delivered: a sink or ledger call is a failure.
const never = (what: string) => () => {
  throw new Error(`${what} must not be called`);
};
const sink: EventSink = { deliver: never('sink.deliver') };
const ledger = { query: never('ledger.query'), record: never('ledger.record') } as unknown as Ledger;
const SECRET = 'client-secret-not-real';
const PORTAL = { portalId: 62515, appId: 54321 };
const config = { connections: { hubspot: { appId: PORTAL.appId } } } as unknown as FlywheelConfig;
const env = { HUBSPOT_CLIENT_SECRET: SECRET, HUBSPOT_ACCESS_TOKEN: 'token' };

function app(e: NodeJS.ProcessEnv = env) {
  return buildApp({ checks: {}, hubspot: hubspotInbound(config, { sink, ledger }, e) });
}
// fastify's inject calls with Host localhost:80, so HubSpot would have signed this URL.
const URL_ = `http://localhost:80${HUBSPOT_WEBHOOK_PATH}`;
const signed = (body: string) => v3Headers(SECRET, URL_, body);

describe('POST /v1/connectors/hubspot/webhook refusals', () => {
  it('is absent when HubSpot is not configured, and listed in the OpenAPI document when it is', async () => {
    const plain = buildApp({ checks: {} });
    expect((await plain.inject({ method: 'POST', url: HUBSPOT_WEBHOOK_PATH, payload: '[]', headers: { 'content-type': 'application/json' } })).statusCode).toBe(404);
    const doc = (await app().inject({ method: 'GET', url: '/openapi.json' })).json();
    expect(Object.keys(doc.paths[HUBSPOT_WEBHOOK_PATH].post.responses)).toEqual(expect.arrayContaining(['202', '400', '401', '403', '503']));
  });

  it('answers 415 to another media type and 400 problem+json to a body that is not a batch of events', async () => {
    const xml = await app().inject({ method: 'POST', url: HUBSPOT_WEBHOOK_PATH, payload: '<x/>', headers: { 'content-type': 'application/xml' } });
    expect(xml.statusCode).toBe(415);
    const object = JSON.stringify({ eventId: 1 });
    const notArray = await app().inject({ method: 'POST', url: HUBSPOT_WEBHOOK_PATH, payload: object, headers: signed(object) });
    expect(notArray.statusCode).toBe(400);
    expect(notArray.headers['content-type']).toContain('application/problem+json');
    expect(notArray.json()).toMatchObject({ type: '/problems/validation-error', errors: [{ pointer: '', detail: 'must be an array' }] });
    const broken = '[{"eventId":';
    expect((await app().inject({ method: 'POST', url: HUBSPOT_WEBHOOK_PATH, payload: broken, headers: signed(broken) })).json()).toMatchObject({ status: 400 });
    const missing = JSON.stringify([{ ...contactCreation(PORTAL, 1), occurredAt: undefined }]);
    expect((await app().inject({ method: 'POST', url: HUBSPOT_WEBHOOK_PATH, payload: missing, headers: signed(missing) })).json()).toMatchObject({
      errors: [{ pointer: '/0/occurredAt', detail: 'is required' }],
    });
  });

  it('checks the signature before reading the body', async () => {
    const body = '{ not json';
    const res = await app().inject({ method: 'POST', url: HUBSPOT_WEBHOOK_PATH, payload: body, headers: { ...signed(body), 'x-hubspot-signature-v3': 'forged' } });
    expect(res.statusCode).toBe(401);
    expect(res.json()).toMatchObject({ type: '/problems/unauthorized' });
  });

  it('answers 503 naming the variable (never its value) while the secret or the token is missing, so HubSpot redelivers', async () => {
    const body = JSON.stringify([contactCreation(PORTAL, 1)]);
    const noSecret = await app({ HUBSPOT_ACCESS_TOKEN: 'token' }).inject({ method: 'POST', url: HUBSPOT_WEBHOOK_PATH, payload: body, headers: signed(body) });
    expect(noSecret.statusCode).toBe(503);
    expect(noSecret.headers['retry-after']).toBeDefined();
    expect(noSecret.json()).toMatchObject({ type: '/problems/crm-unavailable', detail: expect.stringContaining('HUBSPOT_CLIENT_SECRET') });
    const noToken = await app({ HUBSPOT_CLIENT_SECRET: SECRET }).inject({ method: 'POST', url: HUBSPOT_WEBHOOK_PATH, payload: body, headers: signed(body) });
    expect(noToken.statusCode).toBe(503);
    expect(noToken.json().detail).toContain('HUBSPOT_ACCESS_TOKEN');
    expect(noToken.body).not.toContain(SECRET);
    expect(hubspotInboundWarnings(hubspotInbound(config, { sink, ledger }, {}))).toEqual([expect.stringContaining('HUBSPOT_CLIENT_SECRET'), expect.stringContaining('HUBSPOT_ACCESS_TOKEN')]);
  });
});
