import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { FastifyInstance } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { inject } from 'vitest';
import { TemporalEventSink } from '../../src/ingest/temporalSink.ts';
import { buildApp } from '../../src/server/app.ts';
import { runCli, startCli } from '../support/cli.ts';
import { leadEvent, newLeadId, signedHeaders, TEST_SECRET } from '../support/events.ts';
import { createHarness, type TestHarness } from '../support/temporal.ts';
import { scratchProject } from '../support/scratchProject.ts';
import { eventually } from '../support/eventually.ts';

let h: TestHarness;
let app: FastifyInstance;
let api: string;
const scratch: string[] = [];

beforeAll(async () => {
  h = await createHarness('dev', 'ingest-e2e');
  app = buildApp({
    checks: {},
    ingest: { sink: new TemporalEventSink(h.client, h.taskQueue), ledger: h.ledger, secret: TEST_SECRET, toleranceSeconds: 300 },
    reads: { client: h.client },
  });
  await app.listen({ host: '127.0.0.1', port: 0 });
  api = `http://127.0.0.1:${(app.server.address() as { port: number }).port}`;
});
afterAll(async () => {
  await app?.close();
  await h?.close();
  for (const dir of scratch) rmSync(dir, { recursive: true, force: true });
});

const temporalEnv = () => ({ TEMPORAL_ADDRESS: inject('temporal').devAddress, TEMPORAL_NAMESPACE: 'default' });

/** A throwaway project served on its own task queue (see scratchProject). */
async function servedProject(): Promise<{ configFile: string; port: number; taskQueue: string }> {
  const p = await scratchProject('ingest', { taskQueue: `${h.taskQueue}-served` });
  scratch.push(p.root);
  return { configFile: p.configFile, port: p.port, taskQueue: `${h.taskQueue}-served` };
}

describe('flywheel events send', () => {
  it('signs and sends a file, printing the answer', async () => {
    const lead = newLeadId();
    const dir = mkdtempSync(path.join(os.tmpdir(), 'flywheel-events-'));
    scratch.push(dir);
    const file = path.join(dir, 'events.json');
    const events = [leadEvent(lead), leadEvent(lead)];
    writeFileSync(file, JSON.stringify(events, null, 2));
    const json = await runCli(['events', 'send', file, '--url', api, '--json'], { FLYWHEEL_INGEST_SECRET: TEST_SECRET });
    expect(json.stderr).toBe('');
    expect(json.code).toBe(0);
    expect(JSON.parse(json.stdout).accepted.map((a: { id: string; duplicate: boolean }) => [a.id, a.duplicate])).toEqual(events.map((e) => [e.id, false]));

    const human = await runCli(['events', 'send', '-', '--url', api], { FLYWHEEL_INGEST_SECRET: TEST_SECRET }, JSON.stringify(events[0]));
    expect(human.code).toBe(0);
    expect(human.stdout).toContain('accepted 1 event(s), 1 already received before');
    expect(human.stdout).toContain(`-> lead:${lead}  (duplicate)`);
  });

  it('exits non-zero with the problem on an invalid event or a missing secret', async () => {
    const bad = JSON.stringify(leadEvent(newLeadId(), 'lead.created', { email: 'nope' }));
    const invalid = await runCli(['events', 'send', '-', '--url', api], { FLYWHEEL_INGEST_SECRET: TEST_SECRET }, bad);
    expect(invalid.code).toBe(1);
    expect(invalid.stderr).toContain('400 Request is not valid');
    expect(invalid.stderr).toContain('/data/email');

    const unsigned = await runCli(['events', 'send', '-', '--url', api, '--json'], { FLYWHEEL_INGEST_SECRET: '' }, JSON.stringify(leadEvent(newLeadId())));
    expect(unsigned.code).toBe(1);
    expect(JSON.parse(unsigned.stdout)).toMatchObject({ type: '/problems/unauthorized', status: 401 });
  });
});

