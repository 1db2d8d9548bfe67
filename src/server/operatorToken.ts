import { createHash, createPublicKey, verify, type JsonWebKey, type KeyObject } from 'node:crypto';

/**
 * The Temporal Web UI, with SSO configured and "pass access token" on, forwards the operator's access token to the
 * codec server. When that token is a JWT from the SSO provider, it names the operator: this verifies it against the
 * provider's published keys (JWKS), its issuer and audience, its lifetime, and an allow-list of subjects or groups.
 * RS256 and ES256 only; node:crypto does the signature, so no JOSE library is needed for these two.
 */
export const CODEC_JWKS_URL_ENV = 'FLYWHEEL_CODEC_JWKS_URL';
export const CODEC_ISSUER_ENV = 'FLYWHEEL_CODEC_ISSUER';
export const CODEC_AUDIENCE_ENV = 'FLYWHEEL_CODEC_AUDIENCE';
export const CODEC_SUBJECTS_ENV = 'FLYWHEEL_CODEC_SUBJECTS';
export const CODEC_GROUPS_ENV = 'FLYWHEEL_CODEC_GROUPS';

export interface OperatorTokenOptions {
  jwksUrl: string;
  issuer: string;
  audience: string;
  /** `sub` claims allowed to decode. */
  subjects: string[];
  /** Any of these in the token's `groups` claim allows it too. */
  groups: string[];
  /** Clock skew tolerated on exp and nbf. */
  leewaySeconds?: number;
  now?: () => number;
}

export type OperatorCheck = { ok: true; operator: string } | { ok: false; status: 401 | 403; reason: string };

const ALGS = { RS256: { kty: 'RSA', curve: undefined }, ES256: { kty: 'EC', curve: 'P-256' } } as const;
/** A changed key (rotation) is looked for again at most this often, so forged kids cannot hammer the provider. */
const REFRESH_MIN_MS = 60_000;
const CACHE_MS = 10 * 60_000;

const list = (raw: string | undefined) =>
  (raw ?? '')
    .split(',')
    .map((s) => s.trim())
    .filter(Boolean);

/** From the environment: undefined without a JWKS URL; with one, issuer, audience and an allow-list are required. */
export function operatorTokenOptionsFromEnvironment(env: NodeJS.ProcessEnv = process.env): OperatorTokenOptions | undefined {
  const jwksUrl = env[CODEC_JWKS_URL_ENV]?.trim();
  if (!jwksUrl) return undefined;
  const issuer = env[CODEC_ISSUER_ENV]?.trim();
  const audience = env[CODEC_AUDIENCE_ENV]?.trim();
  const subjects = list(env[CODEC_SUBJECTS_ENV]);
  const groups = list(env[CODEC_GROUPS_ENV]);
  const missing = [
    !isTrustedUrl(jwksUrl) && `${CODEC_JWKS_URL_ENV} as an https URL`,
    !issuer && CODEC_ISSUER_ENV,
    !audience && CODEC_AUDIENCE_ENV,
    subjects.length + groups.length === 0 && `${CODEC_SUBJECTS_ENV} or ${CODEC_GROUPS_ENV}`,
  ].filter(Boolean);
  // Fail closed: a JWKS alone would let every user of the SSO provider decode.
  if (missing.length > 0) throw new Error(`${CODEC_JWKS_URL_ENV} is set: it needs ${missing.join(', ')}`);
  return { jwksUrl, issuer: issuer!, audience: audience!, subjects, groups };
}

/** Keys fetched over plain http could be swapped on the way: https, or http to this machine only (tests, sidecars). */
function isTrustedUrl(raw: string): boolean {
  if (!URL.canParse(raw)) return false;
  const u = new URL(raw);
  return u.protocol === 'https:' || (u.protocol === 'http:' && ['127.0.0.1', 'localhost', '[::1]'].includes(u.hostname));
}

/** How an operator appears in logs: the opaque `sub`, or a digest of it when it looks like an e-mail address. */
export function operatorLabel(subject: string): string {
  return subject.includes('@') ? `sha256:${createHash('sha256').update(subject).digest('hex').slice(0, 16)}` : subject;
}

