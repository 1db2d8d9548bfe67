import { createPublicKey, generateKeyPairSync, X509Certificate } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { SalesforceConfig } from '../../../src/config/types.ts';
import { jwtAssertion, SalesforceAuth, SalesforceAuthError } from '../../../src/connectors/salesforce/oauth.ts';
import { jwtKeyPair } from '../../contracts/salesforce/keys.ts';
import { salesforceId, startSalesforceContract, type SalesforceContractServer } from '../../contracts/salesforce/server.ts';

const ORG = '00D5g000004SmKxEAK';
const INTEGRATION_USER = '0055g00000Intg1AAA';
const CLIENT_ID = '3MVG9flywheel.contract.consumer.key';
const CLIENT_SECRET = 'contract-consumer-secret-7f3a';
const JWT_CLIENT_ID = '3MVG9flywheel.jwt.consumer.key';
const USERNAME = 'integration@northwind.example';

let sf: SalesforceContractServer;
const keys = jwtKeyPair();

beforeAll(async () => {
  sf = await startSalesforceContract({
    organizationId: ORG,
    apps: [
      { clientId: CLIENT_ID, clientSecret: CLIENT_SECRET, runAs: INTEGRATION_USER },
      { clientId: JWT_CLIENT_ID, certificate: keys.certificatePem },
    ],
    users: [{ Id: INTEGRATION_USER, Username: USERNAME, Email: 'integration@northwind.example' }],
  });
});
afterAll(() => sf?.close());

const cc = (over: Partial<SalesforceConfig> = {}): SalesforceConfig => ({
  organizationId: ORG,
  loginUrl: sf.url,
  auth: 'client-credentials',
  clientIdEnv: 'SF_ID',
  clientSecretEnv: 'SF_SECRET',
  ...over,
});
const jwt = (over: Partial<SalesforceConfig> = {}): SalesforceConfig => ({
  organizationId: ORG,
  loginUrl: sf.url,
  auth: 'jwt-bearer',
  clientIdEnv: 'SF_ID',
  usernameEnv: 'SF_USER',
  privateKeyEnv: 'SF_KEY',
  ...over,
});
const ccEnv = { SF_ID: CLIENT_ID, SF_SECRET: CLIENT_SECRET };
const jwtEnv = { SF_ID: JWT_CLIENT_ID, SF_USER: USERNAME, SF_KEY: keys.privateKeyPem };

/** What the token is good for: the contract server's API answers it (a query), or says INVALID_SESSION_ID. */
async function apiStatus(accessToken: string, instanceUrl: string): Promise<number> {
  const res = await fetch(`${instanceUrl}/services/data/v62.0/query?q=${encodeURIComponent('SELECT Id FROM User LIMIT 1')}`, { headers: { authorization: `Bearer ${accessToken}` } });
  return res.status;
}

async function refusal(p: Promise<unknown>): Promise<SalesforceAuthError> {
  const e = await p.then(
    () => null,
    (err: unknown) => err,
  );
  expect(e).toBeInstanceOf(SalesforceAuthError);
  return e as SalesforceAuthError;
}

describe('OAuth 2.0 client credentials flow', () => {
  it('exchanges the consumer key and secret for a token of the run-as user that the API accepts', async () => {
    const auth = new SalesforceAuth(cc(), { env: ccEnv });
    const t = await auth.token();
    expect(t).toMatchObject({ instanceUrl: sf.url, id: `${sf.url}/id/${ORG}/${INTEGRATION_USER}`, scope: 'api' });
    expect(t.accessToken.startsWith(`${ORG.slice(0, 15)}!`)).toBe(true);
    expect(await apiStatus(t.accessToken, t.instanceUrl)).toBe(200);
    expect(sf.tokenRequests.at(-1)).toMatchObject({ grantType: 'client_credentials', status: 200 });
  });

  it('keeps the token (one request for many callers) until it is invalidated, then asks once more', async () => {
    const auth = new SalesforceAuth(cc(), { env: ccEnv });
    const [a, b, c] = await Promise.all([auth.token(), auth.token(), auth.token()]);
    expect(new Set([a.accessToken, b.accessToken, c.accessToken]).size).toBe(1);
    expect(auth.requested).toBe(1);
    auth.invalidate('some other token');
    expect((await auth.token()).accessToken).toBe(a.accessToken);
    auth.invalidate(a.accessToken);
    const fresh = await auth.token();
    expect(fresh.accessToken).not.toBe(a.accessToken);
    expect(auth.requested).toBe(2);
  });

  it('a wrong secret or an unknown client is final; an outage of the token endpoint is retryable', async () => {
    const wrong = await refusal(new SalesforceAuth(cc(), { env: { ...ccEnv, SF_SECRET: 'nope' } }).token());
    expect(wrong).toMatchObject({ retryable: false, status: 400, oauthError: 'invalid_client' });
    expect(wrong.message).not.toContain('nope');
    expect(await refusal(new SalesforceAuth(cc(), { env: { ...ccEnv, SF_ID: 'unknown' } }).token())).toMatchObject({ retryable: false, oauthError: 'invalid_client_id' });

    sf.tokenEndpointDown(1);
    const down = await refusal(new SalesforceAuth(cc(), { env: ccEnv }).token());
    expect(down).toMatchObject({ retryable: true, status: 503 });
  });

  it('names a missing environment variable (never a value) and refuses before calling Salesforce', async () => {
    const before = sf.tokenRequests.length;
    const e = await refusal(new SalesforceAuth(cc(), { env: { SF_ID: CLIENT_ID } }).token());
    expect(e.retryable).toBe(false);
    expect(e.message).toContain('SF_SECRET is not set');
    expect(e.message).not.toContain(CLIENT_ID);
    expect(sf.tokenRequests.length).toBe(before);
  });
});

