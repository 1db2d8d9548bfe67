import { spawn, type ChildProcess } from 'node:child_process';
import { mkdirSync, openSync, closeSync } from 'node:fs';
import path from 'node:path';
import { Connection } from '@temporalio/client';
import { TestWorkflowEnvironment } from '@temporalio/testing';
import type { ResolvedTool } from '../tools/temporalBinaries.ts';
import { devServerSearchAttributeArgs, SA } from './searchAttributes.ts';
import { freePort, isPortFree } from './ports.ts';

export interface DevServerOptions {
  binary: ResolvedTool;
  /** SQLite file; omitted means in memory (tests). */
  dbFile?: string;
  ip?: string;
  /** 0 picks a free port. */
  port?: number;
  uiPort?: number;
  headless?: boolean;
  /** The Web UI decodes payloads through this codec server (`--ui-codec-endpoint`). */
  uiCodecEndpoint?: string;
  /** Server output goes here rather than into the operator's terminal. */
  logFile?: string;
  readyTimeoutMs?: number;
}

export interface RunningDevServer {
  address: string;
  uiUrl?: string;
  pid?: number;
  startMs: number;
  stop(): Promise<void>;
}

export class DevServerError extends Error {}

// WAL lets the UI and CLI read while the server writes; NORMAL sync is durable across process crashes.
const SQLITE_PRAGMAS = ['journal_mode=wal', 'synchronous=normal', 'busy_timeout=5000'];

export async function startDevServer(opts: DevServerOptions): Promise<RunningDevServer> {
  const started = performance.now();
  const ip = opts.ip ?? '127.0.0.1';
  const port = opts.port || (await freePort(ip));
  if (!(await isPortFree(port, ip))) {
    throw new DevServerError(`port ${port} on ${ip} is in use: is another \`flywheel dev\` or Temporal dev server running? ` + `Stop it, or set temporal.devServer.port in config/flywheel.yaml.`);
  }
  const uiPort = opts.headless ? undefined : opts.uiPort || port + 1000;
  if (uiPort !== undefined && !(await isPortFree(uiPort, ip))) {
    throw new DevServerError(`Web UI port ${uiPort} on ${ip} is in use; set temporal.devServer.uiPort in config/flywheel.yaml.`);
  }
  const address = `${ip}:${port}`;
  const handle = opts.binary.path ? await spawnBinary(opts.binary.path, opts, ip, port, uiPort) : await startThroughSdk(opts, ip, port, uiPort);
  try {
    await waitReady(address, opts.readyTimeoutMs ?? 60_000, handle.exited);
  } catch (e) {
    await handle.stop();
    throw e;
  }
  return {
    address,
    uiUrl: uiPort === undefined ? undefined : `http://${ip === '0.0.0.0' ? '127.0.0.1' : ip}:${uiPort}`,
    pid: handle.pid,
    startMs: performance.now() - started,
    stop: handle.stop,
  };
}

interface Handle {
  pid?: number;
  exited: Promise<string>;
  stop(): Promise<void>;
}

async function spawnBinary(bin: string, opts: DevServerOptions, ip: string, port: number, uiPort?: number): Promise<Handle> {
  const args = ['server', 'start-dev', '--ip', ip, '--port', String(port), '--log-level', 'warn', ...devServerSearchAttributeArgs()];
  if (opts.dbFile) {
    mkdirSync(path.dirname(opts.dbFile), { recursive: true });
    args.push('--db-filename', opts.dbFile, ...SQLITE_PRAGMAS.flatMap((p) => ['--sqlite-pragma', p]));
  }
  if (uiPort === undefined) args.push('--headless');
  else args.push('--ui-port', String(uiPort), '--ui-disable-news-fetch', ...uiCodecArgs(opts));
  let out: number | 'ignore' = 'ignore';
  if (opts.logFile) {
    mkdirSync(path.dirname(opts.logFile), { recursive: true });
    out = openSync(opts.logFile, 'a');
  }
  const child: ChildProcess = spawn(bin, args, { stdio: ['ignore', out, out] });
  if (typeof out === 'number') closeSync(out);
  const exited = new Promise<string>((resolve) => {
    child.once('exit', (code, signal) => resolve(`exited with ${signal ?? `code ${code}`}`));
    child.once('error', (e) => resolve(`could not start: ${e.message}`));
  });
  return {
    pid: child.pid,
    exited,
    async stop() {
      if (child.exitCode !== null || child.signalCode !== null) return;
      child.kill('SIGTERM');
      const timer = setTimeout(() => child.kill('SIGKILL'), 10_000);
      await exited;
      clearTimeout(timer);
    },
  };
}

/** Last resort when no binary resolves: the SDK downloads the CLI itself (needs internet). */
async function startThroughSdk(opts: DevServerOptions, ip: string, port: number, uiPort?: number): Promise<Handle> {
  const env = await TestWorkflowEnvironment.createLocal({
    server: {
      executable: { type: 'cached-download' },
      ip,
      port,
      ui: uiPort !== undefined,
      uiPort,
      dbFilename: opts.dbFile,
      searchAttributes: Object.values(SA),
      extraArgs: [...(opts.dbFile ? SQLITE_PRAGMAS.flatMap((p) => ['--sqlite-pragma', p]) : []), ...(uiPort !== undefined ? uiCodecArgs(opts) : [])],
    },
  });
  return { exited: new Promise(() => undefined), stop: () => env.teardown() };
}

function uiCodecArgs(opts: DevServerOptions): string[] {
  return opts.uiCodecEndpoint ? ['--ui-codec-endpoint', opts.uiCodecEndpoint] : [];
}

async function waitReady(address: string, timeoutMs: number, exited: Promise<string>): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  let failure: string | undefined;
  void exited.then((why) => (failure = why));
  let lastError = '';
  while (Date.now() < deadline) {
    if (failure) throw new DevServerError(`Temporal dev server ${failure} before it was ready`);
    try {
      const conn = await Connection.connect({ address, connectTimeout: 1_000 });
      try {
        await conn.workflowService.getSystemInfo({});
        return;
      } finally {
        await conn.close();
      }
    } catch (e) {
      lastError = (e as Error).message;
      // Backoff between readiness probes of a starting process, not a guess at how long it takes.
      await new Promise((r) => setTimeout(r, 100));
    }
  }
  throw new DevServerError(`Temporal dev server at ${address} not ready after ${timeoutMs} ms: ${lastError}`);
}
