import { randomUUID } from 'node:crypto';
import { cpSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, inject, it, vi } from 'vitest';
import { Client, Connection } from '@temporalio/client';
import { loadConfig } from '../../src/config/load.ts';
import type { LoadedConfig } from '../../src/config/types.ts';
import { HEALTH_TOKEN_ENV } from '../../src/ingest/secrets.ts';
import { openLedger } from '../../src/ledger/open.ts';
import type { OpenedLedger } from '../../src/ledger/types.ts';
import { RulesCache } from '../../src/rules/cache.ts';
import { installQuietRuntime } from '../../src/runtime/devStack.ts';
import { buildHealthChecks } from '../../src/runtime/healthChecks.ts';
import { dataPaths } from '../../src/runtime/paths.ts';
import { readWorkers, summariseWorkers } from '../../src/runtime/workerRevisions.ts';
import { buildApp } from '../../src/server/app.ts';
import { localTarget } from '../../src/temporal/connection.ts';
import { buildActivityDeps } from '../../src/worker/activityDeps.ts';
import { createFlywheelWorker, type FlywheelWorker } from '../../src/worker/createWorker.ts';
import { runCli } from '../support/cli.ts';
import { eventually } from '../support/eventually.ts';
import { scratchProject, type ScratchProject } from '../support/scratchProject.ts';

const TOKEN = 'worker-revisions-health-token';

/**
 * A rollout caught in the middle: two real workers on one task queue and one ledger, the second already on a
 * changed rules folder. Their heartbeats make /healthz and `flywheel doctor` say `mixed`.
 */
