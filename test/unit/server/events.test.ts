import { Client, Connection, WorkflowNotFoundError, type WorkflowClientInterceptor } from '@temporalio/client';
import { defaultPayloadConverter } from '@temporalio/common';
import type { FastifyInstance } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { TemporalEventSink } from '../../../src/ingest/temporalSink.ts';
import { buildApp, MAX_BODY_BYTES } from '../../../src/server/app.ts';
import { freePort } from '../../../src/temporal/ports.ts';
import { leadWorkflowType } from '../../../workflows/definitions.ts';
import { sign, SIGNATURE_HEADER, TIMESTAMP_HEADER } from '../../../src/events/signature.ts';
import { LIMITS } from '../../../src/limits.ts';
import { leadEvent, newLeadId, signedHeaders, TEST_SECRET } from '../../support/events.ts';
import { createHarness, type TestHarness } from '../../support/temporal.ts';

let h: TestHarness;
beforeAll(async () => {
  h = await createHarness('dev', 'ingest-api');
});
afterAll(async () => h?.close());

// No worker polls this queue: while a worker holds a workflow task, Temporal buffers new signals outside the history,
// so with one the history would lag behind what the API delivered. These tests are about the API, not the workflow.
const queue = () => `${h.taskQueue}-api-only`;

const CE = 'application/cloudevents+json';
const BATCH = 'application/cloudevents-batch+json';

function app(opts: { client?: Client; secret?: string | null; timeoutMs?: number; concurrency?: number } = {}): FastifyInstance {
  const client = opts.client ?? h.client;
  const sink = new TemporalEventSink(client, queue(), { timeoutMs: opts.timeoutMs, concurrency: opts.concurrency });
  const secret = opts.secret === null ? undefined : (opts.secret ?? TEST_SECRET);
  return buildApp({ checks: {}, ingest: { sink, ledger: h.ledger, secret, toleranceSeconds: 300 }, reads: { client, timeoutMs: opts.timeoutMs } });
}

function post(a: FastifyInstance, body: unknown, contentType = CE, headers?: Record<string, string>) {
  const payload = typeof body === 'string' ? body : JSON.stringify(body);
  return a.inject({ method: 'POST', url: '/v1/events', headers: { 'content-type': contentType, ...(headers ?? signedHeaders(payload)) }, payload });
}

function signedHeadersFor(body: Buffer): Record<string, string> {
  const ts = String(Math.floor(Date.now() / 1000));
  return { [TIMESTAMP_HEADER]: ts, [SIGNATURE_HEADER]: sign(TEST_SECRET, ts, body) };
}

async function exists(workflowId: string): Promise<boolean> {
  try {
    await h.client.workflow.getHandle(workflowId).describe();
    return true;
  } catch (e) {
    if (e instanceof WorkflowNotFoundError) return false;
    throw e;
  }
}

/** The CRM events in the workflow's history, in the order Temporal recorded them. */
async function signalled(workflowId: string): Promise<{ key: string; id: string; type: string }[]> {
  const history = await h.client.workflow.getHandle(workflowId).fetchHistory();
  return (history.events ?? [])
    .map((e) => e.workflowExecutionSignaledEventAttributes)
    .filter((s) => s?.signalName === 'crmEvent')
    .map((s) => defaultPayloadConverter.fromPayload(s!.input!.payloads![0]!));
}

/** A real client whose interceptor rewrites each signal-with-start before the real one is sent. */
function clientRewriting(rewrite: (input: Parameters<NonNullable<WorkflowClientInterceptor['signalWithStart']>>[0]) => typeof input): Client {
  const interceptor: WorkflowClientInterceptor = { signalWithStart: async (input, next) => next(rewrite(input)) };
  return new Client({ connection: h.client.connection, namespace: 'default', interceptors: { workflow: [interceptor] } });
}

/** A real client whose signalWithStart fails for the chosen event ids, as if Temporal refused them. */
function clientFailingFor(ids: string[]): Client {
  const refuse: WorkflowClientInterceptor = {
    async signalWithStart(input, next) {
      const e = input.signalArgs[0] as { id: string };
      if (ids.includes(e.id)) throw new Error('14 UNAVAILABLE: injected by the test');
      return next(input);
    },
  };
  return new Client({ connection: h.client.connection, namespace: 'default', interceptors: { workflow: [refuse] } });
}

