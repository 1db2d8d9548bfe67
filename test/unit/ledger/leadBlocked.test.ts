import { once } from 'node:events';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ActivityDeps } from '../../../activities/deps.ts';
import { createNotifyActivities } from '../../../activities/lead/notify.ts';
import { loadConfig } from '../../../src/config/load.ts';
import type { Ledger } from '../../../src/ledger/types.ts';
import { WebhookSender } from '../../../src/webhooks/sender.ts';
import { eventually } from '../../support/eventually.ts';
import { emptyLedgerPerTest } from './helpers/emptyLedger.ts';

const ledger = emptyLedgerPerTest();
const received: { key: string | undefined; body: Record<string, unknown> }[] = [];
const crm = http.createServer((req, res) => {
  let body = '';
  req.on('data', (c: Buffer) => (body += c.toString()));
  req.on('end', () => {
    received.push({ key: req.headers['idempotency-key'] as string | undefined, body: JSON.parse(body) as Record<string, unknown> });
    res.writeHead(204).end();
  });
});
let notifyBlocked: ReturnType<typeof createNotifyActivities>['notifyBlocked'];

beforeAll(async () => {
  crm.listen(0, '127.0.0.1');
  await once(crm, 'listening');
  const url = `http://127.0.0.1:${(crm.address() as AddressInfo).port}/hooks`;
  const config = loadConfig(new URL('../../../config/flywheel.yaml', import.meta.url).pathname);
  ({ notifyBlocked } = createNotifyActivities({ ledger: ledger as Ledger, config, webhooks: new WebhookSender(url, 'test-secret') } as unknown as ActivityDeps));
});
afterAll(() => new Promise<void>((resolve) => crm.close(() => resolve())));

describe('notifyBlocked', () => {
  it('tells marketing and its manager which fields are missing, once per attempt', async () => {
    const req = { leadId: 'lead-9', missingFields: ['lead.employees', 'lead.country'], blockedBy: ['lead.employees: required before the hand-off to sales'], at: '2026-03-07T10:00:00Z', attempt: 0 };
    expect(await notifyBlocked(req)).toEqual({ notified: ['lena-vogel', 'marketing'] });
    // An activity retry: the ledger keeps one row; the webhook repeats with the same idempotency key.
    expect(await notifyBlocked(req)).toEqual({ notified: ['lena-vogel', 'marketing'] });
    const rows = await ledger.query<Record<string, unknown>>("SELECT event_key, type, lead_id, team, stage, data FROM ledger_events WHERE type = 'lead.blocked'");
    expect(rows).toEqual([
      {
        event_key: 'lead:lead-9:blocked:0',
        type: 'lead.blocked',
        lead_id: 'lead-9',
        team: 'marketing',
        stage: 'Attract',
        data: { missingFields: ['lead.employees', 'lead.country'], blockedBy: req.blockedBy, notified: ['lena-vogel', 'marketing'] },
      },
    ]);
    await eventually(
      async () => received,
      (r) => r.length >= 2,
      'two lead.blocked webhooks',
    );
    expect(received).toHaveLength(2);
    expect(received.map((r) => r.key)).toEqual(['lead:lead-9:blocked:0', 'lead:lead-9:blocked:0']);
    expect(received[0]!.body).toMatchObject({
      type: 'lead.blocked',
      leadId: 'lead-9',
      missingFields: ['lead.employees', 'lead.country'],
      teams: ['marketing'],
      recipients: [{ id: 'lena-vogel', email: 'lena.vogel@northwind.example' }, { id: 'marketing' }],
    });
  });
});