describe('flywheel serve', () => {
  it('refuses to start without an ingest secret unless told it may', async () => {
    const project = await servedProject();
    const res = await runCli(['serve'], { FLYWHEEL_CONFIG: project.configFile, FLYWHEEL_INGEST_SECRET: '', ...temporalEnv() });
    expect(res.code).toBe(2);
    expect(res.stderr).toContain('FLYWHEEL_INGEST_SECRET is not set');
    expect(res.stderr).toContain('--insecure-no-signature');
  });

  it('serves signed ingest against Temporal from the environment', async () => {
    const project = await servedProject();
    const run = startCli(['serve'], { FLYWHEEL_CONFIG: project.configFile, FLYWHEEL_INGEST_SECRET: TEST_SECRET, FLYWHEEL_OPS_TOKEN: 'ops-token', ...temporalEnv() });
    try {
      // fastify's first log line is written once the port is bound.
      expect(await run.firstJsonLine).toMatchObject({ msg: expect.stringContaining('Server listening') });
      const base = `http://127.0.0.1:${project.port}`;
      const e = leadEvent(newLeadId());
      const body = JSON.stringify(e);
      const unsigned = await fetch(`${base}/v1/events`, { method: 'POST', headers: { 'content-type': 'application/cloudevents+json' }, body });
      expect(unsigned.status).toBe(401);
      const res = await fetch(`${base}/v1/events`, { method: 'POST', headers: { 'content-type': 'application/cloudevents+json', ...signedHeaders(body) }, body });
      expect(res.status).toBe(202);
      const d = await h.client.workflow.getHandle(`lead:${e.subject}`).describe();
      expect(d.taskQueue).toBe(project.taskQueue);
      // The operations page is on because its token is set, and only for callers presenting it.
      expect((await fetch(`${base}/v1/operations`)).status).toBe(401);
      expect((await fetch(`${base}/v1/operations`, { headers: { authorization: 'Bearer ops-token' } })).status).toBe(200);
    } finally {
      run.child.kill('SIGINT');
      const exit = await run.exited;
      expect(exit.stderr).not.toContain(TEST_SECRET);
    }
  });
});

