import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { chownSync, existsSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import pg from 'pg';

export interface TempPostgres {
  /** Connection string with a password, for a database of its own per call. */
  freshDatabase(): Promise<string>;
  password: string;
  stop(): Promise<void>;
}

const PASSWORD = 's3cret-Pa55';

/**
 * A throwaway PostgreSQL cluster for the production path: FLYWHEEL_TEST_DATABASE_URL if set (an admin connection
 * that may create databases), else initdb + postgres from this machine on a free loopback port. Null when neither
 * is available; the tests then fail with a message saying what to install.
 */
export async function startTempPostgres(): Promise<TempPostgres | null> {
  const external = process.env.FLYWHEEL_TEST_DATABASE_URL;
  if (external) return withAdmin(external, async () => undefined, new URL(external).password);
  const bin = findBinDir();
  if (!bin) return null;
  const dir = mkdtempSync(path.join(os.tmpdir(), 'flywheel-pg-'));
  // initdb refuses to run as root; run the server as the postgres user when we are root.
  const asUser = process.getuid?.() === 0 ? userIds('postgres') : undefined;
  if (process.getuid?.() === 0 && !asUser) return null;
  if (asUser) chownSync(dir, asUser.uid, asUser.gid);
  const pwfile = path.join(dir, 'pw');
  writeFileSync(pwfile, PASSWORD);
  if (asUser) chownSync(pwfile, asUser.uid, asUser.gid);
  const data = path.join(dir, 'data');
  const init = spawnSync(path.join(bin, 'initdb'), ['-D', data, '-U', 'flywheel', `--pwfile=${pwfile}`, '-A', 'scram-sha-256', '-E', 'UTF8', '--locale=C', '--no-sync'], {
    encoding: 'utf8',
    ...(asUser ?? {}),
  });
  if (init.status !== 0) throw new Error(`initdb failed: ${init.stderr}`);
  const port = await freePort();
  // A server time zone other than UTC proves the ledger sets its own session zone.
  const server = spawn(path.join(bin, 'postgres'), ['-D', data, '-p', String(port), '-k', dir, '-c', 'listen_addresses=127.0.0.1', '-c', 'fsync=off', '-c', 'TimeZone=America/New_York'], {
    stdio: ['ignore', 'ignore', 'pipe'],
    ...(asUser ?? {}),
  });
  await ready(server);
  const stop = async () => {
    server.kill('SIGINT');
    if (server.exitCode === null) await once(server, 'exit');
    rmSync(dir, { recursive: true, force: true });
  };
  return withAdmin(`postgres://flywheel:${encodeURIComponent(PASSWORD)}@127.0.0.1:${port}/postgres`, stop, PASSWORD);
}

async function withAdmin(adminUrl: string, stopServer: () => Promise<void>, password: string): Promise<TempPostgres> {
  const admin = new pg.Client({ connectionString: adminUrl });
  await admin.connect();
  const created: string[] = [];
  return {
    password,
    async freshDatabase() {
      const name = `flywheel_test_${process.pid}_${created.length}_${Date.now().toString(36)}`;
      await admin.query(`CREATE DATABASE ${name}`);
      created.push(name);
      const u = new URL(adminUrl);
      u.pathname = `/${name}`;
      return u.toString();
    },
    async stop() {
      for (const name of created) await admin.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`).catch(() => undefined);
      await admin.end();
      await stopServer();
    },
  };
}

function findBinDir(): string | undefined {
  const base = '/usr/lib/postgresql';
  if (existsSync(base)) {
    const versions = readdirSync(base).sort((a, b) => Number(b) - Number(a));
    for (const v of versions) if (existsSync(path.join(base, v, 'bin', 'initdb'))) return path.join(base, v, 'bin');
  }
  const which = spawnSync('sh', ['-c', 'command -v initdb'], { encoding: 'utf8' });
  return which.status === 0 ? path.dirname(which.stdout.trim()) : undefined;
}

function userIds(name: string): { uid: number; gid: number } | undefined {
  const uid = spawnSync('id', ['-u', name], { encoding: 'utf8' });
  const gid = spawnSync('id', ['-g', name], { encoding: 'utf8' });
  return uid.status === 0 && gid.status === 0 ? { uid: Number(uid.stdout), gid: Number(gid.stdout) } : undefined;
}

async function freePort(): Promise<number> {
  const srv = net.createServer();
  srv.listen(0, '127.0.0.1');
  await once(srv, 'listening');
  const { port } = srv.address() as net.AddressInfo;
  srv.close();
  await once(srv, 'close');
  return port;
}

/** Resolves when the server logs that it accepts connections; rejects if it exits first. */
async function ready(server: ChildProcess): Promise<void> {
  let log = '';
  await new Promise<void>((resolve, reject) => {
    server.stderr!.on('data', (d: Buffer) => {
      log += d.toString();
      if (log.includes('ready to accept connections')) resolve();
    });
    server.once('exit', (code) => reject(new Error(`postgres exited (${code}) before it was ready:\n${log}`)));
  });
  // Keep draining the log so the server never blocks on a full pipe.
  server.stderr!.resume();
}
