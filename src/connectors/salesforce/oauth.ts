import { createPrivateKey, sign, type KeyObject } from 'node:crypto';
import type { SalesforceConfig } from '../../config/types.ts';
import { SALESFORCE_DEFAULTS } from './settings.ts';

/**
 * OAuth 2.0 for Flywheel's own Salesforce client (a connected app / external client app with an integration user):
 *
 * - `client-credentials`: POST {loginUrl}/services/oauth2/token with grant_type=client_credentials, client_id and
 *   client_secret (form-encoded). Salesforce answers this only on the org's My Domain URL, so loginUrl must be it.
 * - `jwt-bearer`: the same endpoint with grant_type=urn:ietf:params:oauth:grant-type:jwt-bearer and an RS256-signed
 *   assertion {iss: client id, sub: username, aud: loginUrl, exp: within 3 minutes}, signed with the key whose
 *   certificate is uploaded to the app. No client secret is sent.
 *
 * Salesforce answers {access_token, instance_url, id, token_type, issued_at, signature, scope} and no expiry (the
 * session lasts as the org's session policy says), so a token is kept until a call says INVALID_SESSION_ID, then
 * replaced once (SalesforceWriteBack). Done with fetch rather than jsforce's OAuth2 class: jsforce has no JWT signer,
 * and its token errors do not carry the HTTP status, which decides whether a failure is retried.
 *
 * Secrets come only from the environment variables the configuration names, are read when a token is needed (so a
 * rotated secret is picked up on the next refresh) and never appear in an error message.
 */

export interface SalesforceToken {
  accessToken: string;
  instanceUrl: string;
  /** The identity URL: `.../id/<org id>/<user id>`. */
  id: string;
  issuedAt: number;
  scope?: string;
}

/** The token endpoint refused, or could not be asked. `retryable` says whether asking again later can help. */
export class SalesforceAuthError extends Error {
  constructor(
    message: string,
    readonly retryable: boolean,
    readonly status?: number,
    readonly oauthError?: string,
  ) {
    super(message);
    this.name = 'SalesforceAuthError';
  }
}

export interface SalesforceAuthOptions {
  env?: NodeJS.ProcessEnv;
  fetch?: typeof fetch;
  timeoutMs?: number;
  /** The clock, in ms (tests). */
  now?: () => number;
}

/** JWT assertions are valid for at most 3 minutes; a little less leaves room for clock skew. */
const ASSERTION_LIFETIME_S = 170;

export class SalesforceAuth {
  private current: SalesforceToken | null = null;
  private pending: Promise<SalesforceToken> | null = null;
  private readonly env: NodeJS.ProcessEnv;
  private readonly fetch: typeof fetch;
  private readonly timeoutMs: number;
  private readonly now: () => number;
  /** How many tokens were requested (diagnostics and tests). */
  requested = 0;

  constructor(
    private readonly sf: SalesforceConfig,
    opts: SalesforceAuthOptions = {},
  ) {
    this.env = opts.env ?? process.env;
    this.fetch = opts.fetch ?? fetch;
    this.timeoutMs = opts.timeoutMs ?? 10_000;
    this.now = opts.now ?? Date.now;
  }

  get flow(): 'client-credentials' | 'jwt-bearer' {
    return this.sf.auth ?? SALESFORCE_DEFAULTS.auth;
  }

  /** The cached token, or a new one (one request at a time, however many callers wait). */
  async token(): Promise<SalesforceToken> {
    if (this.current) return this.current;
    this.pending ??= this.request().finally(() => {
      this.pending = null;
    });
    return this.pending;
  }

  /** Drops `accessToken` if it is still the cached one (a 401 said so); the next token() asks for a new one. */
  invalidate(accessToken: string): void {
    if (this.current?.accessToken === accessToken) this.current = null;
  }

