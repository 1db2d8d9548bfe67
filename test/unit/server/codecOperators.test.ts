import { generateKeyPairSync, randomBytes, sign, type KeyObject } from 'node:crypto';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { FastifyInstance } from 'fastify';
import { buildApp } from '../../../src/server/app.ts';
import { codecEndpointFromEnvironment, type CodecAuditEntry } from '../../../src/server/routes/codec.ts';
import { operatorLabel, operatorTokenOptionsFromEnvironment, operatorTokenVerifier } from '../../../src/server/operatorToken.ts';
import { EncryptionCodec } from '../../../src/temporal/payloadCodec.ts';

// The SSO provider of these tests: its keys are made here and published by a JWKS server on a free loopback port.
const rsa = generateKeyPairSync('rsa', { modulusLength: 2048 });
const ec = generateKeyPairSync('ec', { namedCurve: 'P-256' });
const rotated = generateKeyPairSync('rsa', { modulusLength: 2048 });
const stranger = generateKeyPairSync('rsa', { modulusLength: 2048 });
const ISSUER = 'https://sso.example.com/';
const AUDIENCE = 'temporal-ui';
const codec = new EncryptionCodec([{ id: 'unit-1', key: randomBytes(32) }]);

let published = [
  { ...rsa.publicKey.export({ format: 'jwk' }), kid: 'rsa-1', alg: 'RS256', use: 'sig' },
  { ...ec.publicKey.export({ format: 'jwk' }), kid: 'ec-1' },
  // A provider may publish a key Node cannot read: it must check nothing, and break nothing.
  { kty: 'RSA', kid: 'broken', n: 'AQAB' },
];
let jwksFetches = 0;

function jwt(key: KeyObject, header: Record<string, unknown>, claims: Record<string, unknown>): string {
  const part = (o: unknown) => Buffer.from(JSON.stringify(o)).toString('base64url');
  const input = `${part(header)}.${part(claims)}`;
  const signature = header.alg === 'ES256' ? sign('sha256', Buffer.from(input), { key, dsaEncoding: 'ieee-p1363' }) : sign('sha256', Buffer.from(input), key);
  return `${input}.${signature.toString('base64url')}`;
}

const nowS = () => Math.floor(Date.now() / 1000);
const claims = (over: Record<string, unknown> = {}) => ({ iss: ISSUER, aud: [AUDIENCE, 'other'], sub: 'op-7f3a', exp: nowS() + 300, iat: nowS(), ...over });

