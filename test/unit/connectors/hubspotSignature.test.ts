import { describe, expect, it } from 'vitest';
import { Signature } from '@hubspot/api-client/lib/src/utils/signature.js';
import { sameSignature, signedUri, signV1, signV3, verifyHubSpotSignature, type HubSpotSignatureInput } from '../../../src/connectors/hubspot/signature.ts';

const SECRET = 'yyyyyyyy-yyyy-yyyy-yyyy-yyyyyyyyyyyy';
const URL_ = 'https://flywheel.example.com/v1/connectors/hubspot/webhook';
const BODY =
  '[{"eventId":1,"subscriptionId":12345,"portalId":62515,"occurredAt":1564113600000,"subscriptionType":"contact.creation","attemptNumber":0,"objectId":123,"changeSource":"CRM","changeFlag":"NEW","appId":54321}]';
const NOW = 1_764_000_000_000;

function input(headers: Record<string, string>, over: Partial<HubSpotSignatureInput> = {}): HubSpotSignatureInput {
  return { secret: SECRET, method: 'POST', uri: URL_, body: Buffer.from(BODY), headers, versions: ['v3'], toleranceSeconds: 300, nowMs: NOW, ...over };
}
const v3 = (ts: number, uri = URL_, body = BODY, secret = SECRET) => ({ 'x-hubspot-signature-v3': signV3(secret, 'POST', uri, body, String(ts)), 'x-hubspot-request-timestamp': String(ts) });

describe('HubSpot request signatures', () => {
  it("v1 reproduces the hash in HubSpot's documented example", () => {
    expect(signV1(SECRET, BODY)).toBe('232db2615f3d666fe21a8ec971ac7b5402d33b9a925784df3ca654d05f4817de');
  });

  it("v3 agrees with the HubSpot SDK's own signer", () => {
    const ts = NOW - 1000;
    const sdk = Signature.getSignature('POST', 'v3', { signature: '', clientSecret: SECRET, requestBody: BODY, url: URL_, timestamp: ts });
    expect(signV3(SECRET, 'POST', URL_, Buffer.from(BODY), String(ts))).toBe(sdk);
  });

  it('accepts a valid v3 signature with a millisecond timestamp inside the tolerance', () => {
    expect(verifyHubSpotSignature(input(v3(NOW - 299_000)))).toEqual({ ok: true, version: 'v3' });
  });

  it('refuses a stale timestamp, one in the future, and a timestamp in seconds', () => {
    const stale = verifyHubSpotSignature(input(v3(NOW - 301_000)));
    expect(stale).toMatchObject({ ok: false, reason: expect.stringContaining('older than 300 s') });
    expect(verifyHubSpotSignature(input(v3(NOW + 301_000)))).toMatchObject({ ok: false, reason: expect.stringContaining('in the future') });
    // A seconds timestamp is ~55 years old as milliseconds.
    expect(verifyHubSpotSignature(input(v3(Math.floor(NOW / 1000))))).toMatchObject({ ok: false, reason: expect.stringContaining('old') });
  });

  it('refuses a signature over another body, URL, secret or a missing one', () => {
    const ts = NOW - 1000;
    expect(verifyHubSpotSignature(input(v3(ts, URL_, BODY.replace('123', '124'))))).toMatchObject({ ok: false, reason: expect.stringContaining('does not match') });
    expect(verifyHubSpotSignature(input(v3(ts, 'https://other.example.com/v1/connectors/hubspot/webhook')))).toMatchObject({ ok: false });
    expect(verifyHubSpotSignature(input(v3(ts, URL_, BODY, 'another-secret')))).toMatchObject({ ok: false });
    expect(verifyHubSpotSignature(input({}))).toMatchObject({ ok: false, reason: expect.stringContaining('not signed') });
    expect(verifyHubSpotSignature(input({ 'x-hubspot-signature-v3': 'abc' }))).toMatchObject({ ok: false, reason: expect.stringContaining('x-hubspot-request-timestamp') });
  });

  it('decodes the URL-encoded characters HubSpot lists before signing, and only those', () => {
    expect(signedUri('https://h.example/hook?a=x%3Ay%2Fz%3f%40%21%24%27%28%29%2A%2C%3B')).toBe("https://h.example/hook?a=x:y/z?@!$'()*,;");
    expect(signedUri('https://h.example/hook?name=J%C3%BCrgen%20M')).toBe('https://h.example/hook?name=J%C3%BCrgen%20M');
    const ts = NOW - 1000;
    // HubSpot signs the decoded form; the request arrives encoded.
    const headers = { 'x-hubspot-signature-v3': signV3(SECRET, 'POST', 'https://h.example/hook?k=a:b', BODY, String(ts)), 'x-hubspot-request-timestamp': String(ts) };
    expect(verifyHubSpotSignature(input(headers, { uri: 'https://h.example/hook?k=a%3Ab' }))).toEqual({ ok: true, version: 'v3' });
  });

  it('takes v1 only when it is listed, and never downgrades a wrong v3', () => {
    const legacy = { 'x-hubspot-signature': signV1(SECRET, BODY), 'x-hubspot-signature-version': 'v1' };
    expect(verifyHubSpotSignature(input(legacy))).toMatchObject({ ok: false, reason: expect.stringContaining('not accepted') });
    expect(verifyHubSpotSignature(input(legacy, { versions: ['v1', 'v3'] }))).toEqual({ ok: true, version: 'v1' });
    const both = { ...legacy, 'x-hubspot-signature-v3': 'wrong', 'x-hubspot-request-timestamp': String(NOW) };
    expect(verifyHubSpotSignature(input(both, { versions: ['v1', 'v3'] }))).toMatchObject({ ok: false });
  });

  it('v2 covers method and URL', () => {
    const sdk = Signature.getSignature('POST', 'v2', { signature: '', clientSecret: SECRET, requestBody: BODY, url: URL_ });
    const headers = { 'x-hubspot-signature': sdk, 'x-hubspot-signature-version': 'v2' };
    expect(verifyHubSpotSignature(input(headers, { versions: ['v2'] }))).toEqual({ ok: true, version: 'v2' });
    expect(verifyHubSpotSignature(input(headers, { versions: ['v2'], uri: `${URL_}?x=1` }))).toMatchObject({ ok: false });
  });

  it('compares in constant time, unequal lengths included', () => {
    expect(sameSignature('abc', 'abc')).toBe(true);
    expect(sameSignature('abc', 'abd')).toBe(false);
    expect(sameSignature('abc', 'abcd')).toBe(false);
  });
});