describe('POST /v1/events: accepted', () => {
  it('answers 202 after signalWithStart, and the lead workflow holds the event', async () => {
    const lead = newLeadId();
    const e = leadEvent(lead, 'lead.created', { email: 'ada@example.com', company: 'Example' });
    const res = await post(app(), e);
    expect(res.statusCode).toBe(202);
    expect(res.json()).toEqual({ accepted: [{ id: e.id, source: e.source, type: e.type, workflowId: `lead:${lead}`, duplicate: false }] });

    const d = await h.client.workflow.getHandle(`lead:${lead}`).describe();
    expect(d.type).toBe(leadWorkflowType);
    expect(d.taskQueue).toBe(queue());
    const history = await h.client.workflow.getHandle(`lead:${lead}`).fetchHistory();
    const started = history.events?.[0]?.workflowExecutionStartedEventAttributes;
    expect(defaultPayloadConverter.fromPayload(started!.input!.payloads![0]!)).toEqual({ leadId: lead });
    expect(await signalled(`lead:${lead}`)).toEqual([{ key: `${e.source}#${e.id}`, id: e.id, source: e.source, type: e.type, subject: lead, time: e.time, data: e.data }]);
  });

  it('takes application/json and a media type with parameters', async () => {
    const lead = newLeadId();
    const a = app();
    expect((await post(a, leadEvent(lead), 'application/json')).statusCode).toBe(202);
    expect((await post(a, leadEvent(lead), `${CE}; charset=utf-8`)).statusCode).toBe(202);
    expect(await signalled(`lead:${lead}`)).toHaveLength(2);
  });

  it('delivers a batch in order per lead and answers per event', async () => {
    const [a, b] = [newLeadId(), newLeadId()];
    const batch = [leadEvent(a), leadEvent(b), leadEvent(a), leadEvent(a)];
    const res = await post(app(), batch, BATCH);
    expect(res.statusCode).toBe(202);
    expect(res.json().accepted.map((x: { id: string; workflowId: string }) => [x.id, x.workflowId])).toEqual(batch.map((e) => [e.id, `lead:${e.subject}`]));
    expect((await signalled(`lead:${a}`)).map((s) => s.id)).toEqual([batch[0]!.id, batch[2]!.id, batch[3]!.id]);
    expect((await signalled(`lead:${b}`)).map((s) => s.id)).toEqual([batch[1]!.id]);
  });

  it('flags a redelivered event as a duplicate, also inside one batch', async () => {
    const lead = newLeadId();
    const e = leadEvent(lead);
    const a = app();
    expect((await post(a, e)).json().accepted[0].duplicate).toBe(false);
    const again = await post(a, e);
    expect(again.statusCode).toBe(202);
    expect(again.json().accepted[0]).toMatchObject({ id: e.id, duplicate: true });

    const f = leadEvent(lead);
    const twice = await post(a, [f, f], BATCH);
    expect(twice.json().accepted.map((x: { duplicate: boolean }) => x.duplicate)).toEqual([false, true]);
    expect(await h.ledger.query('SELECT workflow_id FROM ingest_receipts WHERE event_key = $1', [`${f.source}#${f.id}`])).toEqual([{ workflow_id: `lead:${lead}` }]);
  });

  it('accepts unsigned events when the app has no secret (flywheel dev)', async () => {
    const lead = newLeadId();
    const res = await post(app({ secret: null }), leadEvent(lead), CE, {});
    expect(res.statusCode).toBe(202);
    expect(await exists(`lead:${lead}`)).toBe(true);
  });
});

