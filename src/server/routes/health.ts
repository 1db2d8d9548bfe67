import type { FastifyInstance } from 'fastify';
import { healthToken } from '../../ingest/secrets.ts';
import { bearerToken, sharedToken } from '../sharedToken.ts';
import type { Diagnostic } from '../../diagnostics/diagnostic.ts';

/** One worker's last heartbeat (src/worker/heartbeat.ts), as the `workers` check reports it. */
export interface WorkerSeen {
  identity: string;
  taskQueue: string;
  /** null: its rules folder has never been valid, nothing decides. */
  rulesRevision: string | null;
  rulesStatus: 'ok' | 'degraded';
  shadow: { source: string; revision: string | null; error: string | null } | null;
  startedAt: string;
  seenAt: string;
}

export interface DependencyStatus {
  ok: boolean;
  /**
   * Working, but not as configured (rules: a change was refused and the last valid rules decide): /healthz
   * says `degraded` and stays 200, since taking the API out of rotation would not help.
   */
  degraded?: boolean;
  /** The check's own word for a degraded state, shown as its status (workers: `mixed` rules revisions). */
  warning?: 'mixed';
  latencyMs?: number;
  detail: string;
  /** The located findings behind a degraded check (rules: file, line, column, rule id, message). */
  diagnostics?: Diagnostic[];
  /** workers: each live worker's identity, rules revision, shadow and last heartbeat. */
  workers?: WorkerSeen[];
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

export type CheckStatus = 'ok' | 'degraded' | 'mixed' | 'down';

function statusOf(r: DependencyStatus): CheckStatus {
  return !r.ok ? 'down' : r.degraded ? (r.warning ?? 'degraded') : 'ok';
}

/**
 * Liveness for load balancers and operators: 200 only when every dependency answers. Anyone sees each check's
 * status; the details (database host, user and name, server versions, error messages) only a caller presenting
 * `Authorization: Bearer <token>` with the token from FLYWHEEL_HEALTH_TOKEN. Without that variable, no one does.
 */
export function registerHealthRoutes(app: FastifyInstance, checks: HealthChecks, token: string | undefined = healthToken().secret): void {
  const matches = token ? sharedToken(token) : undefined;
  app.get('/healthz', async (req, reply) => {
    const names = Object.keys(checks);
    const results = await Promise.all(names.map((n) => runCheck(checks[n]!)));
    const detailed = matches !== undefined && matches(bearerToken(req));
    const deps = Object.fromEntries(
      names.map((n, i) => {
        const r = results[i]!;
        return [n, detailed ? { status: statusOf(r), ...r } : { status: statusOf(r) }];
      }),
    );
    const ok = results.every((r) => r.ok);
    const degraded = !ok || results.some((r) => r.degraded);
    return reply.code(ok ? 200 : 503).send({ status: degraded ? 'degraded' : 'ok', checks: deps });
  });
}
