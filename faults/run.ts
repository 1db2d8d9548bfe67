// The fault suite: the production layout on this machine (see layout.ts), five phases that each stop by themselves
// (duplicates, worker kills, a Temporal outage, a seeded fuzzer, rules broken at runtime), then the figures.
// Exit 0 only when nothing was lost, duplicated or stuck and every bad request got a 4xx problem+json.
// Run: npm run faults [-- --quick] [-- --seed 7] [-- --keep]   (docs/faults.md)
import { randomBytes } from 'node:crypto';
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { badRules } from './badRules.ts';
import { duplicates } from './duplicates.ts';
import { fuzz } from './fuzz.ts';
import { startLayout, type Layout } from './layout.ts';
import { assignmentRows, stuckWorkflows, visibleOutcome, waitForOutcomes } from './outcomes.ts';
import type { PhaseContext, PhaseResult, Sizes } from './phase.ts';
import { failed, renderFaults, type PhaseOutcome, type RunFigures } from './report.ts';
import { temporalOutage } from './temporalOutage.ts';
import { workerKills } from './workerKills.ts';

const flag = (name: string) => process.argv.includes(`--${name}`);
const arg = (name: string) => {
  const i = process.argv.indexOf(`--${name}`);
  return i > 0 ? process.argv[i + 1] : undefined;
};
const quick = flag('quick');
const seed = Number(arg('seed') ?? '1');
if (!Number.isInteger(seed)) throw new Error('--seed must be an integer');

const SIZES: Record<'full' | 'quick', Sizes> = {
  full: {
    duplicateLeads: 200,
    killLeads: 300,
    killRate: 5,
    killEverySeconds: 10,
    outageLeadRate: 4,
    outageSeconds: 15,
    outageMarginSeconds: 6,
    fuzzRequests: 3_000,
    rulesLeadsPerBreak: 10,
    settleSeconds: 90,
    seed,
  },
  quick: {
    duplicateLeads: 30,
    killLeads: 80,
    killRate: 5,
    killEverySeconds: 4,
    outageLeadRate: 4,
    outageSeconds: 8,
    outageMarginSeconds: 3,
    fuzzRequests: 600,
    rulesLeadsPerBreak: 4,
    settleSeconds: 60,
    seed,
  },
};
const sizes = SIZES[quick ? 'quick' : 'full'];
/** An activity or workflow task past this many attempts is retrying something that will not succeed. */
const STUCK_AFTER_ATTEMPTS = 5;

const log = (m: string) => process.stderr.write(`${m}\n`);

function secretsInLogs(layout: Layout): string[] {
  const found: string[] = [];
  for (const f of readdirSync(layout.logsDir)) {
    const text = readFileSync(path.join(layout.logsDir, f), 'utf8');
    layout.secrets.forEach((s, i) => {
      if (s && text.includes(s)) found.push(`secret #${i + 1} (${['ingest secret', 'health token', 'database password'][i]}) appears in logs/${f}`);
    });
  }
  return found;
}

async function main(layout: Layout, t0: number): Promise<RunFigures> {
  const notes: string[] = [];
  const ctx: PhaseContext = { layout, sizes, run: randomBytes(3).toString('hex'), note: (m) => notes.push(m) };
  const results: PhaseResult[] = [];
  for (const [name, phase] of [
    ['a duplicates', duplicates],
    ['b worker kills', workerKills],
    ['c Temporal outage', temporalOutage],
    ['d fuzz', fuzz],
    ['e bad rules', badRules],
  ] as const) {
    log(`phase ${name}...`);
    const p0 = performance.now();
    try {
      const r = await phase(ctx);
      results.push(r);
      log(`  ${(r.ms / 1000).toFixed(1)} s, ${r.sent} sent, ${r.accepted.length} accepted${r.failures.length ? `, ${r.failures.length} failure(s)` : ''}`);
    } catch (e) {
      results.push({ name, ms: performance.now() - p0, sent: 0, accepted: [], figures: {}, failures: [`phase threw: ${(e as Error).stack ?? e}`] });
      log(`  threw: ${(e as Error).message}`);
    }
  }

  log(`waiting up to ${sizes.settleSeconds} s for every accepted lead to reach an outcome...`);
  const s0 = performance.now();
  const all = results.flatMap((r) => r.accepted);
  const states = await waitForOutcomes(layout.client, all, sizes.settleSeconds * 1000);
  const rows = await assignmentRows(layout.db, all);
  const settleMs = performance.now() - s0;
  log('describing running workflows...');
  const stuck = await stuckWorkflows(layout.client, STUCK_AFTER_ATTEMPTS);

  const phases: PhaseOutcome[] = results.map((result) => {
    const ids = [...new Set(result.accepted)];
    const outcomes: Record<string, number> = {};
    for (const id of ids) {
      const o = visibleOutcome(states.get(id)) ?? 'none';
      outcomes[o] = (outcomes[o] ?? 0) + 1;
    }
    return {
      result,
      lost: ids.filter((id) => !visibleOutcome(states.get(id))),
      duplicated: ids.filter((id) => (rows.get(id) ?? 0) > 1),
      noRow: ids.filter((id) => visibleOutcome(states.get(id)) === 'assigned' && !rows.get(id)),
      outcomes,
    };
  });
  const failures = [
    ...results.flatMap((r) => r.failures.map((f) => `${r.name}: ${f}`)),
    ...[layout.serve, ...layout.workers].flatMap((p) => p.unexpectedExits.map((e) => `unexpected exit: ${e}`)),
    ...secretsInLogs(layout),
  ];
  for (const n of notes) log(n);
  return {
    mode: quick ? 'quick' : 'full',
    seed,
    startupMs: layout.startupMs,
    settleMs,
    totalMs: performance.now() - t0,
    phases,
    stuck: { ...stuck, maxAttempts: STUCK_AFTER_ATTEMPTS },
    fiveXxOnBadInput: results.reduce((n, r) => n + (r.badInput?.fiveXx ?? 0), 0),
    nonProblem: results.reduce((n, r) => n + (r.badInput?.nonProblem ?? 0), 0),
    failures,
  };
}

const t0 = performance.now();
log(`starting the production layout (${quick ? 'quick' : 'full'} run, seed ${seed})...`);
const layout = await startLayout();
log(`  up in ${(layout.startupMs / 1000).toFixed(1)} s: API ${layout.apiUrl}, Temporal ${layout.temporalAddress}, logs ${layout.logsDir}`);
let stopping = false;
const interrupted = () => {
  if (stopping) process.exit(130);
  stopping = true;
  void layout.stop(flag('keep')).finally(() => process.exit(130));
};
process.once('SIGINT', interrupted);
process.once('SIGTERM', interrupted);
let figures: RunFigures | undefined;
try {
  figures = await main(layout, t0);
} finally {
  const keep = flag('keep') || !figures || failed(figures);
  await layout.stop(keep);
  if (keep) log(`logs and data kept in ${layout.dir}`);
}
process.stdout.write(renderFaults(figures));
process.exitCode = failed(figures) ? 1 : 0;
