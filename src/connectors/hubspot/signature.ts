import { createHash, createHmac, timingSafeEqual } from 'node:crypto';

/**
 * HubSpot's request signatures (developers.hubspot.com, "Validating requests"):
 * - v3: `X-HubSpot-Signature-v3` = base64(HMAC-SHA256(client secret, method + URI + body + timestamp)), where the
 *   timestamp is `X-HubSpot-Request-Timestamp` in MILLISECONDS and the URI is the full URL HubSpot called (scheme,
 *   host, path, query) with the URL-encoded characters HubSpot lists decoded. Requests older than the tolerance
 *   (HubSpot says five minutes) are refused.
 * - v2: `X-HubSpot-Signature` = hex(SHA-256(client secret + method + URI + body)) with `X-HubSpot-Signature-Version: v2`.
 * - v1: `X-HubSpot-Signature` = hex(SHA-256(client secret + body)) with `X-HubSpot-Signature-Version: v1`.
 * v1 and v2 carry no timestamp, so a captured request can be replayed forever: they are accepted only when the
 * configuration lists them. Every comparison is constant-time.
 */

export type SignatureVersion = 'v1' | 'v2' | 'v3';

export const SIGNATURE_V3_HEADER = 'x-hubspot-signature-v3';
export const TIMESTAMP_HEADER = 'x-hubspot-request-timestamp';
export const SIGNATURE_HEADER = 'x-hubspot-signature';
export const SIGNATURE_VERSION_HEADER = 'x-hubspot-signature-version';

/** The characters HubSpot decodes in the URI before signing (v3); `?` starting the query is never encoded. */
const DECODED: Record<string, string> = {
  '%3A': ':',
  '%2F': '/',
  '%3F': '?',
  '%40': '@',
  '%21': '!',
  '%24': '$',
  '%27': "'",
  '%28': '(',
  '%29': ')',
  '%2A': '*',
  '%2C': ',',
  '%3B': ';',
};

/** The URI as HubSpot signs it: the listed percent-encodings decoded (either hex case), everything else as sent. */
export function signedUri(uri: string): string {
  return uri.replace(/%[0-9A-Fa-f]{2}/g, (m) => DECODED[m.toUpperCase()] ?? m);
}

export function signV3(secret: string, method: string, uri: string, body: Buffer | string, timestamp: string): string {
  return createHmac('sha256', secret)
    .update(`${method.toUpperCase()}${signedUri(uri)}`, 'utf8')
    .update(body)
    .update(timestamp, 'utf8')
    .digest('base64');
}

export function signV2(secret: string, method: string, uri: string, body: Buffer | string): string {
  return createHash('sha256').update(`${secret}${method.toUpperCase()}${uri}`, 'utf8').update(body).digest('hex');
}

export function signV1(secret: string, body: Buffer | string): string {
  return createHash('sha256').update(secret, 'utf8').update(body).digest('hex');
}

export interface HubSpotSignatureInput {
  secret: string;
  method: string;
  /** The full URL HubSpot called: scheme, host, path and query. */
  uri: string;
  /** The body exactly as received. */
  body: Buffer;
  headers: Record<string, string | string[] | undefined>;
  versions: readonly SignatureVersion[];
  toleranceSeconds: number;
  nowMs: number;
}

export type SignatureCheck = { ok: true; version: SignatureVersion } | { ok: false; reason: string };

const single = (v: string | string[] | undefined): string | undefined => (typeof v === 'string' ? v : undefined);

/** Constant-time equality of two signatures (unequal lengths are unequal without comparing contents). */
export function sameSignature(expected: string, given: string): boolean {
  const a = Buffer.from(expected, 'utf8');
  const b = Buffer.from(given, 'utf8');
  if (a.length !== b.length) {
    // Still spend a comparison, so the answer's timing does not tell a length apart from a content mismatch.
    timingSafeEqual(a, a);
    return false;
  }
  return timingSafeEqual(a, b);
}

/**
 * Checks the request against the versions allowed. v3 is checked whenever it is allowed and its header is present;
 * a wrong v3 signature is refused even when an older version would be allowed (a forger cannot downgrade). The
 * reason names what is wrong, never the expected value.
 */
export function verifyHubSpotSignature(input: HubSpotSignatureInput): SignatureCheck {
  const h = input.headers;
  const v3 = single(h[SIGNATURE_V3_HEADER]);
  if (input.versions.includes('v3') && v3 !== undefined) {
    const timestamp = single(h[TIMESTAMP_HEADER]);
    if (timestamp === undefined || !/^\d{1,16}$/.test(timestamp)) {
      return { ok: false, reason: `${TIMESTAMP_HEADER} is missing or not a time in milliseconds` };
    }
    const ageMs = input.nowMs - Number(timestamp);
    if (ageMs > input.toleranceSeconds * 1000) {
      return { ok: false, reason: `${TIMESTAMP_HEADER} is ${Math.round(ageMs / 1000)} s old; requests older than ${input.toleranceSeconds} s are refused (replay protection)` };
    }
    if (-ageMs > input.toleranceSeconds * 1000) {
      return { ok: false, reason: `${TIMESTAMP_HEADER} is ${Math.round(-ageMs / 1000)} s in the future; check the server's clock` };
    }
    const expected = signV3(input.secret, input.method, input.uri, input.body, timestamp);
    return sameSignature(expected, v3.trim())
      ? { ok: true, version: 'v3' }
      : { ok: false, reason: `${SIGNATURE_V3_HEADER} does not match the request (method, URL, body and timestamp signed with the app's client secret)` };
  }
  const legacy = single(h[SIGNATURE_HEADER]);
  const version = (single(h[SIGNATURE_VERSION_HEADER]) ?? '').trim().toLowerCase();
  if (legacy !== undefined && (version === 'v1' || version === 'v2')) {
    if (!input.versions.includes(version)) {
      return { ok: false, reason: `signature version ${version} is not accepted (connections.hubspot.signatureVersions: ${input.versions.join(', ')})` };
    }
    const expected = version === 'v1' ? signV1(input.secret, input.body) : signV2(input.secret, input.method, input.uri, input.body);
    return sameSignature(expected, legacy.trim().toLowerCase()) ? { ok: true, version } : { ok: false, reason: `${SIGNATURE_HEADER} (${version}) does not match the request` };
  }
  const wanted = input.versions.includes('v3') ? `${SIGNATURE_V3_HEADER} and ${TIMESTAMP_HEADER}` : `${SIGNATURE_HEADER} with ${SIGNATURE_VERSION_HEADER} ${input.versions.join(' or ')}`;
  return { ok: false, reason: `the request is not signed: send ${wanted}` };
}
