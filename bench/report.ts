// The bench's closing table, markdown so it pastes into an issue or PR as is.
import type { StepResult } from './load.ts';
import type { Summary } from './stats.ts';
import { renderImport, type ImportFigures } from './import.ts';
import { renderBurst, type BurstFigures } from './burst.ts';
import { renderOpenLeads, type OpenLeadsFigures } from './openLeads.ts';

export interface RateStep {
  rate: number;
  floor: StepResult;
  flywheel: StepResult;
  /** Medians in ms; NaN where that activity did not run (evaluate/assign: the old lead path, attract: the new one). */
  phases: { postTo202: number; postToEvaluateStart: number; evaluateToAssignStart: number; assignToCommit: number; postToAttractStart: number; attractToCommit: number };
  /** Run time of each activity during the Flywheel step (queueing before it started is not in it). */
  activities: Record<string, Summary>;
  /** Leads whose assignment named a rep (not a pool, not unassigned). */
  withOwner: number;
}

import type { Memory } from './stats.ts';
export type { Memory };

export interface Parameters {
  rates: number[];
  seconds: number;
  rounds: number;
  drainSeconds: number;
  lifecycles: number;
  warmupSeconds: number;
  import: number;
  importConcurrency: number;
  burst: number;
  burstConcurrency: number;
  burstBatch: number;
  /** Leads opened for memory per open lead (0: not measured); with openFromBurst, the burst's leads instead. */
  open: number;
  openFromBurst: boolean;
  stallSeconds: number;
  settleSeconds: number;
  /** How long the started stack sits idle before its idle memory is measured. */
  idleSeconds: number;
}

export interface BenchReport {
  machine: { cpus: number; cpuModel: string; memoryGiB: number; node: string; platform: string; loadAtStart: number[]; loadAtEnd: number[] };
  parameters: Parameters & {
    webhook: string;
    /** The rate after which the steps stopped: the floor saturated there. */
    stoppedAt?: number;
    /** The first rate where Flywheel saturated (the steps go on until the floor does). */
    flywheelSaturatedAt?: number;
    /** The worker options Flywheel sets (src/worker/createWorker.ts workerTuning). */
    worker?: Record<string, number>;
  };
  startupMs: { total: number; temporal: number; bundle: number; ledger: number; bundleBuilt?: boolean };
  steps: RateStep[];
  history: {
    lifecycle: Summary & { types: Record<string, number>; wallMs: number; closed: 'completed' | 'waiting' };
    atRest: Summary & { types: Record<string, number> };
    floor: { historyLength: number; types: Record<string, number> };
  };
  /** `started`: right after start; `idle`: after `idleSeconds` more of doing nothing (what an idle worker holds). */
  memory: { started: Memory; idle: Memory; afterWarmup: Memory; afterLoad: Memory; end: Memory; leadsOpen: number };
  /** `flywheel import` throughput beside the floor (bench/import.ts; absent with --import 0). */
  imports?: ImportFigures;
  burst?: BurstFigures;
  openLeads?: OpenLeadsFigures;
}

/** Saturated: arrivals left over after the drain, or completions falling behind what was offered. */
export const saturated = (r: StepResult) => r.completed < r.sent || r.achieved < 0.9 * r.offered;

const ms = (n: number) => (Number.isFinite(n) ? (n < 10 ? n.toFixed(1) : Math.round(n).toString()) : '-');
const x = (a: number, b: number) => (Number.isFinite(a / b) ? `${(a / b).toFixed(2)}x` : '-');
const load = (l: number[]) => l.map((v) => v.toFixed(2)).join(' ');
const cores = (n: number | undefined) => (n === undefined ? '-' : n.toFixed(2));

/** CPU time per arrival: the cost of one lead (or one floor run) however fast the machine is. */
export function cpuPerArrival(v: StepResult): { node: number; temporal: number; crm?: number } {
  const wall = v.wallSeconds * 1000;
  return { node: (v.cpu.bench * wall) / v.sent, temporal: ((v.cpu.temporal ?? NaN) * wall) / v.sent, ...(v.cpu.crm === undefined ? {} : { crm: (v.cpu.crm * wall) / v.sent }) };
}

