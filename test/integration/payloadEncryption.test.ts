import { randomBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import type { FastifyInstance } from 'fastify';
import { historyFromJSON } from '@temporalio/common/lib/proto-utils';
import proto, { type temporal } from '@temporalio/proto';
import { Worker } from '@temporalio/worker';
import { leadWorkflowId } from '../../workflows/definitions.ts';
import { buildApp } from '../../src/server/app.ts';
import { codecEndpointFromEnvironment } from '../../src/server/routes/codec.ts';
import { payloadCodecFromEnvironment, type EncryptionCodec } from '../../src/temporal/payloadCodec.ts';
import { createHarness, type TestHarness } from '../support/temporal.ts';
import { alwaysOpen, deliver, leadEvent, midMarketLead, waitForState } from '../support/leads.ts';

const UI = 'http://localhost:8233';
const TOKEN = randomBytes(24).toString('base64url');
const env = { FLYWHEEL_PAYLOAD_KEYS: `it-2026-12:${randomBytes(32).toString('base64')}`, FLYWHEEL_CODEC_TOKEN: TOKEN, FLYWHEEL_CODEC_ORIGINS: `${UI}/` };
type History = temporal.api.history.v1.IHistory;
type JsonPayload = { metadata: Record<string, string>; data: string };

describe('lead payloads encrypted in Temporal histories, decoded by the codec endpoint (dev server)', () => {
  let h: TestHarness;
  let app: FastifyInstance;
  let codec: EncryptionCodec;
  const id = `codec-${Date.now()}`;
  const email = `${id}@shopco.example`;
  let raw: History;

  beforeAll(async () => {
    h = await createHarness('dev', 'payload-codec', { adjust: alwaysOpen, env });
    codec = payloadCodecFromEnvironment(env)!;
    app = buildApp({ checks: {}, codec: codecEndpointFromEnvironment(codec, env) });
    await deliver(h, leadEvent('lead.created', id, midMarketLead({ email, phone: '+49 30 5550199' }), new Date().toISOString()));
    // The worker decodes what it reads and the client decodes the query's answer: the lead works as before.
    const s = await waitForState(h, id, (x) => x.sla?.status === 'running', 'assigned');
    expect(s.owner).not.toBeNull();
    raw = (await h.client.workflowService.getWorkflowExecutionHistory({ namespace: 'default', execution: { workflowId: leadWorkflowId(id) } })).history!;
  });
  afterAll(async () => {
    await app?.close();
    await h?.close();
  });

  const payloadsOf = (history: History) =>
    history.events!.flatMap((e) => [
      ...(e.workflowExecutionStartedEventAttributes?.input?.payloads ?? []),
      ...(e.workflowExecutionSignaledEventAttributes?.input?.payloads ?? []),
      // A local activity's marker: core's own bookkeeping (`data`: seq, attempt, activity type) is not user data and
      // stays plain; the activity's result is a payload like any other.
      ...(e.markerRecordedEventAttributes?.details?.result?.payloads ?? []),
      ...(e.activityTaskScheduledEventAttributes?.input?.payloads ?? []),
      ...(e.activityTaskCompletedEventAttributes?.result?.payloads ?? []),
    ]);
  const asJson = (p: temporal.api.common.v1.IPayload): JsonPayload => ({
    metadata: Object.fromEntries(Object.entries(p.metadata ?? {}).map(([k, v]) => [k, Buffer.from(v).toString('base64')])),
    data: Buffer.from(p.data ?? new Uint8Array()).toString('base64'),
  });
  const signalPayload = () => asJson(raw.events!.find((e) => e.workflowExecutionSignaledEventAttributes)!.workflowExecutionSignaledEventAttributes!.input!.payloads![0]!);

  it('stores no e-mail or phone anywhere in the raw history, and every payload is encrypted', () => {
    const bytes = Buffer.from(proto.temporal.api.history.v1.History.encode(raw).finish());
    expect(bytes.includes(email)).toBe(false);
    expect(bytes.includes('5550199')).toBe(false);
    expect(bytes.includes('shopco')).toBe(false);
    const payloads = payloadsOf(raw);
    expect(payloads.length).toBeGreaterThan(1);
    for (const p of payloads) expect(Buffer.from(p.metadata!.encoding!).toString()).toBe('binary/encrypted');
  });

  it('decodes for a caller with the token: the signal carries the lead as the CRM sent it', async () => {
    const res = await app.inject({
      method: 'POST',
      url: '/v1/codec/decode',
      headers: { authorization: `Bearer ${TOKEN}`, 'x-namespace': 'default', origin: UI },
      payload: { payloads: [signalPayload()] },
    });
    expect(res.statusCode).toBe(200);
    expect(res.headers['access-control-allow-origin']).toBe(UI);
    const [decoded] = (res.json() as { payloads: JsonPayload[] }).payloads;
    expect(Buffer.from(decoded!.metadata.encoding!, 'base64').toString()).toBe('json/plain');
    const event = JSON.parse(Buffer.from(decoded!.data, 'base64').toString());
    expect(event).toMatchObject({ type: 'lead.created', subject: id, data: { email } });
  });

  it('encodes too, and what it encodes decodes back', async () => {
    const plain = { metadata: { encoding: Buffer.from('json/plain').toString('base64') }, data: Buffer.from(JSON.stringify({ email })).toString('base64') };
    const auth = { authorization: `Bearer ${TOKEN}` };
    const enc = await app.inject({ method: 'POST', url: '/v1/codec/encode', headers: auth, payload: { payloads: [plain] } });
    const sealed = (enc.json() as { payloads: JsonPayload[] }).payloads[0]!;
    expect(Buffer.from(sealed.data, 'base64').toString()).not.toContain(email);
    const dec = await app.inject({ method: 'POST', url: '/v1/codec/decode', headers: auth, payload: { payloads: [sealed] } });
    expect((dec.json() as { payloads: JsonPayload[] }).payloads[0]).toEqual(plain);
  });

  it('refuses without the token, or with a wrong one, as problem+json and without decoding anything', async () => {
    for (const headers of [{}, { authorization: 'Bearer wrong' }, { authorization: TOKEN }]) {
      const res = await app.inject({ method: 'POST', url: '/v1/codec/decode', headers, payload: { payloads: [signalPayload()] } });
      expect(res.statusCode).toBe(401);
      expect(res.headers['content-type']).toContain('application/problem+json');
      expect(res.headers['www-authenticate']).toBe('Bearer');
      expect(res.body).not.toContain(email);
    }
  });

  it('answers the Web UI preflight for its origin only', async () => {
    const preflight = (origin: string) =>
      app.inject({
        method: 'OPTIONS',
        url: '/v1/codec/decode',
        headers: { origin, 'access-control-request-method': 'POST', 'access-control-request-headers': 'authorization,content-type,x-namespace' },
      });
    const ok = await preflight(UI);
    expect(ok.statusCode).toBe(204);
    expect(ok.headers['access-control-allow-origin']).toBe(UI);
    expect(String(ok.headers['access-control-allow-headers'])).toContain('authorization');
    const other = await preflight('https://evil.example');
    expect(other.headers['access-control-allow-origin']).toBeUndefined();
  });

  it('is described in the OpenAPI document only when it is on', async () => {
    const paths = (doc: unknown) => Object.keys((doc as { paths: object }).paths);
    expect(paths((await app.inject({ url: '/openapi.json' })).json())).toEqual(expect.arrayContaining(['/v1/codec/decode', '/v1/codec/encode']));
    expect(codecEndpointFromEnvironment(codec, { ...env, FLYWHEEL_CODEC_TOKEN: '' })).toBeUndefined();
    const off = buildApp({ checks: {} });
    expect(paths((await off.inject({ url: '/openapi.json' })).json())).not.toContain('/v1/codec/decode');
    expect((await off.inject({ method: 'POST', url: '/v1/codec/decode', payload: { payloads: [] } })).statusCode).toBe(404);
    await off.close();
  });

  it('names every invalid field of a malformed request', async () => {
    const res = await app.inject({ method: 'POST', url: '/v1/codec/decode', headers: { authorization: `Bearer ${TOKEN}` }, payload: { payloads: [{ metadata: { encoding: '%%%' }, data: 7 }, 'x'] } });
    expect(res.statusCode).toBe(400);
    const pointers = (res.json() as { errors: { pointer: string }[] }).errors.map((e) => e.pointer);
    expect(pointers).toEqual(['/payloads/0/metadata/encoding', '/payloads/0/data', '/payloads/1']);
  });

  it('replays the encrypted history with the codec, and a history recorded before encryption as well', async () => {
    const bundle = { codePath: inject('temporal').workflowBundlePath };
    const dataConverter = { payloadCodecs: [codec] };
    await expect(Worker.runReplayHistory({ workflowBundle: bundle, dataConverter }, raw, leadWorkflowId(id))).resolves.toBeUndefined();
    const old = historyFromJSON(JSON.parse(readFileSync(new URL('../replay/histories/lead-disqualified.json', import.meta.url), 'utf8')));
    await expect(Worker.runReplayHistory({ workflowBundle: bundle, dataConverter }, old, 'lead-disqualified')).resolves.toBeUndefined();
  });
});
