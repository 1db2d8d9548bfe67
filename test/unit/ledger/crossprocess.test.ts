import { existsSync, readFileSync } from 'node:fs';
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import { LedgerLockedError } from '../../../src/ledger/errors.ts';
import { openLedger } from '../../../src/ledger/open.ts';
import type { OpenedLedger } from '../../../src/ledger/types.ts';
import { startLedgerChild, type LedgerChild } from './helpers/child.ts';
import { event, events, ledgerDir, lockFile, pgliteTemplate, removeTempRoots, tempRoot } from './helpers/fixtures.ts';

// Each test starts real Node processes (tsx + PGlite), hence the generous timeouts.
const T = 120_000;
const children: LedgerChild[] = [];
const ledgers: OpenedLedger[] = [];

async function child(root: string, role: 'owner' | 'client' | 'auto'): Promise<LedgerChild> {
  const c = await startLedgerChild(root, role);
  children.push(c);
  return c;
}
async function ledger(root: string, role: 'owner' | 'client' | 'auto'): Promise<OpenedLedger> {
  const l = await openLedger({ root, role, databaseUrl: undefined });
  ledgers.push(l);
  return l;
}
const count = (rows: { n: number }[]) => rows[0]!.n;

beforeAll(() => pgliteTemplate(), T);
afterEach(async () => {
  vi.restoreAllMocks();
  for (const l of ledgers.splice(0)) await l.close();
  for (const c of children.splice(0)) {
    if (c.proc.exitCode === null && c.proc.signalCode === null) c.proc.kill('SIGKILL');
    await c.exited;
  }
});
afterAll(removeTempRoots);

