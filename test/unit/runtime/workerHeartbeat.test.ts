import { cpSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { loadConfig } from '../../../src/config/load.ts';
import { RulesCache } from '../../../src/rules/cache.ts';
import { ShadowRules } from '../../../src/rules/shadow.ts';
import { WorkerHeartbeat } from '../../../src/worker/heartbeat.ts';
import { emptyLedgerPerTest } from '../ledger/helpers/emptyLedger.ts';
import { eventually } from '../../support/eventually.ts';

const repo = path.resolve(new URL('../../..', import.meta.url).pathname);
const config = loadConfig(path.join(repo, 'config', 'flywheel.yaml')).config;
const quiet = { warn: () => undefined, info: () => undefined };
const ledger = emptyLedgerPerTest(['worker_rules']);
const temps: string[] = [];
afterAll(() => temps.forEach((t) => rmSync(t, { recursive: true, force: true })));

function rulesCopy(): string {
  const dir = path.join(mkdtempSync(path.join(os.tmpdir(), 'flywheel-heartbeat-')), 'rules');
  temps.push(path.dirname(dir));
  cpSync(path.join(repo, 'rules'), dir, { recursive: true });
  return dir;
}
const edit = (file: string, from: string, to: string) => writeFileSync(file, readFileSync(file, 'utf8').replace(from, to));

interface Row {
  identity: string;
  task_queue: string;
  rules_revision: string | null;
  rules_status: string;
  shadow_source: string | null;
  shadow_revision: string | null;
  shadow_error: string | null;
  started_at: Date;
  seen_at: Date;
}
const rows = () => ledger.query<Row>('SELECT * FROM worker_rules ORDER BY identity');
/** Ticks the heartbeat's (fake) interval until the table satisfies `done`: the write itself is real and async. */
const tickUntil = (done: (rs: Row[]) => boolean, what: string) =>
  eventually(
    async () => {
      vi.advanceTimersByTime(CHECK_MS);
      return rows();
    },
    done,
    (last) => `worker_rules never showed ${what}; last: ${JSON.stringify(last)}`,
  );

const CHECK_MS = 1_000;
// Only the heartbeat's interval is faked: timers firing on their own would make "no write" a matter of luck.
beforeEach(() => vi.useFakeTimers({ toFake: ['setInterval', 'clearInterval'] }));
afterEach(() => vi.useRealTimers());

describe('worker heartbeat', () => {
  it('reports the rules revision at start and a changed revision at the next look, not at the next beat', async () => {
    const dir = rulesCopy();
    const rules = new RulesCache(dir, { config, recheckMs: 0, logger: quiet });
    const writes: string[] = [];
    const counting = { query: <T>(sql: string, params?: unknown[]) => (sql.includes('INSERT') && writes.push(String(params?.[2])), ledger.query<T>(sql, params)) };
    const hb = new WorkerHeartbeat({ ledger: counting, rules, identity: '41@host-a', taskQueue: 'flywheel', intervalMs: 3_600_000, checkMs: CHECK_MS });
    hb.start();
    const first = rules.health().revision!.id;
    const [row] = await tickUntil((rs) => rs.length === 1, 'the first beat');
    expect(row).toEqual({
      identity: '41@host-a',
      task_queue: 'flywheel',
      rules_revision: first,
      rules_status: 'ok',
      shadow_source: null,
      shadow_revision: null,
      shadow_error: null,
      started_at: expect.any(Date),
      seen_at: expect.any(Date),
    });
    for (let i = 0; i < 5; i++) vi.advanceTimersByTime(CHECK_MS);

    edit(path.join(dir, 'icp.yaml'), 'description: Ideal-customer-profile tier', 'description: ICP tier');
    const second = rules.health().revision!.id;
    expect(second).not.toBe(first);
    await tickUntil((rs) => rs[0]?.rules_revision === second, `revision ${second}`);
    // Writes are in order: the unchanged looks before the change wrote nothing.
    expect(writes).toEqual([first, second]);

    await hb.stop();
    expect(await rows()).toEqual([]);
    expect(vi.getTimerCount()).toBe(0);
  });

  it('beats again every intervalMs while nothing changes, so readers see it is alive', async () => {
    const rules = new RulesCache(rulesCopy(), { config, recheckMs: 0, logger: quiet });
    const hb = new WorkerHeartbeat({ ledger, rules, identity: '42@host-b', taskQueue: 'flywheel', intervalMs: 20, checkMs: CHECK_MS });
    hb.start();
    const [first] = await tickUntil((rs) => rs.length === 1, 'the first beat');
    const [later] = await tickUntil((rs) => rs[0]!.seen_at.getTime() > first!.seen_at.getTime(), 'a later beat');
    expect(later!.started_at).toEqual(first!.started_at);
    await hb.stop();
    expect(vi.getTimerCount()).toBe(0);
  });

  it('reports the shadow, and that it cannot decide once its folder turns invalid', async () => {
    const live = rulesCopy();
    const candidate = rulesCopy();
    const rules = new RulesCache(live, { config, recheckMs: 0, logger: quiet });
    const shadow = new ShadowRules({ dir: candidate }, live, '/', config, {});
    const hb = new WorkerHeartbeat({ ledger, rules, shadow, identity: '43@host-c', taskQueue: 'flywheel', intervalMs: 3_600_000, checkMs: CHECK_MS });
    hb.start();
    const [ok] = await tickUntil((rs) => rs.length === 1, 'the first beat');
    expect(ok).toMatchObject({ shadow_source: `folder ${candidate}`, shadow_revision: expect.stringMatching(/^nogit\+[0-9a-f]{8}$/), shadow_error: null });

    edit(path.join(candidate, 'routing.yaml'), '{ var: lead.region }, [emea, apac]', '{ var: lead.regon }, [emea, apac]');
    const [bad] = await tickUntil((rs) => rs[0]?.shadow_error !== null, 'the shadow error');
    expect(bad!.shadow_error).toMatch(/refused .*\(1 error\)/);
    expect(bad!.shadow_error).toContain('undeclared fact "lead.regon"');
    expect(bad).toMatchObject({ rules_revision: ok!.rules_revision, rules_status: 'ok' });
    await hb.stop();
  });

  it('warns once while the ledger cannot be written, and keeps trying', async () => {
    const rules = new RulesCache(rulesCopy(), { config, recheckMs: 0, logger: quiet });
    let attempts = 0;
    const down = { query: async <T>(sql: string): Promise<T[]> => (sql.includes('INSERT') && attempts++, Promise.reject(new Error('connection refused'))) };
    const warnings: string[] = [];
    const hb = new WorkerHeartbeat({ ledger: down, rules, identity: '44@host-d', taskQueue: 'flywheel', checkMs: CHECK_MS, warn: (m) => warnings.push(m) });
    hb.start();
    await eventually(
      async () => (vi.advanceTimersByTime(CHECK_MS), attempts),
      (n) => n >= 3,
      'three attempts',
    );
    expect(warnings).toEqual([expect.stringMatching(/^worker heartbeat: cannot write this worker's rules revision to the ledger \(connection refused\)/)]);
    await hb.stop();
    expect(vi.getTimerCount()).toBe(0);
  });
});