describe('POST /v1/events: refused', () => {
  it('answers 400 with every invalid field of a single event', async () => {
    const lead = newLeadId();
    const envelope = await post(app(), { ...leadEvent(lead), specversion: '0.3', time: undefined, Bad: 1 });
    expect(envelope.statusCode).toBe(400);
    expect(envelope.headers['content-type']).toMatch(/^application\/problem\+json/);
    expect(
      envelope
        .json()
        .errors.map((e: { pointer: string }) => e.pointer)
        .sort(),
    ).toEqual(['/Bad', '/specversion', '/time']);

    const data = await post(app(), leadEvent(lead, 'lead.created', { email: 'not-an-email', country: 'germany', employees: -1 }));
    expect(data.statusCode).toBe(400);
    expect(data.json()).toMatchObject({ type: '/problems/validation-error', status: 400, instance: '/v1/events' });
    expect(
      data
        .json()
        .errors.map((e: { pointer: string }) => e.pointer)
        .sort(),
    ).toEqual(['/data/country', '/data/email', '/data/employees']);
    expect(await exists(`lead:${lead}`)).toBe(false);
  });

  it('rejects a whole batch when one event is invalid, says which, and delivers none', async () => {
    const [a, b, c] = [newLeadId(), newLeadId(), newLeadId()];
    const batch = [leadEvent(a), leadEvent(b), leadEvent(c, 'lead.created', { email: 'nope' }), { ...leadEvent(a), type: 'lead.sneezed' }];
    const res = await post(app(), batch, BATCH);
    expect(res.statusCode).toBe(400);
    expect(res.json().errors.map((e: { pointer: string }) => e.pointer)).toEqual(['/2/data/email', '/3/type']);
    expect(res.json().detail).toContain('index 2, 3');
    for (const lead of [a, b, c]) expect(await exists(`lead:${lead}`)).toBe(false);
  });

  it('answers 400 when the JSON does not fit the media type, is malformed, or tries prototype poisoning', async () => {
    const lead = newLeadId();
    const cases: [string, string][] = [
      [JSON.stringify([leadEvent(lead)]), CE],
      [JSON.stringify(leadEvent(lead)), BATCH],
      ['"just a string"', 'application/json'],
      ['[]', BATCH],
      ['{"specversion":', CE],
      [`{"__proto__":{"admin":true},${JSON.stringify(leadEvent(lead)).slice(1)}`, CE],
      ['', CE],
    ];
    for (const [body, type] of cases) {
      const res = await post(app(), body, type);
      expect({ body, status: res.statusCode, type: res.json().type }).toEqual({ body, status: 400, type: '/problems/validation-error' });
    }
    expect(await exists(`lead:${lead}`)).toBe(false);
  });

  it('answers 401 on a missing, wrong or stale signature and starts nothing', async () => {
    const lead = newLeadId();
    const body = JSON.stringify(leadEvent(lead));
    const a = app();
    const attempts = {
      missing: {},
      wrongSecret: signedHeaders(body, { secret: 'guessed' }),
      otherBody: signedHeaders(`${body} `),
      stale: signedHeaders(body, { atMs: Date.now() - 301_000 }),
      future: signedHeaders(body, { atMs: Date.now() + 301_000 }),
    };
    for (const [name, headers] of Object.entries(attempts)) {
      const res = await post(a, body, CE, headers);
      expect({ name, status: res.statusCode, type: res.json().type }).toEqual({ name, status: 401, type: '/problems/unauthorized' });
      expect(res.headers['www-authenticate']).toContain('x-flywheel-signature');
    }
    expect(await exists(`lead:${lead}`)).toBe(false);
  });

  it('answers 413 over 1 MiB and 415 for other media types', async () => {
    const lead = newLeadId();
    const big = JSON.stringify(leadEvent(lead, 'lead.created', { email: 'a@example.com', notes: 'x'.repeat(MAX_BODY_BYTES) }));
    const tooBig = await post(app(), big);
    expect(tooBig.statusCode).toBe(413);
    expect(tooBig.json().type).toBe('/problems/payload-too-large');

    const body = JSON.stringify(leadEvent(lead));
    for (const type of ['text/plain', 'application/x-www-form-urlencoded', 'application/cloudevents+xml']) {
      const res = await post(app(), body, type);
      expect({ type, status: res.statusCode, problem: res.json().type }).toEqual({ type, status: 415, problem: '/problems/unsupported-media-type' });
    }
    expect(await exists(`lead:${lead}`)).toBe(false);
  });
});

