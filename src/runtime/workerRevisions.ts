import type { Ledger } from '../ledger/types.ts';
import type { DependencyStatus, WorkerSeen } from '../server/routes/health.ts';

export type { WorkerSeen };

/** A worker is live while its heartbeat (every 15 s) is younger than this: a few missed beats, not a restart. */
export const LIVE_WINDOW_MS = 120_000;

/** One worker's heartbeat row (table worker_rules). */
export interface WorkersSummary {
  /** mixed: live workers decide with different revisions; degraded: one's rules were refused or its shadow fails. */
  status: 'ok' | 'mixed' | 'degraded';
  live: WorkerSeen[];
  /** Live workers per revision, most workers first. */
  revisions: { revision: string; workers: number }[];
  detail: string;
}

interface Row {
  identity: string;
  task_queue: string;
  rules_revision: string | null;
  rules_status: 'ok' | 'degraded';
  shadow_source: string | null;
  shadow_revision: string | null;
  shadow_error: string | null;
  started_at: Date;
  seen_at: Date;
  now: Date;
}

/**
 * Every heartbeat row and the ledger's clock (the one that stamped them, so a reader's skew does not matter), or
 * null when the ledger predates the table (a newer worker against a ledger an older Flywheel migrated).
 */
export async function readWorkers(ledger: Pick<Ledger, 'query'>): Promise<{ rows: WorkerSeen[]; now: number } | null> {
  const [t] = await ledger.query<{ present: boolean }>(`SELECT to_regclass('worker_rules') IS NOT NULL AS present`);
  if (!t?.present) return null;
  const rows = await ledger.query<Row>(
    `SELECT identity, task_queue, rules_revision, rules_status, shadow_source, shadow_revision, shadow_error, started_at, seen_at, now() AS now
     FROM worker_rules ORDER BY task_queue, identity`,
  );
  return {
    now: rows[0]?.now.getTime() ?? Date.now(),
    rows: rows.map((r) => ({
      identity: r.identity,
      taskQueue: r.task_queue,
      rulesRevision: r.rules_revision,
      rulesStatus: r.rules_status,
      shadow: r.shadow_source === null ? null : { source: r.shadow_source, revision: r.shadow_revision, error: r.shadow_error },
      startedAt: r.started_at.toISOString(),
      seenAt: r.seen_at.toISOString(),
    })),
  };
}

/** The live workers among `rows` at `now` and what they say together. */
export function summariseWorkers(rows: readonly WorkerSeen[], now: number, windowMs = LIVE_WINDOW_MS): WorkersSummary {
  const live = rows.filter((w) => now - Date.parse(w.seenAt) <= windowMs);
  const counts = new Map<string, number>();
  for (const w of live) counts.set(w.rulesRevision ?? 'none', (counts.get(w.rulesRevision ?? 'none') ?? 0) + 1);
  const revisions = [...counts].map(([revision, workers]) => ({ revision, workers })).sort((a, b) => b.workers - a.workers || a.revision.localeCompare(b.revision));
  if (live.length === 0) return { status: 'ok', live, revisions, detail: `no worker reported in the last ${windowMs / 60_000} minutes` };

  const parts: string[] = [];
  if (revisions.length > 1) parts.push(`${plural(live.length, 'worker')} on ${revisions.length} rules revisions: ${revisions.map((r) => `${r.revision} (${r.workers})`).join(', ')}`);
  else parts.push(`${plural(live.length, 'worker')} on rules revision ${revisions[0]!.revision}`);
  const refused = live.filter((w) => w.rulesStatus === 'degraded');
  if (refused.length > 0) parts.push(`a rules change was refused on ${plural(refused.length, 'worker')}: ${refused.map((w) => w.identity).join(', ')}`);
  const failing = live.filter((w) => w.shadow?.error);
  if (failing.length > 0) parts.push(`the shadow cannot decide on ${plural(failing.length, 'worker')} (${failing[0]!.shadow!.source}): ${firstLine(failing[0]!.shadow!.error!)}`);
  const status = revisions.length > 1 ? 'mixed' : refused.length + failing.length > 0 ? 'degraded' : 'ok';
  return { status, live, revisions, detail: parts.join('; ') };
}

/**
 * `/healthz` check `workers`: `mixed` while live workers decide with different rules revisions (a rollout under
 * way, or stuck), `degraded` when one refused a rules change or its shadow cannot decide. Both warn with 200:
 * every worker still decides with valid rules.
 */
export async function workersCheck(ledger: Pick<Ledger, 'query'>): Promise<DependencyStatus> {
  const read = await readWorkers(ledger);
  if (!read) return { ok: true, detail: 'the ledger has no worker_rules table yet (migration 0005 not applied): workers cannot report their rules' };
  const s = summariseWorkers(read.rows, read.now);
  return { ok: true, ...(s.status !== 'ok' ? { degraded: true } : {}), ...(s.status === 'mixed' ? { warning: 'mixed' as const } : {}), detail: s.detail, workers: s.live };
}

const plural = (n: number, noun: string) => `${n} ${noun}${n === 1 ? '' : 's'}`;
const firstLine = (s: string) => s.split('\n')[0]!;