describe('the codec endpoint identifies each operator by the SSO access token the Web UI forwards', () => {
  let jwks: Server;
  let jwksUrl: string;
  let app: FastifyInstance;
  const audit: CodecAuditEntry[] = [];

  beforeAll(async () => {
    jwks = createServer((_req, res) => {
      jwksFetches++;
      res.setHeader('content-type', 'application/json');
      res.end(JSON.stringify({ keys: published }));
    });
    await new Promise<void>((r) => jwks.listen(0, '127.0.0.1', r));
    jwksUrl = `http://127.0.0.1:${(jwks.address() as AddressInfo).port}/.well-known/jwks.json`;
    const env = {
      FLYWHEEL_CODEC_JWKS_URL: jwksUrl,
      FLYWHEEL_CODEC_ISSUER: ISSUER,
      FLYWHEEL_CODEC_AUDIENCE: AUDIENCE,
      FLYWHEEL_CODEC_SUBJECTS: 'op-7f3a, jana@shopco.example',
      FLYWHEEL_CODEC_GROUPS: 'revops-admins',
    };
    app = buildApp({ checks: {}, codec: { ...codecEndpointFromEnvironment(codec, env)!, audit: (e) => audit.push(e) } });
  });
  afterAll(async () => {
    await app?.close();
    await new Promise((r) => jwks?.close(r));
  });

  const decode = (token: string) => app.inject({ method: 'POST', url: '/v1/codec/decode', headers: { authorization: `Bearer ${token}`, 'x-namespace': 'default' }, payload: { payloads: [] } });

  it('decodes for an allowed operator (RS256 by subject, ES256 by group) and audits who, without personal data', async () => {
    expect((await decode(jwt(rsa.privateKey, { alg: 'RS256', kid: 'rsa-1', typ: 'JWT' }, claims()))).statusCode).toBe(200);
    expect((await decode(jwt(ec.privateKey, { alg: 'ES256', kid: 'ec-1' }, claims({ sub: 'op-9c1d', aud: AUDIENCE, groups: ['sales', 'revops-admins'] })))).statusCode).toBe(200);
    expect((await decode(jwt(rsa.privateKey, { alg: 'RS256', kid: 'rsa-1' }, claims({ sub: 'jana@shopco.example' })))).statusCode).toBe(200);
    expect(audit).toEqual([
      { op: 'decode', via: 'sso', operator: 'op-7f3a', namespace: 'default', payloads: 0 },
      { op: 'decode', via: 'sso', operator: 'op-9c1d', namespace: 'default', payloads: 0 },
      { op: 'decode', via: 'sso', operator: operatorLabel('jana@shopco.example'), namespace: 'default', payloads: 0 },
    ]);
    expect(JSON.stringify(audit)).not.toContain('jana');
    // One fetch of the provider's keys serves every call while they are fresh.
    expect(jwksFetches).toBe(1);
  });

  it('refuses forged, foreign, expired or misdirected tokens (401) and operators off the allow-list (403)', async () => {
    const rs = { alg: 'RS256', kid: 'rsa-1' };
    const refused: [string, string, number, string][] = [
      ['signed by a key the provider never published', jwt(stranger.privateKey, rs, claims()), 401, 'bad signature'],
      ['another issuer', jwt(rsa.privateKey, rs, claims({ iss: 'https://evil.example/' })), 401, 'wrong issuer'],
      ['another audience', jwt(rsa.privateKey, rs, claims({ aud: 'account' })), 401, 'wrong audience'],
      ['expired', jwt(rsa.privateKey, rs, claims({ exp: nowS() - 3600 })), 401, 'expired'],
      ['not yet valid', jwt(rsa.privateKey, rs, claims({ nbf: nowS() + 3600 })), 401, 'not yet valid'],
      ['no expiry', jwt(rsa.privateKey, rs, claims({ exp: undefined })), 401, 'expired'],
      ['alg none', `${Buffer.from('{"alg":"none"}').toString('base64url')}.${Buffer.from(JSON.stringify(claims())).toString('base64url')}.`, 401, 'alg none is not accepted'],
      ['HS256 with the public key as secret', jwt(rsa.privateKey, { alg: 'HS256', kid: 'rsa-1' }, claims()), 401, 'alg HS256 is not accepted'],
      ['an RSA kid under ES256', jwt(ec.privateKey, { alg: 'ES256', kid: 'rsa-1' }, claims()), 401, 'a key the provider does not publish'],
      ['not a JWT', 'opaque-access-token', 401, 'not a JWT'],
      ['a malformed published key', jwt(rsa.privateKey, { alg: 'RS256', kid: 'broken' }, claims()), 401, 'a key the provider does not publish'],
      ['an operator nobody listed', jwt(rsa.privateKey, rs, claims({ sub: 'op-0000', groups: ['sales'] })), 403, 'not on the codec allow-list'],
    ];
    for (const [why, token, status, reason] of refused) {
      const res = await decode(token);
      expect({ why, status: res.statusCode }).toEqual({ why, status });
      expect(res.json().detail).toContain(reason);
      expect(res.headers['content-type']).toContain('application/problem+json');
    }
  });

  it('finds a rotated key by fetching the keys again, at most once a minute', async () => {
    let now = Date.now();
    const verify = operatorTokenVerifier({
      ...operatorTokenOptionsFromEnvironment({ FLYWHEEL_CODEC_JWKS_URL: jwksUrl, FLYWHEEL_CODEC_ISSUER: ISSUER, FLYWHEEL_CODEC_AUDIENCE: AUDIENCE, FLYWHEEL_CODEC_SUBJECTS: 'op-7f3a' })!,
      now: () => now,
    });
    const before = jwksFetches;
    expect(await verify(jwt(rsa.privateKey, { alg: 'RS256', kid: 'rsa-1' }, claims()))).toEqual({ ok: true, operator: 'op-7f3a' });
    published = [...published, { ...rotated.publicKey.export({ format: 'jwk' }), kid: 'rsa-2' }];
    const next = jwt(rotated.privateKey, { alg: 'RS256', kid: 'rsa-2' }, claims());
    // Within the minute: an unknown kid does not send another request to the provider.
    expect(await verify(next)).toMatchObject({ ok: false, status: 401 });
    expect(jwksFetches).toBe(before + 1);
    now += 61_000;
    expect(await verify(next)).toEqual({ ok: true, operator: 'op-7f3a' });
    expect(jwksFetches).toBe(before + 2);
  });

  it('refuses to start with a JWKS URL but no issuer, audience or allow-list, or keys over plain http elsewhere', () => {
    const base = { FLYWHEEL_CODEC_JWKS_URL: 'https://sso.example.com/jwks', FLYWHEEL_CODEC_ISSUER: ISSUER, FLYWHEEL_CODEC_AUDIENCE: AUDIENCE, FLYWHEEL_CODEC_GROUPS: 'revops-admins' };
    expect(operatorTokenOptionsFromEnvironment(base)).toMatchObject({ groups: ['revops-admins'], subjects: [] });
    expect(() => operatorTokenOptionsFromEnvironment({ ...base, FLYWHEEL_CODEC_GROUPS: '' })).toThrow(/FLYWHEEL_CODEC_SUBJECTS or FLYWHEEL_CODEC_GROUPS/);
    expect(() => operatorTokenOptionsFromEnvironment({ ...base, FLYWHEEL_CODEC_AUDIENCE: ' ' })).toThrow(/FLYWHEEL_CODEC_AUDIENCE/);
    expect(() => operatorTokenOptionsFromEnvironment({ ...base, FLYWHEEL_CODEC_JWKS_URL: 'http://sso.example.com/jwks' })).toThrow(/https/);
    expect(operatorTokenOptionsFromEnvironment({})).toBeUndefined();
    // SSO alone, without a shared token, turns the endpoint on.
    expect(codecEndpointFromEnvironment(codec, base)).toMatchObject({ token: undefined, operators: expect.any(Function) });
  });
});
