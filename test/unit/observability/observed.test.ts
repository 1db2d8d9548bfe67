import { createServer, type ServerResponse } from 'node:http';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Ledger, LedgerEvent } from '../../../src/ledger/types.ts';
import { FlywheelMetrics } from '../../../src/observability/metrics/flywheelMetrics.ts';
import { observeLedger } from '../../../src/observability/metrics/observeLedger.ts';
import { observeWebhooks } from '../../../src/observability/metrics/observeOutbound.ts';
import { WebhookSender } from '../../../src/webhooks/sender.ts';
import { eventually } from '../../support/eventually.ts';
import { emptyLedgerPerTest } from '../ledger/helpers/emptyLedger.ts';

/** The value of one series (0 when it has none yet). */
async function value(metrics: FlywheelMetrics, name: string, labels: Record<string, string> = {}): Promise<number> {
  const metric = metrics.registry.getSingleMetric(name);
  if (!metric) throw new Error(`no metric ${name}`);
  const { values } = await metric.get();
  return values.filter((v) => Object.entries(labels).every(([k, l]) => v.labels[k] === l)).reduce((a, v) => a + v.value, 0);
}

const tables = emptyLedgerPerTest(['ledger_events', 'ingest_receipts']);
const ledger = { ...tables, mode: 'embedded', description: 'test', ping: async () => ({ ok: true, latencyMs: 0 }), close: async () => {} } as Ledger;

const assigned = (leadId: string): LedgerEvent => ({
  key: `lead:${leadId}:assigned:0`,
  type: 'lead.assigned',
  occurredAt: new Date().toISOString(),
  leadId,
  workflowId: `lead:${leadId}`,
  owner: 'anna-schmidt',
  data: { reason: 'new' },
});

describe('the observed ledger', () => {
  it("times writes, counts committed rows once, and observes a lead's speed to lead from its first receipt", async () => {
    const metrics = new FlywheelMetrics({ processMetrics: false });
    const observed = observeLedger(ledger, metrics);
    await ledger.query(`INSERT INTO ingest_receipts (event_key, workflow_id, received_at) VALUES ('k1', 'lead:L-1', now() - interval '3 seconds')`);

    await observed.transaction((tx) => tx.record([assigned('L-1')]));
    // A retried activity writing the same key again: nothing new committed, nothing counted again.
    await observed.record([assigned('L-1')]);

    expect(await value(metrics, 'flywheel_ledger_rows_total', { type: 'lead.assigned' })).toBe(1);
    expect(await value(metrics, 'flywheel_ledger_write_seconds', { op: 'transaction', outcome: 'ok' })).toBeGreaterThan(0);
    const observedSpeed = await eventually(
      async () => (await metrics.speedToLead.get()).values,
      (vs) => vs.find((v) => v.metricName === 'flywheel_speed_to_lead_seconds_count')?.value === 1,
      'one speed-to-lead observation',
    );
    expect(observedSpeed.find((v) => v.metricName === 'flywheel_speed_to_lead_seconds_sum')!.value).toBeGreaterThanOrEqual(3);
  });

  it('counts nothing of a rolled-back transaction, and times it as an error', async () => {
    const metrics = new FlywheelMetrics({ processMetrics: false });
    const observed = observeLedger(ledger, metrics);
    await expect(
      observed.transaction(async (tx) => {
        await tx.record([assigned('L-2')]);
        throw new Error('placement failed');
      }),
    ).rejects.toThrow('placement failed');
    expect(await value(metrics, 'flywheel_ledger_rows_total', { type: 'lead.assigned' })).toBe(0);
    const errors = (await metrics.ledgerWrite.get()).values.find((v) => v.metricName === 'flywheel_ledger_write_seconds_count' && v.labels.op === 'transaction' && v.labels.outcome === 'error');
    expect(errors?.value).toBe(1);
    expect((await ledger.query<{ n: number }>('SELECT count(*)::int AS n FROM ledger_events'))[0]!.n).toBe(0);
  });
});

describe('observed CRM webhooks', () => {
  const held: ServerResponse[] = [];
  const server = createServer((req, res) => {
    if (req.url === '/hold') held.push(res);
    else res.writeHead(req.url === '/busy' ? 503 : req.url === '/bad' ? 400 : 200).end();
  });
  let base = '';
  beforeAll(async () => {
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    base = `http://127.0.0.1:${(server.address() as { port: number }).port}`;
  });
  afterAll(async () => {
    for (const r of held) r.end();
    await new Promise<void>((resolve) => server.close(() => resolve()));
  });

  it('count sent, retried and refused attempts by type, and gauge the ones under way', async () => {
    const metrics = new FlywheelMetrics({ processMetrics: false });
    const send = (path: string, type: string) => observeWebhooks(new WebhookSender(`${base}${path}`, undefined), metrics).send(type, { leadId: 'L-1' }, `k-${path}`);

    expect(await send('/ok', 'lead.assignment')).toMatchObject({ delivered: true });
    await expect(send('/busy', 'lead.assignment')).rejects.toThrow('503');
    await expect(send('/bad', 'lead.sla_breached')).rejects.toThrow('400');
    expect(await observeWebhooks(new WebhookSender(undefined, undefined), metrics).send('lead.blocked', {}, 'k')).toMatchObject({ skipped: expect.any(String) });

    const pending = send('/hold', 'lead.assignment');
    await eventually(
      () => value(metrics, 'flywheel_notifications_in_flight', { channel: 'webhook' }),
      (n) => n === 1 && held.length === 1,
      'one notification in flight',
    );
    held[0]!.writeHead(200).end();
    await pending;

    expect(await value(metrics, 'flywheel_notifications_in_flight', { channel: 'webhook' })).toBe(0);
    expect(await value(metrics, 'flywheel_notifications_total', { channel: 'webhook', type: 'lead.assignment', outcome: 'sent' })).toBe(2);
    expect(await value(metrics, 'flywheel_notifications_total', { channel: 'webhook', type: 'lead.assignment', outcome: 'failed' })).toBe(1);
    expect(await value(metrics, 'flywheel_notifications_total', { channel: 'webhook', type: 'lead.sla_breached', outcome: 'rejected' })).toBe(1);
    expect(await value(metrics, 'flywheel_notifications_total', { channel: 'webhook', type: 'lead.blocked', outcome: 'skipped' })).toBe(1);
  });
});
