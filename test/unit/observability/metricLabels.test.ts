import { randomUUID } from 'node:crypto';
import { Client, Connection } from '@temporalio/client';
import { afterAll, describe, expect, it } from 'vitest';
import { TemporalEventSink } from '../../../src/ingest/temporalSink.ts';
import type { Ledger } from '../../../src/ledger/types.ts';
import { eventTypeLabel, FlywheelMetrics, notificationTypeLabel, OTHER, statusLabel } from '../../../src/observability/metrics/flywheelMetrics.ts';
import { buildApp } from '../../../src/server/app.ts';
import { leadEvent, signedHeaders, TEST_SECRET } from '../../support/events.ts';

// Refused requests never reach Temporal or the ledger: a lazy connection that is never dialled, and no ledger.
const connection = Connection.lazy({ address: '127.0.0.1:9' });
afterAll(() => connection.close());

describe('metric label values', () => {
  it('are bounded: unknown event and notification types read as other, statuses as their number', () => {
    expect(eventTypeLabel('lead.created')).toBe('lead.created');
    for (const odd of ['lead.exploded', 'x'.repeat(500), 42, null, undefined, '__proto__']) expect(eventTypeLabel(odd)).toBe(OTHER);
    expect(notificationTypeLabel('lead.sla_breached')).toBe('lead.sla_breached');
    expect(notificationTypeLabel('lead.<script>')).toBe(OTHER);
    expect(notificationTypeLabel(`lead.${'a'.repeat(100)}`)).toBe(OTHER);
    expect(statusLabel(202)).toBe('202');
    expect(statusLabel(0)).toBe(OTHER);
  });

  it('stay bounded when callers send many distinct types', async () => {
    const metrics = new FlywheelMetrics({ processMetrics: false });
    const sink = new TemporalEventSink(new Client({ connection }), 'never-polled');
    const app = buildApp({ checks: {}, metrics, ingest: { sink, ledger: undefined as unknown as Ledger, secret: TEST_SECRET, toleranceSeconds: 300 } });
    try {
      for (let i = 0; i < 25; i++) {
        const body = JSON.stringify(leadEvent(`lead-${i}`, `made.up${randomUUID()}`));
        const res = await app.inject({ method: 'POST', url: '/v1/events', headers: { 'content-type': 'application/cloudevents+json', ...signedHeaders(body) }, payload: body });
        expect(res.statusCode).toBe(400);
      }
      // Unsigned: refused before validation, still counted by the types it carried.
      const unsigned = JSON.stringify(leadEvent('lead-x', 'lead.touched'));
      expect((await app.inject({ method: 'POST', url: '/v1/events', headers: { 'content-type': 'application/cloudevents+json' }, payload: unsigned })).statusCode).toBe(401);
      const text = (await app.inject({ method: 'GET', url: '/metrics' })).body;
      const series = text.split('\n').filter((l) => l.startsWith('flywheel_events_total{'));
      expect(series.sort()).toEqual([
        'flywheel_events_total{route="events",type="lead.touched",outcome="rejected",status="401"} 1',
        'flywheel_events_total{route="events",type="other",outcome="rejected",status="400"} 25',
      ]);
    } finally {
      await app.close();
    }
  });
});
