import { cpSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { loadConfig } from '../../../src/config/load.ts';
import { RulesCache } from '../../../src/rules/cache.ts';
import { buildHealthChecks, rulesCheck } from '../../../src/runtime/healthChecks.ts';
import Fastify from 'fastify';
import { registerHealthRoutes } from '../../../src/server/routes/health.ts';

const repoRoot = path.resolve(new URL('../../..', import.meta.url).pathname);

describe('/healthz rules check', () => {
  it('is ok while the rules are valid and degraded, with file, line and rule id, after a refused change', async () => {
    const dir = path.join(mkdtempSync(path.join(os.tmpdir(), 'flywheel-rules-health-')), 'rules');
    cpSync(path.join(repoRoot, 'rules'), dir, { recursive: true });
    const config = loadConfig(path.join(repoRoot, 'config', 'flywheel.yaml')).config;
    const cache = new RulesCache(dir, { config, recheckMs: 0, logger: { warn: () => undefined, info: () => undefined } });
    cache.get();
    // Only the rules check runs here; the Temporal and ledger checks are never called.
    expect(Object.keys(buildHealthChecks(null as never, null as never, 'unused', cache))).toContain('rules');
    const app = Fastify();
    registerHealthRoutes(app, { rules: async () => rulesCheck(cache) }, 'health-token');
    const withToken = { method: 'GET' as const, url: '/healthz', headers: { authorization: 'Bearer health-token' } };

    const ok = await app.inject(withToken);
    expect(ok.statusCode).toBe(200);
    expect(ok.json()).toMatchObject({ status: 'ok', checks: { rules: { status: 'ok', ok: true, detail: expect.stringMatching(/^revision nogit\+[0-9a-f]{8}$/) } } });
    expect(ok.json().checks.rules.degraded).toBeUndefined();

    const file = path.join(dir, 'routing.yaml');
    writeFileSync(file, readFileSync(file, 'utf8').replace('{ var: lead.region }, [emea, apac]', '{ var: lead.regon }, [emea, apac]'));
    // The last valid rules keep deciding: degraded, but not a 503 that would take the API out of rotation.
    const anonymous = await app.inject({ method: 'GET', url: '/healthz' });
    expect(anonymous.statusCode).toBe(200);
    expect(anonymous.json()).toEqual({ status: 'degraded', checks: { rules: { status: 'degraded' } } });
    const bad = await app.inject(withToken);
    expect(bad.statusCode).toBe(200);
    expect(bad.json()).toMatchObject({
      status: 'degraded',
      checks: {
        rules: {
          status: 'degraded',
          ok: true,
          degraded: true,
          detail: expect.stringMatching(/^refused nogit\+[0-9a-f]{8} \(1 error\); the last valid routing rules keep deciding \(revision nogit\+[0-9a-f]{8}\)$/),
          diagnostics: [
            { file: expect.stringMatching(/routing\.yaml$/), line: 38, ruleId: 'route-enterprise-emea', code: 'undeclared-fact', message: expect.stringContaining('undeclared fact "lead.regon"') },
          ],
        },
      },
    });
    await app.close();
  });
});