describe('flywheel dev', () => {
  it('accepts unsigned events with one warning, and serves the stand-in CRM', async () => {
    const project = await servedProject();
    const run = startCli(['dev', '--json'], { FLYWHEEL_CONFIG: project.configFile, FLYWHEEL_INGEST_SECRET: '' });
    try {
      const ready = (await run.firstJsonLine) as { api: string };
      const e = leadEvent(newLeadId());
      const res = await fetch(`${ready.api}/v1/events`, { method: 'POST', headers: { 'content-type': 'application/cloudevents+json' }, body: JSON.stringify(e) });
      expect(res.status).toBe(202);
      const hook = await fetch(`${ready.api}/v1/dev/crm-sink`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{"kind":"assignment"}' });
      expect(hook.status).toBe(204);
      expect(await (await fetch(`${ready.api}/v1/dev/crm-sink`)).json()).toMatchObject({ count: 1, received: [{ body: { kind: 'assignment' } }] });
    } finally {
      run.child.kill('SIGINT');
      const exit = await run.exited;
      expect(exit.code).toBe(0);
      expect(exit.stderr.match(/FLYWHEEL_INGEST_SECRET is not set/g)).toHaveLength(1);
    }
    // A whole `flywheel dev` stack (Temporal dev server, worker bundle, embedded ledger) starts here: about 13 s on
    // an idle 2-core machine, over a minute when the machine is loaded. The hook timeout (120 s) applies here too.
  }, 120_000);
});

describe('read side through the worker', () => {
  it('GET /v1/leads/:id and flywheel lead show return the workflow state', async () => {
    const lead = newLeadId();
    // A touch before the create: the workflow keeps it until the lead exists, without calling any activity.
    const e = leadEvent(lead);
    const body = JSON.stringify(e);
    expect((await fetch(`${api}/v1/events`, { method: 'POST', headers: { 'content-type': 'application/cloudevents+json', ...signedHeaders(body) }, body })).status).toBe(202);

    const url = `/v1/leads/${lead}`;
    // 202 means Temporal has the signal, not that the workflow has run its first task: a read can come before the
    // touch is kept. Read until it shows (each answer must still be a 200 with the lead's state).
    const state = await eventually(
      async () => {
        const res = await h.run(() => fetch(`${api}${url}`, { headers: signedHeaders(url) }));
        expect(res.status).toBe(200);
        return (await res.json()) as { early?: unknown[] };
      },
      (s) => (s.early?.length ?? 0) > 0,
      'the early touch in the state',
    );
    expect(state).toMatchObject({ leadId: lead, stage: 'Attract', status: 'new', early: [{ key: `${e.source}#${e.id}` }] });

    const shown = await h.run(() => runCli(['lead', 'show', lead, '--json'], temporalEnv()));
    expect(shown.code).toBe(0);
    expect(JSON.parse(shown.stdout)).toEqual(state);
    const human = await h.run(() => runCli(['lead', 'show', lead], temporalEnv()));
    expect(human.stdout).toContain(`Lead ${lead}  (workflow lead:${lead})`);
    expect(human.stdout).toContain('Attract / new');
    expect(human.stdout).toContain('Waiting for lead.created: 1 earlier event(s) (lead.touched)');
  });

  it('delivers account events to account:<subject>; GET /v1/accounts/:id and flywheel account show read its state', async () => {
    const account = `ACC-${newLeadId()}`;
    // A health report before the won deal's hand-off: the account workflow keeps it until the customer exists.
    const e = leadEvent(account, 'account.health_reported', { activeSeatRatio: 0.5 });
    const body = JSON.stringify([e, leadEvent(account, 'account.kickoff_held', {})]);
    const res = await fetch(`${api}/v1/events`, { method: 'POST', headers: { 'content-type': 'application/cloudevents-batch+json', ...signedHeaders(body) }, body });
    expect(res.status).toBe(202);
    expect(((await res.json()) as { accepted: { workflowId: string }[] }).accepted.map((a) => a.workflowId)).toEqual([`account:${account}`, `account:${account}`]);
    h.track(`account:${account}`);

    const url = `/v1/accounts/${account}`;
    // As for the lead: read until the workflow has kept both early events.
    const state = await eventually(
      async () => {
        const read = await h.run(() => fetch(`${api}${url}`, { headers: signedHeaders(url) }));
        expect(read.status).toBe(200);
        return (await read.json()) as { early?: unknown[] };
      },
      (s) => (s.early?.length ?? 0) === 2,
      'both early events in the state',
    );
    expect(state).toMatchObject({ accountId: account, stage: 'Delight', status: 'awaiting-handoff', arr: 0, early: [{ key: `${e.source}#${e.id}` }, { type: 'account.kickoff_held' }] });
    const shown = await h.run(() => runCli(['account', 'show', account, '--json'], temporalEnv()));
    expect(JSON.parse(shown.stdout)).toEqual(state);
    const human = await h.run(() => runCli(['account', 'show', account], temporalEnv()));
    expect(human.stdout).toContain(`Account ${account}  (workflow account:${account})`);
    expect(human.stdout).toContain('Waiting for the hand-off: 2 earlier event(s) (account.health_reported, account.kickoff_held)');
    const missing = await runCli(['account', 'show', `${account}-nope`], temporalEnv());
    expect(missing.code).toBe(1);
    expect(missing.stderr).toContain(`no account ${account}-nope: there is no workflow account:${account}-nope`);
    const notFound = await fetch(`${api}/v1/accounts/${account}-nope`, { headers: signedHeaders(`/v1/accounts/${account}-nope`) });
    expect(notFound.status).toBe(404);
  });

  it('flywheel lead show exits 1 for an unknown lead', async () => {
    const lead = newLeadId();
    const res = await runCli(['lead', 'show', lead], temporalEnv());
    expect(res.code).toBe(1);
    expect(res.stderr).toContain(`no lead ${lead}: there is no workflow lead:${lead}`);
  });
});
