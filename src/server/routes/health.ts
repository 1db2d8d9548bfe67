import type { FastifyInstance } from 'fastify';

export interface DependencyStatus {
  ok: boolean;
  latencyMs?: number;
  detail: string;
}

export type HealthChecks = Record<string, () => Promise<DependencyStatus>>;

const CHECK_TIMEOUT_MS = 3_000;

async function runCheck(check: () => Promise<DependencyStatus>): Promise<DependencyStatus> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<DependencyStatus>((resolve) => {
    timer = setTimeout(() => resolve({ ok: false, detail: `no answer within ${CHECK_TIMEOUT_MS} ms` }), CHECK_TIMEOUT_MS);
  });
  try {
    return await Promise.race([check().catch((e: Error) => ({ ok: false, detail: e.message })), timeout]);
  } finally {
    clearTimeout(timer);
  }
}

/** Liveness for load balancers and operators: 200 only when every dependency answers. */
export function registerHealthRoutes(app: FastifyInstance, checks: HealthChecks): void {
  app.get('/healthz', async (_req, reply) => {
    const names = Object.keys(checks);
    const results = await Promise.all(names.map((n) => runCheck(checks[n]!)));
    const deps = Object.fromEntries(names.map((n, i) => [n, results[i]]));
    const ok = results.every((r) => r.ok);
    return reply.code(ok ? 200 : 503).send({ status: ok ? 'ok' : 'degraded', checks: deps });
  });
}