const row = (cells: (string | number)[]) => `| ${cells.join(' | ')} |`;

/** History events grouped the way one reads them: per workflow task, per activity, per signal. */
function composition(types: Record<string, number>): string {
  const groups: Record<string, number> = {};
  for (const [t, n] of Object.entries(types)) {
    const g = t.startsWith('WorkflowTask') ? 'WorkflowTask*' : t.startsWith('ActivityTask') ? 'ActivityTask*' : t.startsWith('Timer') ? 'Timer*' : t;
    groups[g] = (groups[g] ?? 0) + n;
  }
  return Object.entries(groups)
    .sort((a, b) => b[1] - a[1])
    .map(([g, n]) => `${g} ${n}`)
    .join(', ');
}

/** The whole report; `goalsTable` (renderGoals of bench/goals.ts) goes right under the run's parameters. */
export function renderReport(r: BenchReport, goalsTable: string[] = []): string {
  const m = r.machine;
  const p = r.parameters;
  const out: string[] = [
    '## Flywheel bench: speed-to-lead and sustained leads/s vs the bare-Temporal floor',
    '',
    `machine: ${m.cpus} x ${m.cpuModel}, ${m.memoryGiB} GiB, ${m.platform}, node ${m.node}; load average ${load(m.loadAtStart)} at the start, ${load(m.loadAtEnd)} at the end (other processes count too)`,
    `parameters: open loop at ${p.rates.join(', ')} arrivals/s, ${p.seconds} s of each path per rate in ${p.rounds} alternating floor/Flywheel slices, ` +
      `after a ${p.warmupSeconds} s warm-up; up to ${p.drainSeconds} s drain per slice; the steps go on past Flywheel's saturation until the floor's` +
      `${p.flywheelSaturatedAt ? ` (Flywheel saturated at ${p.flywheelSaturatedAt}/s; before each later step its leftover leads got up to ${p.settleSeconds} s to finish)` : ''}` +
      `${p.stoppedAt ? `; stopped after ${p.stoppedAt}/s (floor saturated)` : ''}`,
    `params used: --rates ${p.rates.join(',')} --seconds ${p.seconds} --rounds ${p.rounds} --drain ${p.drainSeconds} --warmup ${p.warmupSeconds} --lifecycles ${p.lifecycles} ` +
      `--import ${p.import} --import-concurrency ${p.importConcurrency} --burst ${p.burst} --burst-concurrency ${p.burstConcurrency} --burst-batch ${p.burstBatch} --open ${p.openFromBurst ? 'burst' : p.open} --stall ${p.stallSeconds} --settle ${p.settleSeconds} --idle ${p.idleSeconds}`,
    `stack: in-memory Temporal dev server (child process), one worker (${Object.entries(p.worker ?? {})
      .map(([k, v]) => `${k} ${v}, `)
      .join('')}otherwise SDK defaults), ingest API, embedded ledger (PGlite) in this process; webhook ${p.webhook}`,
    `startup: ${ms(r.startupMs.total)} ms (dev server ${ms(r.startupMs.temporal)}, workflow bundle ${ms(r.startupMs.bundle)}${r.startupMs.bundleBuilt === undefined ? '' : r.startupMs.bundleBuilt ? ' built in a child process' : ' from the cache'}, ledger ${ms(r.startupMs.ledger)}, in parallel)`,
    '',
    ...goalsTable,
    '',
    'Latency in ms. Flywheel: POST /v1/events sent -> lead.assigned committed. Floor: signalWithStart sent -> its activity ran. ' +
      'achieved/s: completions per second between first and last completion of each slice; a rate counts as saturated when ' +
      'arrivals are left after the drain or achieved/s falls under 90% of offered. CPU per arrival includes idle background.',
    '',
    row(['offered/s', 'path', 'done/sent', 'achieved/s', 'p50', 'p90', 'p99', 'max', 'accepted p50', 'CPU ms/arrival node + temporal', 'cores used node / temporal', 'loop delay p99', 'send lag p99']),
    row(Array(13).fill('---')),
  ];
  for (const s of r.steps) {
    for (const [name, v] of [
      ['floor', s.floor],
      ['flywheel', s.flywheel],
    ] as const) {
      const l = v.latencyMs;
      const c = cpuPerArrival(v);
      out.push(
        row([
          s.rate,
          name,
          `${v.completed}/${v.sent}`,
          v.achieved.toFixed(1),
          ms(l.p50),
          ms(l.p90),
          ms(l.p99),
          ms(l.max),
          ms(v.acceptMs.p50),
          `${ms(c.node)} + ${ms(c.temporal)}`,
          `${cores(v.cpu.bench)} / ${cores(v.cpu.temporal)}`,
          ms(v.eventLoopDelayP99Ms),
          ms(v.senderLagMs.p99),
        ]),
      );
    }
    const f = s.floor.latencyMs;
    const w = s.flywheel.latencyMs;
    const cf = cpuPerArrival(s.floor);
    const cw = cpuPerArrival(s.flywheel);
    out.push(
      row([
        s.rate,
        '**Flywheel/floor**',
        '',
        x(s.flywheel.achieved, s.floor.achieved),
        x(w.p50, f.p50),
        x(w.p90, f.p90),
        x(w.p99, f.p99),
        x(w.max, f.max),
        x(s.flywheel.acceptMs.p50, s.floor.acceptMs.p50),
        x(cw.node + cw.temporal, cf.node + cf.temporal),
        '',
        '',
        '',
      ]),
    );
  }
  // The busiest rate that kept up: there the fixed background (idle polling, rules rechecks) weighs least per lead.
  const kept = r.steps.filter((s) => !saturated(s.flywheel)).at(-1) ?? r.steps[0];
  if (kept) {
    const cw = cpuPerArrival(kept.flywheel);
    const cf = cpuPerArrival(kept.floor);
    const total = (c: { node: number; temporal: number }) => c.node + c.temporal;
    out.push(
      '',
      `CPU per arrival at ${kept.rate}/s: a lead costs ${ms(total(cw))} ms (this process ${ms(cw.node)}, dev server ${ms(cw.temporal)}), the floor ${ms(total(cf))} ms: ` +
        `${x(total(cw), total(cf))}${cw.crm === undefined ? '' : ` (the CRM process that signed and posted the events, not counted: ${ms(cw.crm)} ms per event)`}. With all ${m.cpus} cores to itself that bounds this stack at about ${Math.round((m.cpus * 1000) / total(cw))} leads/s ` +
        `(floor ${Math.round((m.cpus * 1000) / total(cf))}/s); other load on the machine lowers both.`,
    );
  }
  const errors = r.steps.flatMap((s) => [...s.floor.errors, ...s.flywheel.errors]);
  if (errors.length > 0) out.push('', `errors: ${[...new Set(errors)].slice(0, 5).join('; ')}`);

  out.push('', "Where a lead's time goes (medians in ms from the POST; the parts overlap the 202, which comes after the signal and the receipt write):", '');
  // Old lead path: evaluateLead, then assignLead commits; new one: attractLead (the decision step) evaluates, places
  // and commits in one local activity. Columns for whichever ran (both, should a run mix them).
  const ran = (f: (p: RateStep['phases']) => number) => r.steps.some((s) => Number.isFinite(f(s.phases)));
  const attract = ran((p) => p.postToAttractStart);
  const split = ran((p) => p.postToEvaluateStart) || !attract;
  type Col = [string, (p: RateStep['phases']) => number];
  const oldCols: Col[] = [
    ['POST -> evaluateLead starts', (p) => p.postToEvaluateStart],
    ['evaluateLead -> assignLead starts', (p) => p.evaluateToAssignStart],
    ['assignLead -> committed', (p) => p.assignToCommit],
  ];
  const newCols: Col[] = [
    ['POST -> decision step starts', (p) => p.postToAttractStart],
    ['decision step -> committed', (p) => p.attractToCommit],
  ];
  const cols: Col[] = [['POST -> 202', (p) => p.postTo202], ...(split ? oldCols : []), ...(attract ? newCols : [])];
  out.push(row(['offered/s', ...cols.map((c) => c[0]), 'p50 total', 'owner named']));
  out.push(row(Array(cols.length + 3).fill('---')));
  for (const s of r.steps) out.push(row([s.rate, ...cols.map((c) => ms(c[1](s.phases))), ms(s.flywheel.latencyMs.p50), `${s.withOwner}/${s.flywheel.sent}`]));

  // In the order a lead runs them; anything else after.
  const order = ['attractLead', 'evaluateLead', 'assignLead', 'notifyCrm', 'startSlaClock', 'recordLedgerEvents'];
  const rank = (n: string) => (order.includes(n) ? order.indexOf(n) : order.length);
  const names = [...new Set(r.steps.flatMap((s) => Object.keys(s.activities)))].sort((a, b) => rank(a) - rank(b) || a.localeCompare(b));
  out.push('', 'Activity run time during the Flywheel step, p50 / p99 ms (runs):', '');
  out.push(row(['offered/s', ...names]), row(Array(names.length + 1).fill('---')));
  for (const s of r.steps) {
    out.push(
      row([
        s.rate,
        ...names.map((n) => {
          const a = s.activities[n];
          return a ? `${ms(a.p50)} / ${ms(a.p99)} (${a.n})` : '-';
        }),
      ]),
    );
  }

  const h = r.history;
  out.push('', 'History events per workflow (describe().historyLength):', '');
  out.push(row(['workflow', 'n', 'min', 'median', 'max', 'composition (the longest)']), row(Array(6).fill('---')));
  const after = h.lifecycle.closed === 'completed' ? 'then completed' : 'then waiting on its closed-lead grace timer';
  out.push(
    row([
      `lead, full lifecycle: created, assigned, owner touch (SLA met), meeting, opportunity, won; ${after}`,
      h.lifecycle.n,
      h.lifecycle.min,
      h.lifecycle.p50,
      h.lifecycle.max,
      composition(h.lifecycle.types),
    ]),
  );
  out.push(row(['lead at rest after the hand-off (waiting on its SLA timer)', h.atRest.n, h.atRest.min, h.atRest.p50, h.atRest.max, composition(h.atRest.types)]));
  out.push(row(['floor (signalWithStart, one activity, complete)', 1, h.floor.historyLength, h.floor.historyLength, h.floor.historyLength, composition(h.floor.types)]));
  out.push(
    '',
    `A full lifecycle took ${ms(h.lifecycle.wallMs)} ms of wall time (median of ${h.lifecycle.n} run at once, each event sent once the lead was done with the one before). An SLA breach needs hours of business time, so it is not run here (the time-skipping tests cover it).`,
  );

  const mem = r.memory;
  out.push('', `Memory of this process (worker + API + ledger) and of the Temporal dev server; ${mem.leadsOpen} leads open in the worker at the end:`, '');
  out.push(row(['moment', 'RSS MiB', 'heap used MiB', 'external MiB (WASM, buffers)', 'dev server RSS MiB']), row(Array(5).fill('---')));
  for (const [name, v] of [
    ['started', mem.started],
    [`idle (${p.idleSeconds} s after start)`, mem.idle],
    ['after warm-up', mem.afterWarmup],
    ['after the rate steps', mem.afterLoad],
    ['after the lifecycles', mem.end],
  ] as const) {
    out.push(row([name, Math.round(v.rssMiB), Math.round(v.heapUsedMiB), Math.round(v.externalMiB), v.temporalRssMiB === undefined ? '-' : Math.round(v.temporalRssMiB)]));
  }
  if (r.imports) out.push(...renderImport(r.imports));
  if (r.burst) out.push(...renderBurst(r.burst));
  if (r.openLeads) out.push(...renderOpenLeads(r.openLeads));
  return `${out.join('\n')}\n`;
}
