import { readFileSync, rmSync, writeFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { parse, stringify } from 'yaml';
import { Client, Connection } from '@temporalio/client';
import type { LoadedConfig } from '../../src/config/types.ts';
import { buildApp } from '../../src/server/app.ts';
import { FlywheelMetrics } from '../../src/observability/metrics/flywheelMetrics.ts';
import { collectSlaClocks } from '../../src/observability/metrics/collectors.ts';
import { freePort } from '../../src/temporal/ports.ts';
import { startCli, type LongRunning } from '../support/cli.ts';
import { eventually } from '../support/eventually.ts';
import { leadEvent } from '../support/events.ts';
import { alwaysOpen, midMarketLead } from '../support/leads.ts';
import { scratchProject, type ScratchProject } from '../support/scratchProject.ts';

/** One sample of Prometheus text: its metric name, labels and value. */
interface Sample {
  name: string;
  labels: Record<string, string>;
  value: number;
}

function samples(text: string): Sample[] {
  return text
    .split('\n')
    .filter((l) => l && !l.startsWith('#'))
    .map((l) => {
      const m = /^([a-zA-Z_:][\w:]*)(?:\{(.*)\})? (\S+)$/.exec(l);
      if (!m) throw new Error(`not a Prometheus sample: ${l}`);
      const labels = Object.fromEntries([...(m[2] ?? '').matchAll(/(\w+)="((?:[^"\\]|\\.)*)"/g)].map((x) => [x[1], x[2]]));
      return { name: m[1]!, labels, value: Number(m[3]) };
    });
}

/** The sum of a metric's samples whose labels include `labels`; undefined when there is none. */
function figure(all: Sample[], name: string, labels: Record<string, string> = {}): number | undefined {
  const hits = all.filter((s) => s.name === name && Object.entries(labels).every(([k, v]) => s.labels[k] === v));
  return hits.length ? hits.reduce((a, s) => a + s.value, 0) : undefined;
}

async function scrape(url: string): Promise<Sample[]> {
  const res = await fetch(url);
  expect(res.status).toBe(200);
  expect(res.headers.get('content-type')).toContain('text/plain');
  return samples(await res.text());
}

/** The shipped config on free ports, open around the clock (the lead is assigned whatever the hour), its CRM webhook on the stand-in CRM. */
async function project(prefix: string, taskQueue?: string): Promise<ScratchProject> {
  const p = await scratchProject(prefix, { taskQueue });
  const config = parse(readFileSync(p.configFile, 'utf8')) as LoadedConfig['config'];
  alwaysOpen({ config } as LoadedConfig);
  config.connections!.crmWebhook!.url = `http://127.0.0.1:${p.port}/v1/dev/crm-sink`;
  writeFileSync(p.configFile, stringify(config));
  return p;
}

const post = (api: string, body: unknown) => fetch(`${api}/v1/events`, { method: 'POST', headers: { 'content-type': 'application/cloudevents+json' }, body: JSON.stringify(body) });

describe('GET /metrics on a running `flywheel dev`', () => {
  let p: ScratchProject;
  let run: LongRunning;
  let ready: { api: string; metrics: string; logFile: string; taskQueue: string };

  beforeAll(async () => {
    p = await project('metrics');
    run = startCli(['dev', '--json'], { FLYWHEEL_CONFIG: p.configFile, FLYWHEEL_INGEST_SECRET: '' });
    ready = (await run.firstJsonLine) as typeof ready;
  });
  afterAll(async () => {
    if (run) {
      run.child.kill('SIGINT');
      expect((await run.exited).code).toBe(0);
    }
    if (p) rmSync(p.root, { recursive: true, force: true });
  });

  const leadId = `metrics-${Date.now()}`;

  it('shows every figure moving as events arrive and the lead is assigned', async () => {
    const before = await scrape(ready.metrics);
    // At rest: the rules deciding, the SDK's worker metrics for this stack's task queue, the SLA gauges at zero.
    expect(figure(before, 'flywheel_rules_revision_info')).toBe(1);
    expect(figure(before, 'flywheel_rules_errors')).toBe(0);
    expect(figure(before, 'temporal_worker_task_slots_available', { task_queue: ready.taskQueue })).toBeGreaterThan(0);
    expect(figure(before, 'flywheel_speed_to_lead_seconds_count')).toBe(0);

    expect((await post(ready.api, leadEvent(leadId, 'lead.created', midMarketLead()))).status).toBe(202);
    // A known type with an invalid field, and a type nobody knows: both refused, the second under `other`.
    expect((await post(ready.api, leadEvent(`${leadId}-bad`, 'lead.created', midMarketLead({ email: 'nope' })))).status).toBe(400);
    expect((await post(ready.api, leadEvent(`${leadId}-odd`, 'lead.exploded'))).status).toBe(400);

    const after = await eventually(
      () => scrape(ready.metrics),
      (s) =>
        (figure(s, 'flywheel_speed_to_lead_seconds_count') ?? 0) >= 1 &&
        (figure(s, 'flywheel_sla_clocks', { status: 'running' }) ?? 0) >= 1 &&
        (figure(s, 'flywheel_notifications_total', { channel: 'webhook', outcome: 'sent' }) ?? 0) >= 1,
      'speed-to-lead observed, an SLA clock running and the assignment notified',
      60_000,
    );
    const moved = (name: string, labels: Record<string, string> = {}) => (figure(after, name, labels) ?? 0) - (figure(before, name, labels) ?? 0);

    expect(moved('flywheel_events_total', { route: 'events', type: 'lead.created', outcome: 'accepted', status: '202' })).toBe(1);
    expect(moved('flywheel_events_total', { route: 'events', type: 'lead.created', outcome: 'rejected', status: '400' })).toBe(1);
    expect(moved('flywheel_events_total', { route: 'events', type: 'other', outcome: 'rejected', status: '400' })).toBe(1);
    expect(moved('flywheel_speed_to_lead_seconds_count')).toBe(1);
    expect(figure(after, 'flywheel_speed_to_lead_seconds_sum')).toBeGreaterThan(0);
    expect(moved('flywheel_ledger_rows_total', { type: 'lead.assigned' })).toBe(1);
    expect(moved('flywheel_ledger_write_seconds_count', { op: 'transaction', outcome: 'ok' })).toBeGreaterThanOrEqual(1);
    expect(moved('flywheel_sla_clocks', { status: 'running' })).toBeGreaterThanOrEqual(1);
    expect(figure(after, 'flywheel_notifications_in_flight', { channel: 'webhook' })).toBe(0);
    expect(moved('temporal_workflow_task_execution_latency_count', { task_queue: ready.taskQueue })).toBeGreaterThan(0);
    expect(moved('temporal_activity_execution_latency_count', { task_queue: ready.taskQueue })).toBeGreaterThan(0);
  });

  it("writes JSON logs to the data folder, with the lead's id and without its person", async () => {
    const lines = await eventually(
      async () =>
        readFileSync(ready.logFile, 'utf8')
          .split('\n')
          .filter(Boolean)
          .map((l) => JSON.parse(l) as Record<string, unknown>),
      (ls) => ls.some((l) => l.component === 'api' && (l.leadIds as string[] | undefined)?.includes(leadId)),
      'an ingest log line naming the lead',
    );
    expect(lines.every((l) => typeof l.level === 'string' && typeof l.time === 'string' && typeof l.msg === 'string')).toBe(true);
    const text = readFileSync(ready.logFile, 'utf8');
    expect(text).not.toContain('jana.weber@shopco.example');
    expect(text).not.toContain('Weber');
  });
});

describe('GET /metrics when Temporal visibility fails', () => {
  it('still answers, without the SLA gauges and with the failure counted', async () => {
    const connection = await Connection.connect({ address: inject('temporal').devAddress });
    const metrics = new FlywheelMetrics();
    // A real server asked about a namespace it does not have: every count fails.
    collectSlaClocks(metrics, new Client({ connection, namespace: `no-such-namespace-${Date.now()}` }));
    const app = buildApp({ checks: {}, metrics });
    try {
      for (const attempt of [1, 2]) {
        const res = await app.inject({ method: 'GET', url: '/metrics' });
        expect(res.statusCode).toBe(200);
        const all = samples(res.body);
        expect(figure(all, 'flywheel_sla_clocks')).toBeUndefined();
        // The failure is kept for a few seconds like an answer: the second scrape does not ask again.
        expect(figure(all, 'flywheel_metrics_scrape_errors_total', { source: 'sla' }), `scrape ${attempt}`).toBe(1);
        expect(figure(all, 'flywheel_speed_to_lead_seconds_count')).toBe(0);
      }
    } finally {
      await app.close();
      await connection.close();
    }
  });
});

describe('GET /metrics of `flywheel worker`', () => {
  it('serves its own figures and the SDK worker metrics on FLYWHEEL_WORKER_METRICS_ADDRESS', async () => {
    const taskQueue = `metrics-worker-${Date.now()}`;
    const p = await project('metrics-worker', taskQueue);
    const port = await freePort();
    const run = startCli(['worker'], {
      FLYWHEEL_CONFIG: p.configFile,
      TEMPORAL_ADDRESS: inject('temporal').devAddress,
      TEMPORAL_NAMESPACE: 'default',
      FLYWHEEL_WORKER_METRICS_ADDRESS: `127.0.0.1:${port}`,
    });
    try {
      // Its output is JSON log lines (the SDK's and its own).
      expect(typeof (await run.firstJsonLine).level).toBe('string');
      const all = await eventually(
        () =>
          fetch(`http://127.0.0.1:${port}/metrics`).then(
            async (r) => (r.ok ? samples(await r.text()) : undefined),
            () => undefined,
          ),
        (s) => (figure(s, 'temporal_worker_task_slots_available', { task_queue: taskQueue }) ?? 0) > 0,
        "the worker's SDK metrics",
        30_000,
      );
      expect(figure(all, 'flywheel_rules_revision_info')).toBe(1);
      expect(figure(all, 'flywheel_ledger_rows_total', { type: 'lead.assigned' })).toBe(0);
      // Cluster state is the API's to export: a worker has no SLA gauges.
      expect(figure(all, 'flywheel_sla_clocks')).toBeUndefined();
      expect((await fetch(`http://127.0.0.1:${port}/nope`)).status).toBe(404);
    } finally {
      run.child.kill('SIGINT');
      const exit = await run.exited;
      rmSync(p.root, { recursive: true, force: true });
      expect(exit.code).toBe(0);
    }
  });
});

describe('GET /metrics of `flywheel serve`', () => {
  it('counts ingest and reads the SLA clocks of the cluster, and logs JSON on standard output', async () => {
    const taskQueue = `metrics-serve-${Date.now()}`;
    const p = await project('metrics-serve', taskQueue);
    const run = startCli(['serve', '--insecure-no-signature'], {
      FLYWHEEL_CONFIG: p.configFile,
      FLYWHEEL_INGEST_SECRET: '',
      TEMPORAL_ADDRESS: inject('temporal').devAddress,
      TEMPORAL_NAMESPACE: 'default',
    });
    try {
      // fastify's first log line is written once the port is bound.
      expect(await run.firstJsonLine).toMatchObject({ level: 'info', process: 'api', msg: expect.stringContaining('Server listening') });
      const api = `http://127.0.0.1:${p.port}`;
      expect((await post(api, leadEvent(`serve-${Date.now()}`, 'lead.touched'))).status).toBe(202);
      const all = await scrape(`${api}/metrics`);
      expect(figure(all, 'flywheel_events_total', { route: 'events', type: 'lead.touched', outcome: 'accepted', status: '202' })).toBe(1);
      expect(figure(all, 'flywheel_rules_revision_info')).toBe(1);
      // Counted over the whole shared dev server, so only its presence is known here.
      for (const status of ['running', 'warned', 'breached', 'held', 'paused']) expect(figure(all, 'flywheel_sla_clocks', { status })).toEqual(expect.any(Number));
      expect(figure(all, 'flywheel_metrics_scrape_errors_total')).toBeUndefined();
      // The API runs no worker: the SDK's worker metrics are the workers' to export.
      expect(all.some((s) => s.name.startsWith('temporal_'))).toBe(false);
    } finally {
      run.child.kill('SIGINT');
      const exit = await run.exited;
      rmSync(p.root, { recursive: true, force: true });
      expect(exit.code).toBe(0);
    }
  });
});
