import { afterEach, describe, expect, it, vi } from 'vitest';
import { HEALTH_TOKEN_ENV } from '../../../src/ingest/secrets.ts';
import { buildApp } from '../../../src/server/app.ts';
import type { HealthChecks } from '../../../src/server/routes/health.ts';

const TOKEN = 'health-token-for-tests-7f3a';

// What a PostgreSQL ledger's check says: host, user and database name, which strangers must not read.
const checks: HealthChecks = {
  temporal: async () => ({ ok: true, latencyMs: 2, detail: 'dev server 1.4.0' }),
  ledger: async () => Promise.reject(new Error('password authentication failed for user "flywheel" at db.internal:5432/leads')),
  rules: async () => ({ ok: true, degraded: true, detail: 'refused revision abc (1 error)' }),
};

function app(env: string | undefined) {
  if (env === undefined) vi.stubEnv(HEALTH_TOKEN_ENV, undefined);
  else vi.stubEnv(HEALTH_TOKEN_ENV, env);
  return buildApp({ checks });
}

afterEach(() => {
  vi.unstubAllEnvs();
});

const statusOnly = { status: 'degraded', checks: { temporal: { status: 'ok' }, ledger: { status: 'down' }, rules: { status: 'degraded' } } };

describe('/healthz detail', () => {
  it('shows only the status of each check to a caller without the token', async () => {
    const res = await app(TOKEN).inject({ method: 'GET', url: '/healthz' });
    expect(res.statusCode).toBe(503);
    expect(res.json()).toEqual(statusOnly);
    expect(res.body).not.toContain('db.internal');
    expect(res.body).not.toContain('flywheel');
  });

  it('shows each check in full to a caller with the token from the environment', async () => {
    const res = await app(TOKEN).inject({ method: 'GET', url: '/healthz', headers: { authorization: `Bearer ${TOKEN}` } });
    expect(res.statusCode).toBe(503);
    expect(res.json()).toEqual({
      status: 'degraded',
      checks: {
        temporal: { status: 'ok', ok: true, latencyMs: 2, detail: 'dev server 1.4.0' },
        ledger: { status: 'down', ok: false, detail: 'password authentication failed for user "flywheel" at db.internal:5432/leads' },
        rules: { status: 'degraded', ok: true, degraded: true, detail: 'refused revision abc (1 error)' },
      },
    });
  });

  it('hides the details from a wrong token, a token of another length, or another scheme', async () => {
    const a = app(TOKEN);
    for (const authorization of [`Bearer ${TOKEN.slice(0, -1)}x`, `Bearer ${TOKEN}0`, `Basic ${TOKEN}`, TOKEN]) {
      const res = await a.inject({ method: 'GET', url: '/healthz', headers: { authorization } });
      expect(res.statusCode).toBe(503);
      expect(res.json()).toEqual(statusOnly);
    }
  });

  it('shows no one the details when no token is configured', async () => {
    for (const env of [undefined, '']) {
      const res = await app(env).inject({ method: 'GET', url: '/healthz', headers: { authorization: 'Bearer ' } });
      expect(res.json()).toEqual(statusOnly);
    }
  });
});
