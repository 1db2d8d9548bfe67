import type { FastifyInstance } from 'fastify';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { Worker } from '@temporalio/worker';
import { TemporalEventSink } from '../../src/ingest/temporalSink.ts';
import { startTracing, type Tracing } from '../../src/observability/tracing/provider.ts';
import { tracingWorkflowModules } from '../../src/observability/tracing/temporal.ts';
import { buildApp } from '../../src/server/app.ts';
import { connectClient, localTarget } from '../../src/temporal/connection.ts';
import { loadWorkflowBundle } from '../../src/worker/bundleCache.ts';
import { leadEventSignal, leadWorkflowId, leadWorkflowType } from '../../workflows/definitions.ts';
import { eventually } from '../support/eventually.ts';
import { leadEvent, signedHeaders, TEST_SECRET, newLeadId } from '../support/events.ts';
import { midMarketLead, waitForState } from '../support/leads.ts';
import { startOtlpCollector, type CollectedSpan, type OtlpCollector } from '../support/otlpCollector.ts';
import { createHarness, type TestHarness } from '../support/temporal.ts';
import type { Client, Connection } from '@temporalio/client';

const SERVER = 2; // OTLP's SPAN_KIND_SERVER
const EMAIL = 'mia.spy@contoso-analytics.example';

let collector: OtlpCollector;
let tracing: Tracing;
let h: TestHarness;
let client: Client;
let app: FastifyInstance;
let api: string;

// The time-skipping server, because a lead's workflow span ends only when its run does: a disqualified lead
// completes after its week of grace for late events, which this server skips.
beforeAll(async () => {
  collector = await startOtlpCollector();
  tracing = startTracing('flywheel-test', { OTEL_EXPORTER_OTLP_ENDPOINT: collector.endpoint })!;
  // The bundle with tracing's workflow interceptors (cached under its own key, built on the first run).
  const bundle = await loadWorkflowBundle({ workflowInterceptorModules: tracingWorkflowModules() });
  h = await createHarness('time-skipping', 'tracing', { workflowBundlePath: bundle.codePath });
  client = await connectClient(localTarget((h.client.connection as Connection).options.address));
  app = buildApp({ checks: {}, ingest: { sink: new TemporalEventSink(client, h.taskQueue), ledger: h.ledger, secret: TEST_SECRET, toleranceSeconds: 300 } });
  await app.listen({ host: '127.0.0.1', port: 0 });
  api = `http://127.0.0.1:${(app.server.address() as { port: number }).port}`;
});
afterAll(async () => {
  await app?.close();
  await client?.connection.close();
  await h?.close();
  await tracing?.shutdown();
  await collector?.close();
});

/** Exports what is buffered, then reads the collector until `done` holds. */
function spansUntil(done: (spans: CollectedSpan[]) => boolean, what: string): Promise<CollectedSpan[]> {
  return eventually(
    async () => {
      await tracing.flush();
      return collector.spans;
    },
    done,
    (last) => `never saw ${what}; spans: ${(last ?? []).map((s) => s.name).join(', ')}`,
    30_000,
  );
}