describe('OAuth 2.0 JWT bearer flow', () => {
  it('signs an RS256 assertion (iss client id, sub username, aud login URL, exp within 3 minutes) that the certificate verifies', async () => {
    const auth = new SalesforceAuth(jwt(), { env: jwtEnv });
    const t = await auth.token();
    expect(t.id).toBe(`${sf.url}/id/${ORG}/${INTEGRATION_USER}`);
    expect(await apiStatus(t.accessToken, t.instanceUrl)).toBe(200);
    expect(sf.tokenRequests.at(-1)).toMatchObject({ grantType: 'urn:ietf:params:oauth:grant-type:jwt-bearer', status: 200 });
    // The certificate really is an X.509 certificate of the signing key, as an admin uploads it.
    expect(new X509Certificate(keys.certificatePem).publicKey.export({ type: 'spki', format: 'pem' })).toBe(createPublicKey(keys.privateKeyPem).export({ type: 'spki', format: 'pem' }));
  });

  it('accepts a PEM stored on one line with literal \\n, as environment files hold it', async () => {
    const t = await new SalesforceAuth(jwt(), { env: { ...jwtEnv, SF_KEY: keys.privateKeyPem.replace(/\n/g, '\\n') } }).token();
    expect(await apiStatus(t.accessToken, t.instanceUrl)).toBe(200);
  });

  it("Salesforce refuses a key other than the certificate's, another audience, an unknown user or an exp beyond 3 minutes", async () => {
    const other = generateKeyPairSync('rsa', { modulusLength: 2048 }).privateKey.export({ type: 'pkcs8', format: 'pem' }).toString();
    expect(await refusal(new SalesforceAuth(jwt(), { env: { ...jwtEnv, SF_KEY: other } }).token())).toMatchObject({ retryable: false, oauthError: 'invalid_grant' });
    expect(await refusal(new SalesforceAuth(jwt(), { env: { ...jwtEnv, SF_USER: 'someone@else.example' } }).token())).toMatchObject({ retryable: false, oauthError: 'invalid_grant' });
    expect(await refusal(new SalesforceAuth(jwt(), { env: { ...jwtEnv, SF_ID: CLIENT_ID } }).token())).toMatchObject({ oauthError: 'invalid_client_id' });

    // The contract server is the login server only for its own URL as audience.
    const post = (assertion: string) =>
      fetch(`${sf.url}/services/oauth2/token`, {
        method: 'POST',
        headers: { 'content-type': 'application/x-www-form-urlencoded' },
        body: new URLSearchParams({ grant_type: 'urn:ietf:params:oauth:grant-type:jwt-bearer', assertion }).toString(),
      });
    const now = Math.floor(Date.now() / 1000);
    const claims = { iss: JWT_CLIENT_ID, sub: USERNAME, aud: sf.url, exp: now + 120 };
    expect((await post(jwtAssertion(claims, keys.privateKeyPem))).status).toBe(200);
    const wrongAud = await post(jwtAssertion({ ...claims, aud: 'https://login.salesforce.com' }, keys.privateKeyPem));
    expect([wrongAud.status, await wrongAud.json()]).toEqual([400, { error: 'invalid_grant', error_description: 'audience is invalid' }]);
    const tooLong = await post(jwtAssertion({ ...claims, exp: now + 3600 }, keys.privateKeyPem));
    expect(tooLong.status).toBe(400);
    const expired = await post(jwtAssertion({ ...claims, exp: now - 60 }, keys.privateKeyPem));
    expect(await expired.json()).toEqual({ error: 'invalid_grant', error_description: 'expired assertion' });
  });

  it('refuses, naming the variable, a private key that is not PEM', async () => {
    const e = await refusal(new SalesforceAuth(jwt(), { env: { ...jwtEnv, SF_KEY: 'not a key' } }).token());
    expect(e).toMatchObject({ retryable: false, message: 'SF_KEY does not hold a private key in PEM form' });
  });
});

describe("the contract server's REST API", () => {
  it('refuses a missing or unknown token with INVALID_SESSION_ID, and an expired session after expireSessions()', async () => {
    const auth = new SalesforceAuth(cc(), { env: ccEnv });
    const t = await auth.token();
    const q = `${sf.url}/services/data/v62.0/query?q=${encodeURIComponent('SELECT Id FROM User')}`;
    const none = await fetch(q);
    expect([none.status, await none.json()]).toEqual([401, [{ message: 'Session expired or invalid', errorCode: 'INVALID_SESSION_ID' }]]);
    expect(await apiStatus(t.accessToken, t.instanceUrl)).toBe(200);
    sf.expireSessions();
    expect(await apiStatus(t.accessToken, t.instanceUrl)).toBe(401);
    expect(salesforceId('00Q')).toMatch(/^00Q[A-Za-z0-9]{15}$/);
  });
});
