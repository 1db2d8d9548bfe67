import { randomBytes } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { buildApp } from '../../../src/server/app.ts';
import { codecEndpointFromEnvironment, type CodecAuditEntry } from '../../../src/server/routes/codec.ts';
import { devCodecEndpoint, devCodecUrl, devUiOrigins } from '../../../src/runtime/devCodec.ts';
import { EncryptionCodec } from '../../../src/temporal/payloadCodec.ts';

const codec = new EncryptionCodec([{ id: 'unit-1', key: randomBytes(32) }]);
const UI = 'http://127.0.0.1:8233';
const b64 = (s: string) => Buffer.from(s).toString('base64');
const sealed = async () => {
  const [p] = await codec.encode([{ metadata: { encoding: Buffer.from('json/plain') }, data: Buffer.from('{"email":"jana@shopco.example"}') }]);
  return { metadata: Object.fromEntries(Object.entries(p!.metadata!).map(([k, v]) => [k, Buffer.from(v!).toString('base64')])), data: Buffer.from(p!.data!).toString('base64') };
};

describe('who the codec endpoint admits', () => {
  it('in flywheel dev: the dev UI origin from this machine without a token, nothing else', async () => {
    const audit: CodecAuditEntry[] = [];
    const app = buildApp({ checks: {}, codec: { ...devCodecEndpoint(codec, devUiOrigins(UI), {})!, audit: (e) => audit.push(e) } });
    const decode = (headers: Record<string, string>, remoteAddress = '127.0.0.1') =>
      app.inject({ method: 'POST', url: '/v1/codec/decode?preserveStorageRefs=true', remoteAddress, headers: { 'x-namespace': 'default', ...headers }, payload: { payloads: [] } });
    const ok = await app.inject({ method: 'POST', url: '/v1/codec/decode', headers: { origin: 'http://localhost:8233', 'x-namespace': 'default' }, payload: { payloads: [await sealed()] } });
    expect(ok.statusCode).toBe(200);
    expect(Buffer.from(ok.json().payloads[0].data, 'base64').toString()).toContain('jana@shopco.example');
    expect((await decode({ origin: 'http://[::1]:8233' }, '::1')).statusCode).toBe(200);
    expect((await decode({ origin: UI }, '::ffff:127.0.0.1')).statusCode).toBe(200);
    // The same Origin header from another machine (a dev API bound to 0.0.0.0): forged, refused.
    expect((await decode({ origin: UI }, '192.0.2.10')).statusCode).toBe(401);
    for (const origin of ['http://127.0.0.1:8234', 'https://127.0.0.1:8233', 'http://evil.example', 'null']) expect((await decode({ origin })).statusCode).toBe(401);
    expect((await decode({})).statusCode).toBe(401);
    // Each admitted call is audited by how it got in, with the namespace and count only.
    expect(audit).toEqual([
      { op: 'decode', via: 'dev-ui', namespace: 'default', payloads: 1 },
      { op: 'decode', via: 'dev-ui', namespace: 'default', payloads: 0 },
      { op: 'decode', via: 'dev-ui', namespace: 'default', payloads: 0 },
    ]);
    await app.close();
  });

  it('in flywheel dev with a token set: the token still works for the CLI', async () => {
    const token = randomBytes(24).toString('base64url');
    const app = buildApp({ checks: {}, codec: devCodecEndpoint(codec, devUiOrigins(UI), { FLYWHEEL_CODEC_TOKEN: token, FLYWHEEL_CODEC_ORIGINS: 'https://ui.example.com/' }) });
    const res = await app.inject({
      method: 'POST',
      url: '/v1/codec/encode',
      remoteAddress: '192.0.2.10',
      headers: { authorization: `Bearer ${token}`, origin: 'https://ui.example.com' },
      payload: { payloads: [{ metadata: { encoding: b64('json/plain') }, data: b64('{}') }] },
    });
    expect(res.statusCode).toBe(200);
    expect(res.headers['access-control-allow-origin']).toBe('https://ui.example.com');
    await app.close();
  });

  it('in flywheel serve (options from the environment): no origin is enough, loopback or not', async () => {
    const token = randomBytes(24).toString('base64url');
    const app = buildApp({ checks: {}, codec: codecEndpointFromEnvironment(codec, { FLYWHEEL_CODEC_TOKEN: token, FLYWHEEL_CODEC_ORIGINS: UI }) });
    for (const origin of [UI, 'http://localhost:8233']) {
      const res = await app.inject({ method: 'POST', url: '/v1/codec/decode', headers: { origin }, payload: { payloads: [await sealed()] } });
      expect(res.statusCode).toBe(401);
      expect(res.body).not.toContain('jana');
    }
    expect((await app.inject({ method: 'POST', url: '/v1/codec/decode', headers: { origin: UI, authorization: `Bearer ${token}` }, payload: { payloads: [] } })).statusCode).toBe(200);
    await app.close();
    // Without a token, serve has no codec routes at all; dev has them only when payloads are encrypted.
    expect(codecEndpointFromEnvironment(codec, {})).toBeUndefined();
    expect(devCodecEndpoint(undefined, devUiOrigins(UI), {})).toBeUndefined();
  });

  it('names the dev UI origins and the codec URL the UI is given', () => {
    expect(devUiOrigins('http://127.0.0.1:48333')).toEqual(['http://127.0.0.1:48333', 'http://localhost:48333', 'http://[::1]:48333']);
    expect(devUiOrigins('http://192.0.2.10:8233')).toEqual([]);
    expect(devUiOrigins(undefined)).toEqual([]);
    expect(devCodecUrl('0.0.0.0', 8787)).toBe('http://127.0.0.1:8787/v1/codec');
    expect(devCodecUrl('127.0.0.1', 48887)).toBe('http://127.0.0.1:48887/v1/codec');
    expect(devCodecUrl('dev.internal', 8787)).toBe('http://dev.internal:8787/v1/codec');
  });
});
