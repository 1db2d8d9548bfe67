import { describe, expect, it } from 'vitest';
import { buildApp } from '../../../src/server/app.ts';
import { signedHeaders } from '../../support/events.ts';

const secret = 'test-webhook-secret-not-real';
const webhook = (n: number) => JSON.stringify({ kind: 'assignment', leadId: `L-${n}`, owner: 'anna-schmidt' });
const send = (app: ReturnType<typeof buildApp>, body: string, headers: Record<string, string> = {}) =>
  app.inject({ method: 'POST', url: '/v1/dev/crm-sink', headers: { 'content-type': 'application/json', ...headers }, payload: body });

describe('dev CRM sink', () => {
  it('keeps signed webhooks, refuses unsigned ones when a secret is set, and lists them', async () => {
    const app = buildApp({ checks: {}, devSink: { secret } });
    expect((await send(app, webhook(1), { ...signedHeaders(webhook(1), { secret }), 'idempotency-key': 'lead:L-1:assignment:0' })).statusCode).toBe(204);
    const unsigned = await send(app, webhook(2));
    expect(unsigned.statusCode).toBe(401);
    expect(unsigned.json().type).toBe('/problems/unauthorized');
    const list = await app.inject({ method: 'GET', url: '/v1/dev/crm-sink' });
    expect(list.json()).toMatchObject({ count: 1, received: [{ verified: true, signed: true, idempotencyKey: 'lead:L-1:assignment:0', body: JSON.parse(webhook(1)) }] });
  });

  it('takes anything JSON without a secret, keeps only the newest, and refuses malformed bodies', async () => {
    const app = buildApp({ checks: {}, devSink: { capacity: 2 } });
    for (const n of [1, 2, 3]) expect((await send(app, webhook(n))).statusCode).toBe(204);
    expect((await send(app, '{"kind":')).statusCode).toBe(400);
    const list = (await app.inject({ method: 'GET', url: '/v1/dev/crm-sink' })).json();
    expect(list.received.map((r: { body: { leadId: string }; verified: boolean }) => [r.body.leadId, r.verified])).toEqual([
      ['L-2', false],
      ['L-3', false],
    ]);
  });

  it('does not exist unless the app is built for flywheel dev', async () => {
    const app = buildApp({ checks: {} });
    expect((await send(app, webhook(1))).statusCode).toBe(404);
    expect((await app.inject({ method: 'GET', url: '/v1/dev/crm-sink' })).statusCode).toBe(404);
  });
});