  private async request(): Promise<SalesforceToken> {
    const loginUrl = this.loginUrl();
    const form = this.flow === 'jwt-bearer' ? { grant_type: 'urn:ietf:params:oauth:grant-type:jwt-bearer', assertion: this.assertion(loginUrl) } : this.clientCredentials();
    this.requested++;
    let res: Response;
    try {
      res = await this.fetch(`${loginUrl}/services/oauth2/token`, {
        method: 'POST',
        headers: { 'content-type': 'application/x-www-form-urlencoded', accept: 'application/json' },
        body: new URLSearchParams(form).toString(),
        signal: AbortSignal.timeout(this.timeoutMs),
      });
    } catch (e) {
      throw new SalesforceAuthError(`the Salesforce token endpoint ${loginUrl} could not be reached: ${(e as Error).message}`, true);
    }
    const text = await res.text().catch(() => '');
    let body: Record<string, unknown> = {};
    try {
      body = JSON.parse(text) as Record<string, unknown>;
    } catch {
      // An HTML error page or an empty body: the status decides.
    }
    if (!res.ok) {
      const error = typeof body.error === 'string' ? body.error : undefined;
      const description = typeof body.error_description === 'string' ? body.error_description : undefined;
      // 4xx: the app, the user or the key is wrong (invalid_client, invalid_grant, ...); retrying cannot fix it.
      const retryable = res.status >= 500 || res.status === 429 || res.status === 408;
      const what = error ? `${error}${description ? ` (${description})` : ''}` : `HTTP ${res.status}`;
      throw new SalesforceAuthError(`Salesforce refused the ${this.flow} token request: ${what}`, retryable, res.status, error);
    }
    if (typeof body.access_token !== 'string' || typeof body.instance_url !== 'string') {
      throw new SalesforceAuthError('the Salesforce token endpoint answered without access_token and instance_url', true, res.status);
    }
    const issued = Number(body.issued_at);
    this.current = {
      accessToken: body.access_token,
      instanceUrl: body.instance_url.replace(/\/+$/, ''),
      id: typeof body.id === 'string' ? body.id : '',
      issuedAt: Number.isFinite(issued) ? issued : this.now(),
      ...(typeof body.scope === 'string' ? { scope: body.scope } : {}),
    };
    return this.current;
  }

  private loginUrl(): string {
    return (this.sf.loginUrl ?? SALESFORCE_DEFAULTS.loginUrl).replace(/\/+$/, '');
  }

  private secret(envName: string, what: string): string {
    const v = this.env[envName];
    if (!v) throw new SalesforceAuthError(`${envName} is not set: Flywheel needs the ${what} to call Salesforce (connections.salesforce, auth ${this.flow})`, false);
    return v;
  }

  private clientCredentials(): Record<string, string> {
    return {
      grant_type: 'client_credentials',
      client_id: this.secret(this.sf.clientIdEnv ?? SALESFORCE_DEFAULTS.clientIdEnv, 'connected app consumer key'),
      client_secret: this.secret(this.sf.clientSecretEnv ?? SALESFORCE_DEFAULTS.clientSecretEnv, 'connected app consumer secret'),
    };
  }

  private assertion(loginUrl: string): string {
    const keyEnv = this.sf.privateKeyEnv ?? SALESFORCE_DEFAULTS.privateKeyEnv;
    let key: KeyObject;
    try {
      // Environment files often hold a PEM on one line with literal \n.
      key = createPrivateKey(this.secret(keyEnv, 'private key (PEM) of the certificate uploaded to the connected app').replace(/\\n/g, '\n'));
    } catch (e) {
      if (e instanceof SalesforceAuthError) throw e;
      throw new SalesforceAuthError(`${keyEnv} does not hold a private key in PEM form`, false);
    }
    return jwtAssertion(
      {
        iss: this.secret(this.sf.clientIdEnv ?? SALESFORCE_DEFAULTS.clientIdEnv, 'connected app consumer key'),
        sub: this.secret(this.sf.usernameEnv ?? SALESFORCE_DEFAULTS.usernameEnv, 'integration user name'),
        aud: loginUrl,
        exp: Math.floor(this.now() / 1000) + ASSERTION_LIFETIME_S,
      },
      key,
    );
  }
}

/** A compact JWS, RS256: base64url(header).base64url(claims).base64url(signature). */
export function jwtAssertion(claims: { iss: string; sub: string; aud: string; exp: number }, key: KeyObject | string): string {
  const input = `${base64url(JSON.stringify({ alg: 'RS256' }))}.${base64url(JSON.stringify(claims))}`;
  const signature = sign('RSA-SHA256', Buffer.from(input), key);
  return `${input}.${signature.toString('base64url')}`;
}

function base64url(s: string): string {
  return Buffer.from(s, 'utf8').toString('base64url');
}
