// The production layout on this machine, loopback only: a Temporal dev server with a SQLite file (so a stop and
// restart keeps its state), a PostgreSQL server for the ledger, two `flywheel worker`s and one `flywheel serve`
// with signed ingest, all over a temporary copy of config/ and rules/ that the suite may break.
import { randomBytes } from 'node:crypto';
import { cpSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { Client, Connection } from '@temporalio/client';
import pg from 'pg';
import YAML from 'yaml';
import { benchConfig } from '../bench/stack.ts';
import { HEALTH_TOKEN_ENV } from '../src/ingest/secrets.ts';
import { startDevServer, type RunningDevServer } from '../src/temporal/devServer.ts';
import { freePort } from '../src/temporal/ports.ts';
import { resolveTool } from '../src/tools/temporalBinaries.ts';
import { startTempPostgres } from '../test/unit/ledger/helpers/tempPostgres.ts';
import { FlywheelProcess } from './processes.ts';

const REPO = fileURLToPath(new URL('..', import.meta.url));
const HOST = '127.0.0.1';

export interface Layout {
  dir: string;
  rulesDir: string;
  logsDir: string;
  apiUrl: string;
  secret: string;
  healthToken: string;
  /** Every secret this run made (ingest secret, health token, database password): none may appear in a log. */
  secrets: string[];
  temporalAddress: string;
  /** The suite's own Temporal client (describe, queries); it reconnects after a Temporal restart. */
  client: Client;
  /** The suite's own connection to the ledger database, for counting rows. */
  db: pg.Pool;
  workers: FlywheelProcess[];
  serve: FlywheelProcess;
  stopTemporal(): Promise<void>;
  startTemporal(): Promise<void>;
  startupMs: number;
  stop(keep?: boolean): Promise<void>;
}

/**
 * The shipped config with every calendar open around the clock and no capacity caps (the bench's config: a lead
 * is assigned whatever the hour and however many the run sends) and no CRM webhook, written as YAML to `dir`.
 */
function writeProject(dir: string): void {
  mkdirSync(path.join(dir, 'config'), { recursive: true });
  const loaded = benchConfig();
  writeFileSync(path.join(dir, 'config', 'flywheel.yaml'), YAML.stringify(loaded.config));
  cpSync(path.join(REPO, 'rules'), path.join(dir, 'rules'), { recursive: true });
}

export async function startLayout(): Promise<Layout> {
  const t0 = performance.now();
  const dir = mkdtempSync(path.join(os.tmpdir(), 'flywheel-faults-'));
  const logsDir = path.join(dir, 'logs');
  mkdirSync(logsDir, { recursive: true });
  const stops: (() => Promise<void>)[] = [];
  const stopAll = async () => {
    for (const s of stops.splice(0).reverse()) await s().catch((e: Error) => process.stderr.write(`faults shutdown: ${e.message}\n`));
  };
  try {
    writeProject(dir);
    const binary = resolveTool('cli', { allowSdkDownload: false });
    const temporalPort = await freePort(HOST);
    const dbFile = path.join(dir, 'temporal', 'dev.db');
    const devServer = () => startDevServer({ binary, ip: HOST, port: temporalPort, headless: true, dbFile, logFile: path.join(logsDir, 'temporal.log') });
    const [temporalR, pgR] = await Promise.allSettled([devServer(), startTempPostgres()]);
    let temporal: RunningDevServer | undefined = temporalR.status === 'fulfilled' ? temporalR.value : undefined;
    stops.push(async () => temporal?.stop());
    if (pgR.status === 'fulfilled' && pgR.value) stops.push(() => pgR.value!.stop());
    if (temporalR.status === 'rejected') throw temporalR.reason;
    if (pgR.status === 'rejected') throw pgR.reason;
    if (!pgR.value) throw new Error('no PostgreSQL: install the postgresql package (initdb and postgres under /usr/lib/postgresql/*/bin)');
    const databaseUrl = await pgR.value.freshDatabase();
    if (new URL(databaseUrl).hostname !== HOST) throw new Error('the ledger database must be on loopback');

    const secret = randomBytes(32).toString('hex');
    const healthToken = randomBytes(16).toString('hex');
    const env: NodeJS.ProcessEnv = {
      PATH: process.env.PATH,
      HOME: process.env.HOME,
      FLYWHEEL_CONFIG: path.join(dir, 'config', 'flywheel.yaml'),
      DATABASE_URL: databaseUrl,
      TEMPORAL_ADDRESS: `${HOST}:${temporalPort}`,
      TEMPORAL_NAMESPACE: 'default',
      FLYWHEEL_INGEST_SECRET: secret,
      [HEALTH_TOKEN_ENV]: healthToken,
    };
    const apiPort = await freePort(HOST);
    const serve = new FlywheelProcess({ name: 'serve', args: ['serve', '--host', HOST, '--port', String(apiPort)], env, logFile: path.join(logsDir, 'serve.log'), ready: /Server listening at/ });
    const workers = [1, 2].map((n) => new FlywheelProcess({ name: `worker-${n}`, args: ['worker'], env, logFile: path.join(logsDir, `worker-${n}.log`), ready: /worker polling/ }));
    // The first worker migrates the ledger; the others start once it has, so no two run the migrations at once.
    stops.push(async () => void (await Promise.all([serve, ...workers].map((p) => p.stop()))));
    await workers[0]!.start();
    await Promise.all([workers[1]!.start(), serve.start()]);

    const db = new pg.Pool({ connectionString: databaseUrl, max: 4 });
    stops.push(() => db.end());
    const connection = await Connection.connect({ address: `${HOST}:${temporalPort}` });
    stops.push(() => connection.close());
    const client = new Client({ connection, namespace: 'default' });

    return {
      dir,
      rulesDir: path.join(dir, 'rules'),
      logsDir,
      apiUrl: `http://${HOST}:${apiPort}`,
      secret,
      healthToken,
      secrets: [secret, healthToken, decodeURIComponent(new URL(databaseUrl).password)],
      temporalAddress: `${HOST}:${temporalPort}`,
      client,
      db,
      workers,
      serve,
      async stopTemporal() {
        await temporal?.stop();
        temporal = undefined;
      },
      async startTemporal() {
        temporal = await devServer();
      },
      startupMs: performance.now() - t0,
      /** `keep`: leave the folder (logs, Temporal's SQLite file) for a look after a failed run. */
      async stop(keep = false) {
        await stopAll();
        if (!keep) rmSync(dir, { recursive: true, force: true });
      },
    };
  } catch (e) {
    await stopAll();
    process.stderr.write(`faults: start-up failed; logs kept in ${logsDir}\n`);
    throw e;
  }
}
