import { statSync } from 'node:fs';
import net from 'node:net';
import path from 'node:path';
import pg from 'pg';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { openLedger, socketConnectionString } from '../../../src/ledger/open.ts';
import type { EmbeddedLedger } from '../../../src/ledger/pglite.ts';
import type { OpenedLedger } from '../../../src/ledger/types.ts';
import { event, ledgerDir, lockFile, pgliteTemplate, removeTempRoots, socketUrl, tempDir, tempRoot } from './helpers/fixtures.ts';

const opened: OpenedLedger[] = [];
const open = async (root: string, role: 'owner' | 'client') => {
  const l = await openLedger({ root, role, databaseUrl: undefined });
  opened.push(l);
  return l;
};

beforeAll(async () => {
  await pgliteTemplate();
}, 120_000);
afterEach(async () => {
  for (const l of opened.splice(0).reverse()) await l.close();
});
afterAll(removeTempRoots);

/** One raw pg connection with the given password: the answer to SELECT 1, or the error. */
async function selectOne(connectionString: string): Promise<unknown> {
  const client = new pg.Client({ connectionString });
  client.on('error', () => undefined);
  try {
    await client.connect();
    return (await client.query('SELECT 1 AS one')).rows;
  } catch (e) {
    return (e as Error).message;
  } finally {
    await client.end().catch(() => undefined);
  }
}

/** Speaks the wire protocol without authenticating: a startup message, then straight to a query. */
function rawSession(port: number, sql: string): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const received: Buffer[] = [];
    const socket = net.connect(port, '127.0.0.1', () => {
      const params = Buffer.from('user\0postgres\0database\0postgres\0\0');
      const startup = Buffer.alloc(8);
      startup.writeInt32BE(8 + params.length, 0);
      startup.writeInt32BE(196608, 4);
      const text = Buffer.from(`${sql}\0`);
      const query = Buffer.alloc(5);
      query.write('Q', 0);
      query.writeInt32BE(4 + text.length, 1);
      socket.write(Buffer.concat([startup, params, query, text]));
    });
    socket.on('data', (d) => {
      received.push(d);
      // A ReadyForQuery means a session was opened (and the query run): the answer is complete.
      if (messageTypes(Buffer.concat(received)).includes('Z')) socket.end();
    });
    socket.on('error', reject);
    // The server hangs up on a connection that does not authenticate.
    socket.on('close', () => resolve(Buffer.concat(received)));
  });
}

/** The type bytes of the messages in a server's answer. */
function messageTypes(answer: Buffer): string[] {
  const types: string[] = [];
  for (let at = 0; at + 5 <= answer.length; at += 1 + answer.readInt32BE(at + 1)) types.push(String.fromCharCode(answer[at]!));
  return types;
}

describe('the embedded ledger socket asks for the secret in the lock file', () => {
  it('refuses a pg client without the secret or with a wrong one before any SQL runs', async () => {
    const root = await tempRoot();
    const owner = (await open(root, 'owner')) as EmbeddedLedger;
    const port = owner.port!;
    expect(await selectOne(`postgres://postgres@127.0.0.1:${port}/postgres?sslmode=disable`)).toMatch(/password/);
    expect(await selectOne(socketConnectionString(port, 'f'.repeat(64)))).toBe('password authentication failed');
    expect(await selectOne(socketUrl(root))).toEqual([{ one: 1 }]);
  });

  it('runs nothing a connection sends before it has authenticated', async () => {
    const root = await tempRoot();
    const owner = (await open(root, 'owner')) as EmbeddedLedger;
    await owner.record([event('kept')]);
    const answer = await rawSession(owner.port!, 'DROP TABLE ledger_events');
    // Asked for SCRAM ('R'), then refused ('E'); never the AuthenticationOk, CommandComplete or ReadyForQuery of a session.
    expect(messageTypes(answer)).toEqual(['R', 'E']);
    expect(answer.toString('latin1')).toContain('28P01');
    expect(await owner.query('SELECT event_key FROM ledger_events')).toEqual([{ event_key: 'kept' }]);
  });

  it('lets an embedded client in with the secret from the lock file', async () => {
    const root = await tempRoot();
    const owner = await open(root, 'owner');
    const client = await open(root, 'client');
    expect(client.mode).toBe('embedded-client');
    await client.record([event('through-the-socket')]);
    expect(await owner.query('SELECT event_key FROM ledger_events')).toEqual([{ event_key: 'through-the-socket' }]);
  });

  it('writes the lock readable by its owner only, in a directory it creates for its owner only', async () => {
    const root = tempDir();
    await open(root, 'owner');
    expect(statSync(lockFile(root)).mode & 0o777).toBe(0o600);
    expect(statSync(path.dirname(ledgerDir(root))).mode & 0o777).toBe(0o700);
  }, 60_000);

  it('makes a new secret each time an owner starts: an old one no longer opens the socket', async () => {
    const root = await tempRoot();
    await (await openLedger({ root, role: 'owner', databaseUrl: undefined })).close();
    const owner = (await open(root, 'owner')) as EmbeddedLedger;
    const before = socketUrl(root);
    await owner.close();
    const again = (await open(root, 'owner')) as EmbeddedLedger;
    const stale = new URL(before);
    stale.port = String(again.port);
    expect(socketUrl(root)).not.toBe(stale.toString());
    expect(await selectOne(stale.toString())).toBe('password authentication failed');
  });
});