describe('the embedded ledger across processes', () => {
  it(
    'refuses a second owner in another process, which instead connects through the socket and writes',
    async () => {
      const root = await tempRoot();
      const owner = await child(root, 'owner');
      expect(owner.first).toMatchObject({ ready: true, mode: 'embedded' });

      const refused = openLedger({ root, role: 'owner', databaseUrl: undefined });
      await expect(refused).rejects.toBeInstanceOf(LedgerLockedError);
      await expect(openLedger({ root, role: 'owner', databaseUrl: undefined })).rejects.toThrow(`The embedded ledger at ${ledgerDir(root)} is open in process ${owner.pid} (flywheel dev?).`);

      const client = await ledger(root, 'auto');
      expect(client.mode).toBe('embedded-client');
      expect(await client.record(events('parent', 4))).toEqual({ inserted: 4, duplicates: 0 });
      expect(await owner.send({ op: 'query', sql: 'SELECT count(*) AS n FROM ledger_events' })).toEqual([{ n: 4 }]);

      expect(await owner.send({ op: 'record', events: [event('child-1'), event('parent-0')] })).toEqual({ inserted: 1, duplicates: 1 });
      expect(await client.query('SELECT event_key FROM ledger_events WHERE event_key LIKE $1', ['child-%'])).toEqual([{ event_key: 'child-1' }]);
      expect(await owner.send({ op: 'close' })).toEqual({ closed: true });
      expect(await owner.exited).toBe(0);
      expect(existsSync(lockFile(root))).toBe(false);
    },
    T,
  );

  it(
    'serves a process started in auto mode while this one owns the ledger',
    async () => {
      const root = await tempRoot();
      const owner = await ledger(root, 'owner');
      const c = await child(root, 'auto');
      expect(c.first).toMatchObject({ ready: true, mode: 'embedded-client' });
      expect(c.first.description).toContain(`through process ${process.pid}`);
      expect(await c.send({ op: 'record', events: events('from-child', 3) })).toEqual({ inserted: 3, duplicates: 0 });
      expect(count(await owner.query('SELECT count(*) AS n FROM ledger_events'))).toBe(3);
      await owner.record([event('from-owner')]);
      expect(await c.send({ op: 'query', sql: `SELECT event_key FROM ledger_events WHERE event_key = $1`, params: ['from-owner'] })).toEqual([{ event_key: 'from-owner' }]);
      // A refused batch from the client reports the validation error, and the connection stays usable.
      expect(await c.send({ op: 'record', events: [{ key: 'x', type: 'nope', occurredAt: 'now' }] })).toMatchObject({ name: 'LedgerValidationError' });
      expect(await c.send({ op: 'query', sql: 'SELECT 1 AS one' })).toEqual([{ one: 1 }]);
    },
    T,
  );

  it(
    'releases the lock when the owning process exits without closing',
    async () => {
      const root = await tempRoot();
      const owner = await child(root, 'owner');
      await owner.send({ op: 'record', events: events('kept', 2) });
      expect(await owner.send({ op: 'exit' })).toEqual({ exiting: true });
      expect(await owner.exited).toBe(0);
      expect(existsSync(lockFile(root))).toBe(false);
      const l = await ledger(root, 'owner');
      expect(count(await l.query('SELECT count(*) AS n FROM ledger_events'))).toBe(2);
    },
    T,
  );

  it(
    'recovers after the owner is killed, with its committed writes intact',
    async () => {
      const root = await tempRoot();
      const owner = await child(root, 'owner');
      await owner.send({ op: 'record', events: events('before-kill', 25) });
      owner.proc.kill('SIGKILL');
      await owner.exited;
      expect(JSON.parse(readFileSync(lockFile(root), 'utf8')).pid).toBe(owner.pid);

      const stderr = vi.spyOn(process.stderr, 'write').mockImplementation(() => true);
      const l = await ledger(root, 'auto');
      expect(l.mode).toBe('embedded');
      expect(stderr).toHaveBeenCalledWith(`flywheel: removed a stale ledger lock ${lockFile(root)}: process ${owner.pid} is no longer running\n`);
      expect(count(await l.query('SELECT count(*) AS n FROM ledger_events'))).toBe(25);
      expect(await l.record(events('before-kill', 26))).toEqual({ inserted: 1, duplicates: 25 });
    },
    T,
  );

  it(
    'lets exactly one of two processes racing to open a ledger own it; the other connects to it',
    async () => {
      const root = await tempRoot();
      const [a, b] = await Promise.all([child(root, 'auto'), child(root, 'auto')]);
      expect([a.first.mode, b.first.mode].sort()).toEqual(['embedded', 'embedded-client']);
      await Promise.all([a.send({ op: 'record', events: events('race', 10) }), b.send({ op: 'record', events: events('race', 12) })]);
      expect(await a.send({ op: 'query', sql: 'SELECT count(*) AS n FROM ledger_events' })).toEqual([{ n: 12 }]);
      // The client must go first: it would lose its connection when the owner closes.
      const [owner, client] = a.first.mode === 'embedded' ? [a, b] : [b, a];
      await client.send({ op: 'close' });
      await owner.send({ op: 'close' });
    },
    T,
  );

  it(
    'rolls back the transaction of a client process that dies inside it; the owner waits, then carries on',
    async () => {
      const root = await tempRoot();
      const owner = await ledger(root, 'owner');
      const c = await child(root, 'client');
      expect(await c.send({ op: 'hang-in-transaction', events: events('doomed', 3) })).toEqual({ inside: true });
      // Issued while the child's transaction is open: inside it, this would count the child's uncommitted rows.
      const read = owner.query('SELECT count(*) AS n FROM ledger_events');
      c.proc.kill('SIGKILL');
      await c.exited;
      expect(await read).toEqual([{ n: 0 }]);
      expect(await owner.record(events('doomed', 3))).toEqual({ inserted: 3, duplicates: 0 });
    },
    T,
  );

  it(
    'tells a client clearly when the owner has gone away',
    async () => {
      const root = await tempRoot();
      const owner = await child(root, 'owner');
      const client = await ledger(root, 'client');
      await owner.send({ op: 'close' });
      await owner.exited;
      await expect(client.query('SELECT 1')).rejects.toThrow(/lost the embedded ledger socket \(embedded ledger at .*\); has its owner stopped\?/);
    },
    T,
  );
});
