import { describe, expect, it } from 'vitest';
import { summariseWorkers, workersCheck, type WorkerSeen } from '../../../src/runtime/workerRevisions.ts';

const NOW = Date.parse('2026-03-02T10:00:00Z');
const ago = (s: number) => new Date(NOW - s * 1000).toISOString();

function worker(identity: string, rulesRevision: string | null, over: Partial<WorkerSeen> = {}): WorkerSeen {
  return { identity, taskQueue: 'flywheel', rulesRevision, rulesStatus: 'ok', shadow: null, startedAt: ago(3600), seenAt: ago(5), ...over };
}

describe('workers seen by their heartbeats', () => {
  it('is ok with no live worker, and says so', () => {
    expect(summariseWorkers([], NOW)).toEqual({ status: 'ok', live: [], revisions: [], detail: 'no worker reported in the last 2 minutes' });
    const gone = worker('1@a', 'abc', { seenAt: ago(121) });
    expect(summariseWorkers([gone], NOW)).toMatchObject({ status: 'ok', live: [], detail: 'no worker reported in the last 2 minutes' });
  });

  it('is ok while every live worker decides with one revision', () => {
    const s = summariseWorkers([worker('1@a', 'abc'), worker('2@b', 'abc', { seenAt: ago(120) })], NOW);
    expect(s).toMatchObject({ status: 'ok', revisions: [{ revision: 'abc', workers: 2 }], detail: '2 workers on rules revision abc' });
    expect(s.live.map((w) => w.identity)).toEqual(['1@a', '2@b']);
  });

  it('is mixed while live workers decide with different revisions, most common first', () => {
    const s = summariseWorkers([worker('1@a', 'old'), worker('2@b', 'new'), worker('3@c', 'new')], NOW);
    expect(s.status).toBe('mixed');
    expect(s.revisions).toEqual([
      { revision: 'new', workers: 2 },
      { revision: 'old', workers: 1 },
    ]);
    expect(s.detail).toBe('3 workers on 2 rules revisions: new (2), old (1)');
  });

  it('ignores a worker that stopped reporting more than 2 minutes ago, so a finished rollout is not mixed', () => {
    const s = summariseWorkers([worker('1@a', 'old', { seenAt: ago(125) }), worker('2@b', 'new')], NOW);
    expect(s).toMatchObject({ status: 'ok', detail: '1 worker on rules revision new' });
  });

  it('counts a worker whose rules never loaded as revision "none"', () => {
    expect(summariseWorkers([worker('1@a', null), worker('2@b', 'abc')], NOW).revisions).toEqual([
      { revision: 'abc', workers: 1 },
      { revision: 'none', workers: 1 },
    ]);
  });

  it('is degraded when a worker refused a rules change or its shadow cannot decide, naming them', () => {
    const refused = summariseWorkers([worker('1@a', 'abc-dirty', { rulesStatus: 'degraded' })], NOW);
    expect(refused).toMatchObject({ status: 'degraded', detail: '1 worker on rules revision abc-dirty; a rules change was refused on 1 worker: 1@a' });
    const shadow = { source: 'folder candidate', revision: 'nogit+1234abcd', error: 'rules: refused nogit+99 (1 error)\n  candidate/icp.yaml:3:1: bad' };
    const failing = summariseWorkers([worker('1@a', 'abc', { shadow }), worker('2@b', 'abc')], NOW);
    expect(failing).toMatchObject({ status: 'degraded', detail: '2 workers on rules revision abc; the shadow cannot decide on 1 worker (folder candidate): rules: refused nogit+99 (1 error)' });
    // Mixed revisions are the headline; the rest stays in the detail.
    expect(summariseWorkers([worker('1@a', 'abc', { shadow }), worker('2@b', 'def')], NOW)).toMatchObject({ status: 'mixed', detail: expect.stringContaining('the shadow cannot decide on 1 worker') });
  });

  it('as a /healthz check: warns (mixed or degraded), never fails, and is ok on a ledger without the table', async () => {
    const ledger = (present: boolean, rows: Record<string, unknown>[]) => ({
      query: async <T>(sql: string) => (sql.includes('to_regclass') ? [{ present }] : rows) as T[],
    });
    const row = (identity: string, rev: string) => ({
      identity,
      task_queue: 'q',
      rules_revision: rev,
      rules_status: 'ok',
      shadow_source: null,
      shadow_revision: null,
      shadow_error: null,
      started_at: new Date(NOW - 60_000),
      seen_at: new Date(NOW - 1_000),
      now: new Date(NOW),
    });
    expect(await workersCheck(ledger(false, []))).toEqual({ ok: true, detail: expect.stringContaining('no worker_rules table yet') });
    expect(await workersCheck(ledger(true, [row('1@a', 'x')]))).toEqual({
      ok: true,
      detail: '1 worker on rules revision x',
      workers: [expect.objectContaining({ identity: '1@a', rulesRevision: 'x', shadow: null })],
    });
    expect(await workersCheck(ledger(true, [row('1@a', 'x'), row('2@b', 'y')]))).toMatchObject({ ok: true, degraded: true, warning: 'mixed', detail: '2 workers on 2 rules revisions: x (1), y (1)' });
  });
});