export function operatorTokenVerifier(opts: OperatorTokenOptions): (token: string) => Promise<OperatorCheck> {
  const keys = new JwksCache(opts.jwksUrl, opts.now ?? Date.now);
  const leeway = opts.leewaySeconds ?? 60;
  const subjects = new Set(opts.subjects);
  const groups = new Set(opts.groups);
  const fail = (reason: string, status: 401 | 403 = 401): OperatorCheck => ({ ok: false, status, reason });
  return async (token) => {
    const parts = token.split('.');
    if (parts.length !== 3) return fail('not a JWT');
    const [h, p, s] = parts as [string, string, string];
    const header = json(h) as { alg?: string; kid?: string } | undefined;
    const claims = json(p) as Claims | undefined;
    if (!header || !claims) return fail('not a JWT');
    if (typeof header.alg !== 'string' || !Object.hasOwn(ALGS, header.alg)) return fail(`alg ${String(header.alg)} is not accepted`);
    const alg = ALGS[header.alg as keyof typeof ALGS];
    const key = await keys.find(header.kid, header.alg, alg.kty, alg.curve);
    if (!key) return fail('signed with a key the provider does not publish');
    const signature = Buffer.from(s, 'base64url');
    const signed = verify('sha256', Buffer.from(`${h}.${p}`), alg.kty === 'EC' ? { key, dsaEncoding: 'ieee-p1363' } : key, signature);
    if (!signed) return fail('bad signature');
    const now = (opts.now?.() ?? Date.now()) / 1000;
    if (claims.iss !== opts.issuer) return fail('wrong issuer');
    if (!(Array.isArray(claims.aud) ? claims.aud : [claims.aud]).includes(opts.audience)) return fail('wrong audience');
    if (typeof claims.exp !== 'number' || claims.exp + leeway < now) return fail('expired');
    if (typeof claims.nbf === 'number' && claims.nbf - leeway > now) return fail('not yet valid');
    if (typeof claims.sub !== 'string' || !claims.sub) return fail('no subject');
    const inGroup = Array.isArray(claims.groups) && claims.groups.some((g) => typeof g === 'string' && groups.has(g));
    if (!subjects.has(claims.sub) && !inGroup) return fail('operator is not on the codec allow-list', 403);
    return { ok: true, operator: operatorLabel(claims.sub) };
  };
}

interface Claims {
  iss?: unknown;
  aud?: unknown;
  exp?: unknown;
  nbf?: unknown;
  sub?: unknown;
  groups?: unknown;
}

function json(part: string): Record<string, unknown> | undefined {
  try {
    const v: unknown = JSON.parse(Buffer.from(part, 'base64url').toString('utf8'));
    return typeof v === 'object' && v !== null && !Array.isArray(v) ? (v as Record<string, unknown>) : undefined;
  } catch {
    return undefined;
  }
}

/** The provider's published keys, kept for a while and fetched again when a token names a key not seen yet. */
class JwksCache {
  private keys: (JsonWebKey & { kid?: string; alg?: string; use?: string })[] = [];
  private fetchedAt = -Infinity;
  private triedAt = -Infinity;
  private inFlight?: Promise<void>;

  constructor(
    private readonly url: string,
    private readonly now: () => number,
  ) {}

  async find(kid: string | undefined, alg: string, kty: string, curve: string | undefined): Promise<KeyObject | undefined> {
    let jwk = this.match(kid, alg, kty, curve);
    const stale = this.now() - this.fetchedAt > CACHE_MS;
    if ((stale || !jwk) && this.now() - this.triedAt > REFRESH_MIN_MS) {
      await this.refresh();
      jwk = this.match(kid, alg, kty, curve);
    }
    try {
      return jwk ? createPublicKey({ key: jwk, format: 'jwk' }) : undefined;
    } catch {
      // A malformed key in the provider's set checks nothing: the token is refused, not answered with a 500.
      return undefined;
    }
  }

  private match(kid: string | undefined, alg: string, kty: string, curve: string | undefined) {
    // The key must be of the header's algorithm's type: an RSA key never checks an ES256 token, nor the reverse.
    const usable = this.keys.filter((k) => k.kty === kty && (curve === undefined || k.crv === curve) && (k.alg === undefined || k.alg === alg) && (k.use === undefined || k.use === 'sig'));
    return kid === undefined ? (usable.length === 1 ? usable[0] : undefined) : usable.find((k) => k.kid === kid);
  }

  private refresh(): Promise<void> {
    this.inFlight ??= (async () => {
      this.triedAt = this.now();
      try {
        const res = await fetch(this.url, { signal: AbortSignal.timeout(5_000), headers: { accept: 'application/json' } });
        if (!res.ok) throw new Error(`JWKS answered ${res.status}`);
        const body = (await res.json()) as { keys?: unknown };
        if (!Array.isArray(body.keys)) throw new Error('JWKS has no keys array');
        this.keys = body.keys.filter((k): k is JsonWebKey => typeof k === 'object' && k !== null);
        this.fetchedAt = this.now();
      } catch (e) {
        // Keep the keys we had; a token whose key is missing is refused until a later call fetches them.
        process.stderr.write(`warning: codec operator keys not fetched from ${CODEC_JWKS_URL_ENV}: ${(e as Error).message}\n`);
      } finally {
        this.inFlight = undefined;
      }
    })();
    return this.inFlight;
  }
}