describe('POST /v1/events: Temporal does not take it', () => {
  it('answers 503 when Temporal is unreachable', async () => {
    const connection = Connection.lazy({ address: `127.0.0.1:${await freePort()}` });
    try {
      const down = new Client({ connection, namespace: 'default' });
      const e = leadEvent(newLeadId());
      const res = await post(app({ client: down, timeoutMs: 1_000 }), e);
      expect(res.statusCode).toBe(503);
      expect(res.headers['content-type']).toMatch(/^application\/problem\+json/);
      expect(res.json()).toMatchObject({ type: '/problems/temporal-unavailable', status: 503, accepted: [], failed: [{ id: e.id, workflowId: `lead:${e.subject}` }] });
      expect(res.json().detail).not.toContain('127.0.0.1');
    } finally {
      await connection.close();
    }
  });

  it('names the events accepted before the failure; a retry of the whole batch delivers the rest', async () => {
    const [a, b] = [newLeadId(), newLeadId()];
    const batch = [leadEvent(a), leadEvent(a), leadEvent(b), leadEvent(a)];
    // One lane, so which events go before the failure is deterministic: lead a's three, then b's, which fails.
    const res = await post(app({ client: clientFailingFor([batch[2]!.id]), concurrency: 1 }), batch, BATCH);
    expect(res.statusCode).toBe(503);
    const body = res.json();
    expect(body.accepted.map((x: { id: string }) => x.id)).toEqual([batch[0]!.id, batch[1]!.id, batch[3]!.id]);
    expect(body.failed).toEqual([{ id: batch[2]!.id, source: batch[2]!.source, type: batch[2]!.type, workflowId: `lead:${b}` }]);
    expect(await exists(`lead:${b}`)).toBe(false);

    const retry = await post(app(), batch, BATCH);
    expect(retry.statusCode).toBe(202);
    expect(retry.json().accepted.map((x: { duplicate: boolean }) => x.duplicate)).toEqual([true, true, false, true]);
    expect((await signalled(`lead:${b}`)).map((s) => s.id)).toEqual([batch[2]!.id]);
  });

  it('stops sending a lead its later events once one of them failed', async () => {
    const lead = newLeadId();
    const batch = [leadEvent(lead), leadEvent(lead), leadEvent(lead)];
    const res = await post(app({ client: clientFailingFor([batch[1]!.id]) }), batch, BATCH);
    expect(res.statusCode).toBe(503);
    expect(res.json().accepted.map((x: { id: string }) => x.id)).toEqual([batch[0]!.id]);
    expect((await signalled(`lead:${lead}`)).map((s) => s.id)).toEqual([batch[0]!.id]);
  });
});

describe('POST /v1/events: what the pipeline cannot carry is refused at the door', () => {
  it('answers 400 naming the field for a NUL, a lone surrogate, deep data and an amount over the ledger limit', async () => {
    const lead = newLeadId();
    // 10,000 levels: JSON.stringify (and so Temporal's payload converter) runs out of stack on it.
    const deep = JSON.stringify(leadEvent(lead, 'lead.created', { a: 'DEEP' })).replace('"DEEP"', `${'{"a":'.repeat(10_000)}1${'}'.repeat(10_000)}`);
    const cases: [unknown, string, RegExp][] = [
      [leadEvent(lead, 'lead.created', { title: 'CTO\u0000' }), '/data/title', /NUL/],
      [leadEvent(`${lead}\u0000`, 'lead.created', {}), '/subject', /NUL/],
      [leadEvent(lead, 'meeting.booked', { meetingId: 'm1', room: 'a\u0000' }), '/data/room', /NUL/],
      [leadEvent(`${lead}\ud800`, 'lead.created', {}), '/subject', /lone UTF-16 surrogate/],
      [deep, `/data${'/a'.repeat(32)}`, /nested more than 32 levels/],
      [leadEvent(lead, 'opportunity.created', { opportunityId: 'o1', amount: 1e17 }), '/data/amount', /must be < 10000000000000000/],
    ];
    for (const [event, pointer, detail] of cases) {
      const res = await post(app(), event);
      expect({ pointer, status: res.statusCode, type: res.headers['content-type'] }).toEqual({ pointer, status: 400, type: expect.stringMatching(/^application\/problem\+json/) });
      expect(res.json().errors).toContainEqual({ pointer, detail: expect.stringMatching(detail) });
    }
    expect(await exists(`lead:${lead}`)).toBe(false);
  });

  it('answers 400 for bytes that are not UTF-8 instead of replacing them', async () => {
    const lead = newLeadId();
    const json = Buffer.from(JSON.stringify(leadEvent(lead, 'lead.created', { title: 'CTO-MARK' })));
    const body = Buffer.from(json.toString('latin1').replace('CTO-MARK', 'CTO\u00ff\u00fe'), 'latin1');
    const res = await app().inject({ method: 'POST', url: '/v1/events', headers: { 'content-type': CE, ...signedHeadersFor(body) }, payload: body });
    expect(res.statusCode).toBe(400);
    expect(res.json()).toMatchObject({ type: '/problems/validation-error', errors: [{ pointer: '', detail: 'body is not valid UTF-8' }] });
    expect(await exists(`lead:${lead}`)).toBe(false);
  });
});