describe('workers on different rules revisions (dev server)', () => {
  const servers = inject('temporal');
  let project: ScratchProject;
  let loaded: LoadedConfig;
  let ledger: OpenedLedger;
  let client: Client;
  const workers: { w: FlywheelWorker; running: Promise<void> }[] = [];
  const revisions: string[] = [];

  async function startWorker(identity: string, rulesDir: string): Promise<{ w: FlywheelWorker; running: Promise<void> }> {
    const own = { ...loaded, config: { ...loaded.config, rules: { dir: rulesDir } } };
    const deps = buildActivityDeps(own, ledger);
    revisions.push(deps.rules.get().revision.id);
    const w = await createFlywheelWorker({ target: localTarget(servers.devAddress), taskQueue: project.taskQueue!, deps, identity, workflowBundle: { codePath: servers.workflowBundlePath } });
    const started = { w, running: w.run() };
    workers.push(started);
    return started;
  }
  const stop = async ({ w, running }: { w: FlywheelWorker; running: Promise<void> }) => {
    if (w.worker.getState() === 'RUNNING') w.worker.shutdown();
    await running;
  };

  beforeAll(async () => {
    installQuietRuntime();
    project = await scratchProject('worker-revisions', { taskQueue: `worker-revisions-${randomUUID()}` });
    loaded = loadConfig(project.configFile);
    // The next revision: the same rules with one description changed.
    cpSync(path.join(project.root, 'rules'), path.join(project.root, 'rules-next'), { recursive: true });
    const icp = path.join(project.root, 'rules-next', 'icp.yaml');
    writeFileSync(icp, readFileSync(icp, 'utf8').replace('description: Ideal-customer-profile tier', 'description: ICP tier'));
    // The owner of the project's embedded ledger, serving doctor (another process) through its socket.
    ledger = await openLedger({ root: project.root, embeddedDir: dataPaths(loaded).ledgerDir, role: 'owner', databaseUrl: undefined });
    client = new Client({ connection: await Connection.connect({ address: servers.devAddress }) });
    await startWorker('rollout-old@test', 'rules');
    await startWorker('rollout-new@test', 'rules-next');
  });
  afterAll(async () => {
    vi.unstubAllEnvs();
    for (const w of workers) await stop(w).catch(() => undefined);
    await client?.connection.close();
    await ledger?.close();
    if (project) rmSync(project.root, { recursive: true, force: true });
  });

  it('shows mixed revisions in /healthz (details only with the token) and in doctor, and ok once the old worker stops', { timeout: 120_000 }, async () => {
    const [oldRev, newRev] = revisions;
    expect(oldRev).not.toBe(newRev);
    await eventually(
      async () => readWorkers(ledger),
      (r) => r !== null && r.rows.length === 2,
      'both workers beating',
    );

    vi.stubEnv(HEALTH_TOKEN_ENV, TOKEN);
    const app = buildApp({ checks: buildHealthChecks(client, ledger, 'test dev server', new RulesCache(path.join(project.root, 'rules'), { config: loaded.config })) });
    const anonymous = await app.inject({ method: 'GET', url: '/healthz' });
    // A warning, not a failure: 200, and the caller without the token learns only the word.
    expect(anonymous.statusCode).toBe(200);
    expect(anonymous.json()).toEqual({ status: 'degraded', checks: { temporal: { status: 'ok' }, ledger: { status: 'ok' }, rules: { status: 'ok' }, workers: { status: 'mixed' } } });
    expect(anonymous.body).not.toContain('rollout-');

    const detailed = (await app.inject({ method: 'GET', url: '/healthz', headers: { authorization: `Bearer ${TOKEN}` } })).json();
    const sorted = [oldRev, newRev].sort();
    expect(detailed.checks.workers).toEqual({
      status: 'mixed',
      ok: true,
      degraded: true,
      warning: 'mixed',
      detail: `2 workers on 2 rules revisions: ${sorted[0]} (1), ${sorted[1]} (1)`,
      workers: [
        { identity: 'rollout-new@test', taskQueue: project.taskQueue, rulesRevision: newRev, rulesStatus: 'ok', shadow: null, startedAt: expect.any(String), seenAt: expect.any(String) },
        { identity: 'rollout-old@test', taskQueue: project.taskQueue, rulesRevision: oldRev, rulesStatus: 'ok', shadow: null, startedAt: expect.any(String), seenAt: expect.any(String) },
      ],
    });

    const env = { FLYWHEEL_CONFIG: project.configFile, TEMPORAL_ADDRESS: servers.devAddress, DATABASE_URL: '' };
    const json = await runCli(['doctor', '--json'], env);
    expect(json.code).toBe(0);
    const report = JSON.parse(json.stdout) as { workers: ReturnType<typeof summariseWorkers> };
    expect(report.workers).toMatchObject({
      status: 'mixed',
      revisions: [
        { revision: sorted[0], workers: 1 },
        { revision: sorted[1], workers: 1 },
      ],
    });
    expect(report.workers.live.map((w) => [w.identity, w.rulesRevision])).toEqual([
      ['rollout-new@test', newRev],
      ['rollout-old@test', oldRev],
    ]);
    expect(json.stderr).toBe(`warning: live workers decide with different rules revisions: 2 workers on 2 rules revisions: ${sorted[0]} (1), ${sorted[1]} (1)\n`);

    const text = await runCli(['doctor'], env);
    expect(text.code).toBe(0);
    const lines = text.stdout.split('\n');
    expect(lines).toContain(`Workers       MIXED  2 workers on 2 rules revisions: ${sorted[0]} (1), ${sorted[1]} (1)`);
    expect(lines.find((l) => l.startsWith('  rollout-old@test'))).toMatch(new RegExp(`^  rollout-old@test  ${project.taskQueue}  rules ${escape(oldRev!)}  seen \\d{4}-`));
    expect(lines.find((l) => l.startsWith('  rollout-new@test'))).toMatch(new RegExp(`^  rollout-new@test  ${project.taskQueue}  rules ${escape(newRev!)}  seen \\d{4}-`));

    // The rollout finishes: the old worker stops and removes its row, and nothing is mixed any more.
    await stop(workers[0]!);
    const after = await eventually(
      async () => (await app.inject({ method: 'GET', url: '/healthz', headers: { authorization: `Bearer ${TOKEN}` } })).json() as { status: string; checks: { workers: { status: string } } },
      (b) => b.checks.workers.status === 'ok',
      (last) => `workers check never ok again: ${JSON.stringify(last?.checks?.workers)}`,
    );
    expect(after.checks.workers).toMatchObject({ detail: `1 worker on rules revision ${newRev}`, workers: [{ identity: 'rollout-new@test' }] });
    expect(after.status).toBe('ok');
    await app.close();
  });
});

const escape = (s: string) => s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