describe('OpenTelemetry traces of one lead', () => {
  it('link the HTTP request, the signal-with-start, the workflow run and its activities in one trace, without personal data', async () => {
    const id = newLeadId();
    const workflowId = leadWorkflowId(id);
    h.track(workflowId);
    // A competitor's sign-up: disqualified at once, so its run completes after the grace period.
    const body = JSON.stringify({ ...leadEvent(id, 'lead.created', midMarketLead({ email: EMAIL, domain: 'contoso-analytics.example' })), time: await h.isoNow() });
    const res = await fetch(`${api}/v1/events`, { method: 'POST', headers: { 'content-type': 'application/cloudevents+json', ...signedHeaders(body) }, body });
    expect(res.status).toBe(202);

    await spansUntil((spans) => spans.some((s) => s.name.startsWith('RunActivity:')), 'an activity span');
    await waitForState(h, id, (s) => s.status === 'disqualified', 'disqualified');
    await h.advance(8 * 24 * 3_600_000);
    const spans = await spansUntil((all) => all.some((s) => s.name === `RunWorkflow:${leadWorkflowType}`), 'the workflow run span');

    const http = spans.find((s) => s.kind === SERVER && s.attributes['http.route'] === '/v1/events')!;
    expect(http).toMatchObject({ name: 'POST /v1/events', parentSpanId: undefined, attributes: { 'http.request.method': 'POST', 'http.response.status_code': 202 } });
    const trace = spans.filter((s) => s.traceId === http.traceId);
    const named = (name: string) => trace.filter((s) => s.name === name);
    const [signalWithStart] = named(`SignalWithStartWorkflow:${leadWorkflowType}`);
    expect(signalWithStart?.parentSpanId).toBe(http.spanId);
    expect(signalWithStart?.attributes.temporalWorkflowId).toBe(workflowId);
    const [run] = named(`RunWorkflow:${leadWorkflowType}`);
    expect(run?.parentSpanId).toBe(signalWithStart!.spanId);
    // The event's signal is handled in this trace too: under the client's span where the server hands the signal
    // its header (the dev server), else under the run (the time-skipping server gives the header to the start only).
    const handled = named(`HandleSignal:${leadEventSignal.name}`);
    expect(handled).toHaveLength(1);
    expect([signalWithStart!.spanId, run!.spanId]).toContain(handled[0]!.parentSpanId);

    const starts = trace.filter((s) => s.name.startsWith('StartActivity:'));
    const runs = trace.filter((s) => s.name.startsWith('RunActivity:'));
    expect(starts.length).toBeGreaterThan(0);
    expect(starts.every((s) => s.parentSpanId === run!.spanId)).toBe(true);
    // Each activity attempt's span is a child of the workflow's span that scheduled it, same activity type.
    expect(runs.length).toBeGreaterThanOrEqual(starts.length);
    for (const r of runs) expect(starts.find((s) => s.spanId === r.parentSpanId)?.name).toBe(r.name.replace('RunActivity:', 'StartActivity:'));

    // No span anywhere carries the lead's personal data (ids, such as the workflow's, are not personal data).
    const values = JSON.stringify(spans.map((s) => [s.name, s.attributes]));
    for (const secret of [EMAIL, 'Jana', 'Weber']) expect(values).not.toContain(secret);
    expect(new Set(trace.map((s) => s.service))).toEqual(new Set(['flywheel-test']));

    // Tracing can be switched off again: the history made with it replays on the bundle without the interceptors.
    const history = await client.workflow.getHandle(workflowId).fetchHistory();
    await expect(Worker.runReplayHistory({ workflowBundle: { codePath: inject('temporal').workflowBundlePath } }, history, workflowId)).resolves.toBeUndefined();
  });

  it("continues the caller's traceparent, does not mark a client's 4xx as an error, and leaves health probes untraced", async () => {
    const traceId = '4bf92f3577b34da6a3ce929d0e0e4736';
    const body = JSON.stringify(leadEvent(newLeadId(), 'lead.created', { email: 'not an e-mail' }));
    const res = await fetch(`${api}/v1/events`, {
      method: 'POST',
      headers: { 'content-type': 'application/cloudevents+json', traceparent: `00-${traceId}-00f067aa0ba902b7-01`, ...signedHeaders(body) },
      body,
    });
    expect(res.status).toBe(400);
    expect((await fetch(`${api}/healthz`)).status).toBe(200);
    await spansUntil((all) => all.some((s) => s.traceId === traceId), 'the span of the continued trace');
    const continued = collector.spans.filter((s) => s.traceId === traceId);
    expect(continued).toEqual([expect.objectContaining({ name: 'POST /v1/events', parentSpanId: '00f067aa0ba902b7', attributes: expect.objectContaining({ 'http.response.status_code': 400 }) })]);
    expect(continued[0]?.status?.code ?? 0).not.toBe(2); // SPAN_STATUS_CODE_ERROR
    expect(collector.spans.some((s) => s.attributes['http.route'] === '/healthz')).toBe(false);
  });
});
