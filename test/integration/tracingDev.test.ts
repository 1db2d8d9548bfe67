import { readFileSync, rmSync, writeFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseDocument } from 'yaml';
import { leadEvent, newLeadId } from '../support/events.ts';
import { eventually } from '../support/eventually.ts';
import { midMarketLead } from '../support/leads.ts';
import { startOtlpCollector, type OtlpCollector } from '../support/otlpCollector.ts';
import { startCli } from '../support/cli.ts';
import { scratchProject, type ScratchProject } from '../support/scratchProject.ts';

let collector: OtlpCollector;
let project: ScratchProject;

beforeAll(async () => {
  collector = await startOtlpCollector();
  project = await scratchProject('tracing-dev');
  // The stand-in CRM of this stack, not the shipped config's port.
  const doc = parseDocument(readFileSync(project.configFile, 'utf8'));
  doc.setIn(['connections', 'crmWebhook', 'url'], `http://127.0.0.1:${project.port}/v1/dev/crm-sink`);
  writeFileSync(project.configFile, doc.toString());
});
afterAll(async () => {
  await collector?.close();
  if (project) rmSync(project.root, { recursive: true, force: true });
});

describe('flywheel dev with OTEL_EXPORTER_OTLP_ENDPOINT', () => {
  it('traces a lead from the request to its activities and flushes every span when stopped', async () => {
    const run = startCli(['dev', '--json'], { FLYWHEEL_CONFIG: project.configFile, FLYWHEEL_INGEST_SECRET: '', OTEL_EXPORTER_OTLP_ENDPOINT: collector.endpoint });
    let exit: Awaited<typeof run.exited> | undefined;
    try {
      const ready = (await run.firstJsonLine) as { api: string };
      const id = newLeadId();
      const res = await fetch(`${ready.api}/v1/events`, {
        method: 'POST',
        headers: { 'content-type': 'application/cloudevents+json' },
        body: JSON.stringify(leadEvent(id, 'lead.created', midMarketLead())),
      });
      expect(res.status).toBe(202);
      // The lead's decision step (attractLead) has run once it is placed: assigned while a rep's hours are open,
      // held until they open otherwise. The shipped calendars are real and this runs at any hour, so either counts.
      await eventually(
        async () => (await fetch(`${ready.api}/v1/leads/${id}`)).json() as Promise<{ assignments?: number; status?: string }>,
        (s) => (s.assignments ?? 0) >= 1 && (s.status === 'assigned' || s.status === 'held'),
        'the lead placed (assigned or held)',
        60_000,
      );
    } finally {
      run.child.kill('SIGINT');
      exit = await run.exited;
    }
    expect(exit.code).toBe(0);

    // Spans batched when the stack stopped were exported before it exited.
    const http = collector.spans.find((s) => s.name === 'POST /v1/events');
    expect(http?.service).toBe('flywheel-dev');
    const trace = collector.spans.filter((s) => s.traceId === http!.traceId);
    const signalWithStart = trace.find((s) => s.name.startsWith('SignalWithStartWorkflow:'));
    expect(signalWithStart?.parentSpanId).toBe(http!.spanId);
    const start = trace.find((s) => s.name === 'StartActivity:attractLead');
    const activity = trace.find((s) => s.name === 'RunActivity:attractLead');
    // Both in the request's trace, under the lead's run span (exported when the run ends, weeks from now).
    expect(start).toBeDefined();
    expect(activity?.parentSpanId).toBe(start!.spanId);
  }, 120_000);
});