describe('POST /v1/events: Temporal refuses the content', () => {
  it('answers 422, not 503, when the payload converter cannot encode the event', async () => {
    // Past the door's checks only a gap in them could get here: the interceptor makes the signal unencodable.
    const client = clientRewriting((input) => ({ ...input, signalArgs: [{ ...(input.signalArgs[0] as object), n: 1n }] }));
    const e = leadEvent(newLeadId());
    const res = await post(app({ client }), e);
    expect(res.statusCode).toBe(422);
    expect(res.headers['retry-after']).toBeUndefined();
    expect(res.json()).toMatchObject({ type: '/problems/undeliverable-event', status: 422, accepted: [], failed: [{ id: e.id }], errors: [{ pointer: '' }] });
    expect(await exists(`lead:${e.subject}`)).toBe(false);
  });

  it('answers 422 when the server calls the request invalid, naming the event of the batch', async () => {
    const [a, b] = [newLeadId(), newLeadId()];
    // The server's own limit on workflow ids (1,000) stands in for any INVALID_ARGUMENT the door does not foresee.
    const client = clientRewriting((input) => (input.options.workflowId === `lead:${b}` ? { ...input, options: { ...input.options, workflowId: `lead:${b}${'x'.repeat(2_000)}` } } : input));
    const res = await post(app({ client, concurrency: 1 }), [leadEvent(a), leadEvent(b)], BATCH);
    expect(res.statusCode).toBe(422);
    expect(res.json()).toMatchObject({ type: '/problems/undeliverable-event', errors: [{ pointer: '/1' }], failed: [{ workflowId: `lead:${b}` }] });
    expect(res.json().accepted.map((x: { workflowId: string }) => x.workflowId)).toEqual([`lead:${a}`]);
  });
});

describe('GET /v1/leads/:id and /v1/accounts/:id with ids at the limit', () => {
  it('reads back a lead accepted with the longest id, percent-encoded, instead of answering 414', async () => {
    const lead = `L-${'ü'.repeat(LIMITS.idLength - 2)}`;
    const accepted = await post(app(), leadEvent(lead, 'lead.created', {}));
    expect(accepted.statusCode).toBe(202);
    // A query needs a worker, and none polls this queue: the read reaching Temporal for this id is what is asserted.
    const a = app({ timeoutMs: 500 });
    const url = `/v1/leads/${encodeURIComponent(lead)}`;
    const res = await a.inject({ method: 'GET', url, headers: signedHeaders(url) });
    expect(res.statusCode).toBe(503);
    expect(res.json()).toMatchObject({ type: '/problems/temporal-unavailable', detail: expect.stringContaining(`lead:${lead}`) });
    const account = `A-${'\u{1F680}'.repeat(LIMITS.idLength - 2)}`;
    const accountUrl = `/v1/accounts/${encodeURIComponent(account)}`;
    const missing = await a.inject({ method: 'GET', url: accountUrl, headers: signedHeaders(accountUrl) });
    expect(missing.statusCode).toBe(404);
    expect(missing.json().detail).toContain(`account:${account}`);
  });
});

describe('GET /v1/leads/:id', () => {
  it('answers 404 for a lead without a workflow, signed like the events', async () => {
    const a = app();
    const url = `/v1/leads/${newLeadId()}`;
    const unsigned = await a.inject({ method: 'GET', url });
    expect(unsigned.statusCode).toBe(401);
    const res = await a.inject({ method: 'GET', url, headers: signedHeaders(url) });
    expect(res.statusCode).toBe(404);
    expect(res.json()).toMatchObject({ type: '/problems/not-found', status: 404, instance: url });
    // A signature for one lead does not read another.
    const other = await a.inject({ method: 'GET', url: `/v1/leads/${newLeadId()}`, headers: signedHeaders(url) });
    expect(other.statusCode).toBe(401);
  });

  it('answers 503 when Temporal cannot answer the query', async () => {
    const connection = Connection.lazy({ address: `127.0.0.1:${await freePort()}` });
    try {
      const url = `/v1/leads/${newLeadId()}`;
      const res = await app({ client: new Client({ connection, namespace: 'default' }), secret: null, timeoutMs: 1_000 }).inject({ method: 'GET', url });
      expect(res.statusCode).toBe(503);
      expect(res.json().type).toBe('/problems/temporal-unavailable');
    } finally {
      await connection.close();
    }
  });
});
