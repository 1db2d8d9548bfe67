import { existsSync, readFileSync, utimesSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import { LedgerLockedError, LedgerOpenTransactionError, LedgerValidationError } from '../../../src/ledger/errors.ts';
import { inspectLock } from '../../../src/ledger/lock.ts';
import { openLedger, type OpenLedgerOptions } from '../../../src/ledger/open.ts';
import type { OpenedLedger } from '../../../src/ledger/types.ts';
import { deadPid } from './helpers/child.ts';
import { SHIPPED_FILES, event, events, ledgerDir, lockFile, pgliteTemplate, removeTempRoots, tempRoot } from './helpers/fixtures.ts';

const open = (root: string, over: Partial<OpenLedgerOptions> = {}) => openLedger({ root, role: 'owner', databaseUrl: undefined, ...over });
const opened: OpenedLedger[] = [];
async function track(p: Promise<OpenedLedger>): Promise<OpenedLedger> {
  const l = await p;
  opened.push(l);
  return l;
}

beforeAll(() => pgliteTemplate(), 120_000);
afterEach(async () => {
  for (const l of opened.splice(0).reverse()) await l.close();
  vi.restoreAllMocks();
});
afterAll(removeTempRoots);

describe('recording', () => {
  // One ledger for the tests that only write and read; each uses its own keys.
  let l: OpenedLedger;
  beforeAll(async () => {
    l = await open(await tempRoot());
  }, 120_000);
  afterAll(() => l?.close());
  const count = async (prefix: string) => (await l.query<{ n: number }>(`SELECT count(*) AS n FROM ledger_events WHERE event_key LIKE $1`, [`${prefix}%`]))[0]!.n;

  it('is idempotent by event key: the same batch twice inserts once and counts duplicates', async () => {
    const batch = [...events('idem', 3), event('idem-0')];
    expect(await l.record(batch)).toEqual({ inserted: 3, duplicates: 1 });
    expect(await l.record(batch)).toEqual({ inserted: 0, duplicates: 4 });
    expect(await l.query(`SELECT event_key, count(*) AS n FROM ledger_events WHERE event_key LIKE 'idem-%' GROUP BY event_key ORDER BY event_key`)).toEqual([
      { event_key: 'idem-0', n: 1 },
      { event_key: 'idem-1', n: 1 },
      { event_key: 'idem-2', n: 1 },
    ]);
    expect(await l.record([])).toEqual({ inserted: 0, duplicates: 0 });
  });

  it('keeps the first write of a key', async () => {
    await l.record([event('first-wins', { stage: 'mql' })]);
    await l.record([event('first-wins', { stage: 'sql' })]);
    expect(await l.query(`SELECT stage FROM ledger_events WHERE event_key = 'first-wins'`)).toEqual([{ stage: 'mql' }]);
  });

  it('refuses an invalid event with a clear error and writes nothing from its batch', async () => {
    const bad = [event('invalid-good'), { ...event('invalid-bad'), occurredAt: 'Tuesday' }];
    await expect(l.record(bad)).rejects.toThrow('invalid ledger event: event #1 (key "invalid-bad"): occurredAt "Tuesday" is not an ISO 8601 time with a time zone, e.g. 2026-03-01T09:30:00Z');
    await expect(l.record(bad)).rejects.toBeInstanceOf(LedgerValidationError);
    expect(await count('invalid-')).toBe(0);
  });

  it('stores every field and reads them back with stable types', async () => {
    await l.record([
      event('deal:1:won', {
        type: 'deal.won',
        occurredAt: '2026-03-01T23:30:00-02:00',
        accountId: 'acc-1',
        workflowId: 'account:acc-1',
        team: 'sales-emea',
        amount: 48000.5,
        arrDelta: -1200.25,
        currency: 'EUR',
        rulesRevision: 'r42',
        data: { reason: 'it\'s "won"', n: [1, null] },
      }),
    ]);
    const [row] = await l.query(`SELECT *, occurred_at::date AS day FROM ledger_events WHERE event_key = 'deal:1:won'`);
    expect(row).toEqual({
      id: expect.any(Number),
      event_key: 'deal:1:won',
      type: 'deal.won',
      occurred_at: new Date('2026-03-02T01:30:00Z'),
      recorded_at: expect.any(Date),
      lead_id: 'lead-1',
      account_id: 'acc-1',
      workflow_id: 'account:acc-1',
      owner: 'jonas-becker',
      team: 'sales-emea',
      stage: 'sql',
      amount: 48000.5,
      arr_delta: -1200.25,
      currency: 'EUR',
      rules_revision: 'r42',
      data: { reason: 'it\'s "won"', n: [1, null] },
      // Days are UTC days in every mode.
      day: '2026-03-02',
    });
  });

  it('rounds amounts to cents, as numeric(18,2) does', async () => {
    await l.record([event('cents', { amount: 0.1 + 0.2, arrDelta: 12.345 })]);
    expect(await l.query(`SELECT amount, arr_delta FROM ledger_events WHERE event_key = 'cents'`)).toEqual([{ amount: 0.3, arr_delta: 12.35 }]);
  });

  it('answers ping', async () => {
    expect(await l.ping()).toEqual({ ok: true, latencyMs: expect.any(Number) });
  });
});

describe('lifecycle', () => {
  it('persists across close and reopen', async () => {
    const root = await tempRoot();
    const a = await open(root);
    await a.record(events('p', 5));
    await a.close();
    const b = await track(open(root));
    expect(await b.query('SELECT count(*) AS n FROM ledger_events')).toEqual([{ n: 5 }]);
  });

  it('reports a closed ledger clearly, and closes only once', async () => {
    const l = await open(await tempRoot());
    await l.close();
    await l.close();
    await expect(l.query('SELECT 1')).rejects.toThrow(/the embedded ledger at .* is closed/);
    await expect(l.record([event('x')])).rejects.toThrow(/is closed/);
  });
});

describe('single opener', () => {
  it('writes {pid, host, port, secret, startedAt} to the lock file, and removes it on close', async () => {
    const root = await tempRoot();
    const l = await open(root);
    const lock = JSON.parse(readFileSync(lockFile(root), 'utf8')) as Record<string, unknown>;
    expect(lock).toEqual({ pid: process.pid, host: os.hostname(), port: expect.any(Number), secret: expect.stringMatching(/^[0-9a-f]{64}$/), startedAt: expect.any(String) });
    expect(l.description).toContain(`127.0.0.1:${lock.port as number}`);
    await l.close();
    expect(existsSync(lockFile(root))).toBe(false);
  });

  it('refuses a second owner while the first is open, naming the process', async () => {
    const root = await tempRoot();
    await track(open(root));
    const second = open(root);
    await expect(second).rejects.toBeInstanceOf(LedgerLockedError);
    await expect(open(root)).rejects.toThrow(
      `The embedded ledger at ${ledgerDir(root)} is open in process ${process.pid} (flywheel dev?). Stop it, or run this command while it runs (it connects through its socket), or set DATABASE_URL.`,
    );
  });

  it('connects a second opener in auto mode through the socket; writes are visible to the owner', async () => {
    const root = await tempRoot();
    const owner = await track(open(root));
    const client = await track(open(root, { role: 'auto' }));
    expect(client.mode).toBe('embedded-client');
    expect(client.description).toBe(`embedded ledger at ${ledgerDir(root)}, through process ${process.pid} on 127.0.0.1:${JSON.parse(readFileSync(lockFile(root), 'utf8')).port}`);
    expect(await client.record(events('c', 2))).toEqual({ inserted: 2, duplicates: 0 });
    expect(await owner.record(events('c', 3))).toEqual({ inserted: 1, duplicates: 2 });
    expect(await owner.query('SELECT count(*) AS n FROM ledger_events')).toEqual([{ n: 3 }]);
    expect(await client.query('SELECT event_key FROM ledger_events WHERE event_key = $1', ['c-2'])).toEqual([{ event_key: 'c-2' }]);
    expect(client.migrationsApplied).toEqual([]);
    expect((await client.migrationStatus()).pending).toEqual([]);
  });

  it('keeps every call atomic: no transaction may stay open on the shared session, owner or client', async () => {
    const root = await tempRoot();
    const owner = await track(open(root));
    const client = await track(open(root, { role: 'client' }));
    for (const l of [owner, client]) {
      await expect(l.query('BEGIN')).rejects.toThrow(
        'a statement left a transaction open, which a ledger call may not do; send BEGIN ... COMMIT in one call, or a single statement (it was rolled back)',
      );
      await expect(l.query('BEGIN')).rejects.toBeInstanceOf(LedgerOpenTransactionError);
      // An error inside BEGIN ... COMMIT aborts the transaction; it is rolled back too, not left to break the next call.
      await expect(l.query(`BEGIN; INSERT INTO ledger_events (event_key, type, occurred_at) VALUES ('half', 'x', now()); SELECT 1/0; COMMIT`)).rejects.toThrow('division by zero');
      // A whole transaction in one call is fine; the answer is the last statement's.
      expect(await l.query(`BEGIN; CREATE TEMP TABLE IF NOT EXISTS scratch (x int); INSERT INTO scratch VALUES (1); COMMIT; SELECT count(*) AS n FROM scratch`)).toEqual([{ n: l === owner ? 1 : 2 }]);
    }
    await owner.record([event('after')]);
    expect(await client.query('SELECT event_key FROM ledger_events')).toEqual([{ event_key: 'after' }]);
  });

  it('fails clearly in client role when no process owns the ledger', async () => {
    const root = await tempRoot();
    await expect(open(root, { role: 'client' })).rejects.toThrow(`no process has the embedded ledger at ${ledgerDir(root)} open; start \`flywheel dev\`, or set DATABASE_URL`);
  });

  it('recovers a stale lock left by a dead process, saying so once', async () => {
    const root = await tempRoot();
    const pid = await deadPid();
    writeFileSync(lockFile(root), JSON.stringify({ pid, host: os.hostname(), port: 1, startedAt: '2026-01-01T00:00:00Z' }));
    const stderr = vi.spyOn(process.stderr, 'write').mockImplementation(() => true);
    const l = await track(open(root));
    expect(l.mode).toBe('embedded');
    const said = stderr.mock.calls.map((c) => String(c[0])).filter((s) => s.includes('stale'));
    expect(said).toEqual([`flywheel: removed a stale ledger lock ${lockFile(root)}: process ${pid} is no longer running\n`]);
    expect(JSON.parse(readFileSync(lockFile(root), 'utf8')).pid).toBe(process.pid);
  });

  it('recovers a lock naming this pid that this process does not hold (a restarted container reuses pids)', async () => {
    const root = await tempRoot();
    writeFileSync(lockFile(root), JSON.stringify({ pid: process.pid, host: os.hostname(), port: 1, startedAt: '2026-01-01T00:00:00Z' }));
    vi.spyOn(process.stderr, 'write').mockImplementation(() => true);
    expect((await track(open(root))).mode).toBe('embedded');
  });

  it('waits on an unreadable lock while it is fresh (being written), and recovers it once it is old', async () => {
    const root = await tempRoot();
    writeFileSync(lockFile(root), '');
    expect(inspectLock(lockFile(root))).toEqual({ state: 'busy' });
    utimesSync(lockFile(root), new Date(Date.now() - 60_000), new Date(Date.now() - 60_000));
    expect(inspectLock(lockFile(root))).toEqual({ state: 'stale', info: null, reason: 'its contents are unreadable' });
    vi.spyOn(process.stderr, 'write').mockImplementation(() => true);
    expect((await track(open(root))).mode).toBe('embedded');
  });

  it('treats a lock from another host as held (its pid cannot be checked from here)', async () => {
    const root = await tempRoot();
    writeFileSync(lockFile(root), JSON.stringify({ pid: 4242, host: 'build-box-7', port: 5555, startedAt: '2026-01-01T00:00:00Z' }));
    await expect(open(root, { role: 'auto' })).rejects.toThrow(`is open in process 4242 on host build-box-7 (flywheel dev?)`);
  });

  it('serves several socket clients at once without mixing up their statements', async () => {
    const root = await tempRoot();
    const owner = await track(open(root));
    const [a, b, c] = [await track(open(root, { role: 'client' })), await track(open(root, { role: 'client' })), await track(open(root, { role: 'client' }))];
    // A statement whose parameter spans many TCP chunks, racing small statements of a different shape: with bound
    // parameters the socket can bind one client's values to the other's statement (seen with pglite-socket 0.2.17).
    const big = 'x'.repeat(1_000_000);
    const mismatches: unknown[] = [];
    const large = (async () => {
      for (let i = 0; i < 8; i++) {
        const [r] = await a.query<{ n: number; who: string }>('SELECT length($1::text) AS n, $2::text AS who', [big, `a${i}`]);
        if (r?.n !== big.length || r.who !== `a${i}`) mismatches.push(r);
      }
    })();
    const small = (async () => {
      for (let i = 0; i < 300; i++) {
        const [r] = await b.query<{ v: number }>('SELECT $1::int AS v', [i]);
        if (r?.v !== i) mismatches.push(r);
      }
    })();
    // Writers with overlapping keys, from a client and from the owner.
    const write = async (l: OpenedLedger, w: number) => {
      let inserted = 0;
      for (let i = 0; i < 10; i++) inserted += (await l.record(events(`w${i % 7}`, 50).map((e) => ({ ...e, data: { w, pad: 'y'.repeat(2000) } })))).inserted;
      return inserted;
    };
    const [, , fromC, fromOwner] = await Promise.all([large, small, write(c, 1), write(owner, 2)]);
    expect(mismatches).toEqual([]);
    expect(fromC + fromOwner).toBe(7 * 50);
    expect(await owner.query('SELECT count(*) AS n, count(DISTINCT event_key) AS keys FROM ledger_events')).toEqual([{ n: 350, keys: 350 }]);
  }, 120_000);
});

describe('a fresh directory', () => {
  it('is created, migrated and served on first open', async () => {
    const root = await tempRoot({ ledger: false });
    const t0 = performance.now();
    const l = await track(open(root));
    const ms = performance.now() - t0;
    expect(l.migrationsApplied.map((m) => m.file)).toEqual(SHIPPED_FILES);
    expect(await l.record([event('first')])).toEqual({ inserted: 1, duplicates: 0 });
    console.log(`fresh PGlite ledger: created + migrated in ${Math.round(ms)} ms`);
  }, 120_000);
});
