import { describe, expect, it } from 'vitest';
import { buildApp, MAX_BODY_BYTES } from '../../../src/server/app.ts';
import type { HealthChecks } from '../../../src/server/routes/health.ts';

const healthy: HealthChecks = {
  temporal: async () => ({ ok: true, latencyMs: 1, detail: 'test' }),
  ledger: async () => ({ ok: true, latencyMs: 1, detail: 'test' }),
};

function appWithEcho(checks: HealthChecks = healthy) {
  const app = buildApp({ checks });
  // A stand-in body route: the real event routes share the same parser, limit and error handler.
  app.post('/echo', async (req) => ({ received: req.body }));
  return app;
}

describe('ingest API skeleton', () => {
  it('reports healthy dependencies with 200', async () => {
    const res = await appWithEcho().inject({ method: 'GET', url: '/healthz' });
    expect(res.statusCode).toBe(200);
    expect(res.json()).toEqual({ status: 'ok', checks: { temporal: { status: 'ok' }, ledger: { status: 'ok' } } });
  });

  it('answers 503 naming the dependency that failed', async () => {
    const res = await appWithEcho({ ...healthy, ledger: async () => Promise.reject(new Error('ledger is closed')) }).inject({ method: 'GET', url: '/healthz' });
    expect(res.statusCode).toBe(503);
    expect(res.json()).toEqual({ status: 'degraded', checks: { temporal: { status: 'ok' }, ledger: { status: 'down' } } });
  });

  it('rejects bodies over 1 MiB with problem+json 413', async () => {
    const big = JSON.stringify({ pad: 'x'.repeat(MAX_BODY_BYTES) });
    const res = await appWithEcho().inject({ method: 'POST', url: '/echo', headers: { 'content-type': 'application/json' }, payload: big });
    expect(res.statusCode).toBe(413);
    expect(res.headers['content-type']).toMatch(/^application\/problem\+json/);
    expect(res.json()).toMatchObject({ type: '/problems/payload-too-large', status: 413, instance: '/echo' });
  });

  it('accepts a body just under the limit', async () => {
    const payload = JSON.stringify({ pad: 'x'.repeat(MAX_BODY_BYTES - 20) });
    const res = await appWithEcho().inject({ method: 'POST', url: '/echo', headers: { 'content-type': 'application/json' }, payload });
    expect(res.statusCode).toBe(200);
  });

  it('answers unknown media types with problem+json 415', async () => {
    const res = await appWithEcho().inject({ method: 'POST', url: '/echo', headers: { 'content-type': 'text/csv' }, payload: 'a,b' });
    expect(res.statusCode).toBe(415);
    expect(res.json()).toMatchObject({ type: '/problems/unsupported-media-type', status: 415 });
  });

  it('answers malformed JSON with problem+json 400', async () => {
    const res = await appWithEcho().inject({ method: 'POST', url: '/echo', headers: { 'content-type': 'application/json' }, payload: '{"a":' });
    expect(res.statusCode).toBe(400);
    expect(res.headers['content-type']).toMatch(/^application\/problem\+json/);
  });

  it('answers unknown routes with problem+json 404 and serves the problem type pages', async () => {
    const app = appWithEcho();
    const res = await app.inject({ method: 'GET', url: '/nope' });
    expect(res.statusCode).toBe(404);
    expect(res.json()).toMatchObject({ type: '/problems/not-found', status: 404 });
    const page = await app.inject({ method: 'GET', url: '/problems/payload-too-large' });
    expect(page.statusCode).toBe(200);
    expect(page.body).toContain('Request body too large');
  });
});
