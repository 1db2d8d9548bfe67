import { spawnSync } from 'node:child_process';
import { readFileSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { scratchProject } from '../support/scratchProject.ts';
import { resolveTool } from '../../src/tools/temporalBinaries.ts';
import { isAlive, runCli, startCli } from '../support/cli.ts';

interface Ready {
  temporal: string;
  ui: string;
  health: string;
  temporalPid: number;
}

describe('flywheel dev', () => {
  let project: { root: string; configFile: string };
  beforeAll(async () => {
    project = await scratchProject('dev', { plan: true });
  });
  afterAll(() => rmSync(project.root, { recursive: true, force: true }));

  const temporalCli = resolveTool('cli').path!;
  const env = () => ({ FLYWHEEL_CONFIG: project.configFile });

  async function start() {
    const run = startCli(['dev', '--json'], env());
    const ready = (await run.firstJsonLine) as unknown as Ready;
    return { run, ready };
  }

  async function stop(run: ReturnType<typeof startCli>, ready: Ready) {
    run.child.kill('SIGINT');
    const exit = await run.exited;
    expect(exit.code).toBe(0);
    expect(isAlive(ready.temporalPid)).toBe(false);
  }

  it('serves health, the Web UI and the CLI; stops everything on SIGINT; keeps data across restarts', { timeout: 180_000 }, async () => {
    const first = await start();
    const health = await fetch(first.ready.health);
    const body = (await health.json()) as { status: string; checks: Record<string, { status: string }> };
    expect(health.status).toBe(200);
    expect(body.status).toBe('ok');
    // Without the health token, only each check's status (no hosts, users or paths).
    expect(body.checks).toEqual({ temporal: { status: 'ok' }, ledger: { status: 'ok' }, rules: { status: 'ok' }, workers: { status: 'ok' } });
    expect((await fetch(first.ready.ui)).status).toBe(200);
    // The operations page is open on a dev stack and links its leads to this Web UI.
    const ops = await fetch(first.ready.health.replace(/\/healthz$/, '/operations'));
    expect(ops.status).toBe(200);
    expect(await ops.text()).toContain(`<a href="${first.ready.ui}" target="_blank" rel="noopener">Temporal UI</a>`);

    const doctor = await runCli(['doctor', '--json'], { ...env(), TEMPORAL_ADDRESS: first.ready.temporal });
    expect(doctor.stderr).toBe('');
    expect(doctor.code).toBe(0);
    const report = JSON.parse(doctor.stdout) as { missingSearchAttributes: string[]; check: { checkId: string; ledger: { inserted: number } } };
    expect(report.missingSearchAttributes).toEqual([]);
    expect(report.check.ledger.inserted).toBe(1);
    await stop(first.run, first.ready);

    const second = await start();
    const list = spawnSync(temporalCli, ['workflow', 'list', '--address', second.ready.temporal, '--output', 'json'], { encoding: 'utf8' });
    expect(list.status).toBe(0);
    expect(list.stdout).toContain(`system-check:${report.check.checkId}`);
    // A second process reads the embedded ledger through the running stack's socket.
    const events = await runCli(['ledger', 'events', '--type', 'system.check', '--json'], env());
    expect(events.code).toBe(0);
    expect(events.stdout).toContain(report.check.checkId);
    // The planning cycle's Schedule comes from config/plan.yaml: cron and time zone of the plan's cadence, skip overlaps.
    const schedule = spawnSync(temporalCli, ['schedule', 'describe', '--schedule-id', 'flywheel-planning', '--address', second.ready.temporal, '--output', 'json'], { encoding: 'utf8' });
    expect(schedule.status).toBe(0);
    expect(schedule.stdout).toContain('planningCycle');
    expect(schedule.stdout).toMatch(/SCHEDULE_OVERLAP_POLICY_SKIP/);
    // The weekly SLA report's Schedule comes from reports.slaWeekly (docs/sla-report.md).
    const sla = spawnSync(temporalCli, ['schedule', 'describe', '--schedule-id', 'flywheel-sla-report', '--address', second.ready.temporal, '--output', 'json'], { encoding: 'utf8' });
    expect(sla.status).toBe(0);
    expect(sla.stdout).toContain('slaWeeklyReport');
    await stop(second.run, second.ready);
  });

  it('refuses a broken config with one line naming file, line and path', async () => {
    const broken = readFileSync(project.configFile, 'utf8').replace('timezone: Europe/Paris', 'timezone: Europe/Berln');
    const file = path.join(project.root, 'config', 'broken.yaml');
    writeFileSync(file, broken);
    const r = await runCli(['dev'], { FLYWHEEL_CONFIG: file });
    expect(r.code).toBe(2);
    const lines = r.stderr.trim().split('\n');
    expect(lines).toHaveLength(1);
    expect(lines[0]).toMatch(/broken\.yaml:\d+:\d+: reps\[\d+\]\.timezone: unknown time zone "Europe\/Berln" \(did you mean "Europe\/Berlin"\?\)/);
  });
});
