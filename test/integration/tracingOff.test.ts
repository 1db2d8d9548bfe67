import type { FastifyInstance } from 'fastify';
import { trace } from '@opentelemetry/api';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Client, Connection } from '@temporalio/client';
import { TemporalEventSink } from '../../src/ingest/temporalSink.ts';
import { activeTracing, startTracing } from '../../src/observability/tracing/provider.ts';
import { tracingWorkflowModules } from '../../src/observability/tracing/temporal.ts';
import { buildApp } from '../../src/server/app.ts';
import { connectClient, localTarget } from '../../src/temporal/connection.ts';
import { leadEvent, newLeadId, signedHeaders, TEST_SECRET } from '../support/events.ts';
import { alwaysOpen, midMarketLead, waitForState } from '../support/leads.ts';
import { startOtlpCollector, type OtlpCollector } from '../support/otlpCollector.ts';
import { createHarness, type TestHarness } from '../support/temporal.ts';
import { leadWorkflowId } from '../../workflows/definitions.ts';

let collector: OtlpCollector;
let h: TestHarness;
let client: Client;
let app: FastifyInstance;
let api: string;

beforeAll(async () => {
  collector = await startOtlpCollector();
  // A collector is configured, but the exporter is switched off: the switch wins.
  expect(startTracing('flywheel-test', { OTEL_EXPORTER_OTLP_ENDPOINT: collector.endpoint, OTEL_TRACES_EXPORTER: 'none' })).toBeUndefined();
  h = await createHarness('dev', 'tracing-off', { adjust: alwaysOpen });
  client = await connectClient(localTarget((h.client.connection as Connection).options.address));
  app = buildApp({ checks: {}, ingest: { sink: new TemporalEventSink(client, h.taskQueue), ledger: h.ledger, secret: TEST_SECRET, toleranceSeconds: 300 } });
  await app.listen({ host: '127.0.0.1', port: 0 });
  api = `http://127.0.0.1:${(app.server.address() as { port: number }).port}`;
});
afterAll(async () => {
  await app?.close();
  await client?.connection.close();
  await h?.close();
  await collector?.close();
});

describe('with tracing off', () => {
  it('registers no provider, adds no interceptor or bundle module, and exports nothing while a lead runs', async () => {
    expect(activeTracing()).toBeUndefined();
    expect(tracingWorkflowModules()).toEqual([]);
    expect(client.options.interceptors.workflow ?? []).toEqual([]);
    expect(h.worker.worker.options.interceptors.activity ?? []).toHaveLength(0);
    // The API is the no-op one: a span made through it records nothing and has no trace id.
    const span = trace.getTracer('probe').startSpan('probe');
    expect(span.isRecording()).toBe(false);
    expect(span.spanContext().traceId).toBe('0'.repeat(32));
    span.end();

    const id = newLeadId();
    h.track(leadWorkflowId(id));
    const body = JSON.stringify(leadEvent(id, 'lead.created', midMarketLead({ email: `${id.toLowerCase()}@shopco.example` })));
    const res = await fetch(`${api}/v1/events`, { method: 'POST', headers: { 'content-type': 'application/cloudevents+json', ...signedHeaders(body) }, body });
    expect(res.status).toBe(202);
    // The lead went through its activities (evaluated and assigned to a rep)...
    await waitForState(h, id, (s) => s.owner !== null, 'assigned');
    // ...and nothing reached the collector.
    expect(collector.requests).toBe(0);
    expect(collector.spans).toEqual([]);
  });
});
