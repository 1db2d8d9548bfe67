// A burst: N arrivals sent as fast as the front door takes them at bounded concurrency, then the time until every
// accepted one completed. Floor: N signal-with-starts of the one-activity workflow (done when its activity ran).
// Flywheel: N leads POSTed to /v1/events in batches (done when the lead.assigned row committed). Same run, same
// worker, same number of signal-with-starts in flight; the floor goes first. Wired from bench/leads.ts (--burst N).
import { setTimeout as sleep } from 'node:timers/promises';
import type { Marks } from './marks.ts';
import type { BenchStack } from './stack.ts';
import { processCpuSeconds, summarise, type Summary } from './stats.ts';
import { newLead, postBatch, startFloor } from './traffic.ts';

export interface BurstSide {
  n: number;
  /** Requests in flight at once, and arrivals per request. */
  lanes: number;
  batch: number;
  /** Arrivals the front door took (202 / signalWithStart resolved). */
  accepted: number;
  /** Arrivals refused (non-202, failed signalWithStart): counted, never retried, never waited for. */
  errors: number;
  errorSamples: string[];
  /** First send to the last answer. */
  postSeconds: number;
  acceptedPerSecond: number;
  /** Accepted arrivals that completed before the wait ended. */
  completed: number;
  /** First send to the last completion. */
  drainSeconds: number;
  achievedPerSecond: number;
  /** The wait gave up: no completion for the stall limit, accepted ones still missing. */
  stalled: boolean;
  /** CPU ms per accepted arrival, this process and the dev server, first send to the end of the wait. */
  cpuMsPerArrival: { node: number; temporal?: number };
  /** Leads whose assignment named a rep (Flywheel only). */
  withOwner?: number;
  /** Activity run times during the burst (Flywheel only). */
  activities?: Record<string, Summary>;
}

export interface BurstFigures {
  n: number;
  /** Signal-with-starts in flight at once, on both paths. */
  concurrency: number;
  floor: BurstSide;
  flywheel: BurstSide;
}

interface Plan {
  n: number;
  lanes: number;
  batch: number;
  /** Ids are `${prefix}${i}`: completions are counted by prefix, in a bitmap, not a promise or object per arrival. */
  prefix: string;
  done: Marks;
  /** Sends arrivals [from, to); answers how many the front door took, and why not the others. */
  send(from: number, to: number): Promise<{ accepted: number; error?: string }>;
  stallMs: number;
  temporalPid?: number;
  onDone?: (id: string) => void;
}

/** Sends the burst and waits until every accepted arrival completed (or completions stall). */
export async function runBurst(p: Plan): Promise<BurstSide> {
  const seen = new Uint8Array(p.n);
  let completed = 0;
  let lastDone = 0;
  const unlisten = p.done.listen((id, t) => {
    if (!id.startsWith(p.prefix)) return;
    const i = Number(id.slice(p.prefix.length));
    if (!(i >= 0 && i < p.n) || seen[i]) return;
    seen[i] = 1;
    completed++;
    lastDone = Math.max(lastDone, t);
    p.onDone?.(id);
  });
  const cpu0 = process.cpuUsage();
  const tcpu0 = processCpuSeconds(p.temporalPid);
  let accepted = 0;
  let errors = 0;
  const errorSamples = new Set<string>();
  let next = 0;
  const t0 = performance.now();
  const lane = async () => {
    for (let from = next; from < p.n; from = next) {
      const to = Math.min(p.n, from + p.batch);
      next = to;
      const r = await p.send(from, to);
      accepted += r.accepted;
      errors += to - from - r.accepted;
      if (r.error && errorSamples.size < 5) errorSamples.add(r.error);
    }
  };
  await Promise.all(Array.from({ length: p.lanes }, lane));
  const postEnd = performance.now();
  let stalled = false;
  for (let progress = performance.now(), had = -1; completed < accepted; await sleep(100)) {
    if (completed !== had) [had, progress] = [completed, performance.now()];
    else if (performance.now() - progress > p.stallMs) {
      stalled = true;
      break;
    }
  }
  unlisten();
  const cpu = process.cpuUsage(cpu0);
  const tcpu1 = processCpuSeconds(p.temporalPid);
  const drainSeconds = completed > 0 ? (lastDone - t0) / 1000 : NaN;
  const postSeconds = (postEnd - t0) / 1000;
  const per = (s: number) => (s * 1000) / Math.max(1, accepted);
  return {
    n: p.n,
    lanes: p.lanes,
    batch: p.batch,
    accepted,
    errors,
    errorSamples: [...errorSamples],
    postSeconds,
    acceptedPerSecond: accepted / postSeconds,
    completed,
    drainSeconds,
    achievedPerSecond: completed / drainSeconds,
    stalled,
    cpuMsPerArrival: { node: per((cpu.user + cpu.system) / 1e6), temporal: tcpu0 === undefined || tcpu1 === undefined ? undefined : per(tcpu1 - tcpu0) },
  };
}

/** Waits until no activity has finished for `quietMs` (the worker is done with what the last burst left), at most `maxMs`. */
export async function quiet(stack: BenchStack, quietMs = 3000, maxMs = 120_000): Promise<void> {
  const end = performance.now() + maxMs;
  let runs = stack.activityRuns();
  let since = performance.now();
  while (performance.now() < end && performance.now() - since < quietMs) {
    await sleep(250);
    if (stack.activityRuns() !== runs) [runs, since] = [stack.activityRuns(), performance.now()];
  }
}

/** N leads POSTed in batches with `concurrency` signal-with-starts in flight (the API signals a batch `sinkConcurrency` at a time). */
export async function leadBurst(stack: BenchStack, n: number, concurrency: number, batch: number, prefix: string, stallMs: number): Promise<BurstSide> {
  let withOwner = 0;
  stack.activityMs.clear();
  const side = await runBurst({
    n,
    batch,
    lanes: Math.max(1, Math.floor(concurrency / Math.min(batch, stack.sinkConcurrency))),
    prefix,
    done: stack.assigned,
    stallMs,
    temporalPid: stack.temporalPid,
    // The stack notes the owner before it marks the assignment.
    onDone: (id) => void (stack.owners.get(id) && withOwner++),
    send: (from, to) =>
      postBatch(
        stack,
        Array.from({ length: to - from }, (_, k) => newLead(`${prefix}${from + k}`)),
      ),
  });
  const activities = Object.fromEntries([...stack.activityMs].map(([name, runs]) => [name, summarise(runs)]));
  stack.activityMs.clear();
  stack.forget(prefix);
  return { ...side, withOwner, activities };
}

/** The same burst on the floor: one signal-with-start per lane at a time, `concurrency` lanes. */
export async function floorBurst(stack: BenchStack, n: number, concurrency: number, prefix: string, stallMs: number): Promise<BurstSide> {
  const side = await runBurst({
    n,
    batch: 1,
    lanes: concurrency,
    prefix,
    done: stack.pinged,
    stallMs,
    temporalPid: stack.temporalPid,
    send: (from) =>
      startFloor(stack, `${prefix}${from}`).accepted.then(
        () => ({ accepted: 1 }),
        (e: Error) => ({ accepted: 0, error: `signalWithStart failed: ${e.message}` }),
      ),
  });
  stack.forget(prefix);
  stack.activityMs.clear();
  return side;
}

/** `around` may wrap the Flywheel burst (memory per open lead measured on the burst's leads). */
export async function burstSection(
  stack: BenchStack,
  n: number,
  concurrency: number,
  batch: number,
  run: string,
  stallMs: number,
  around = (go: () => Promise<BurstSide>) => go(),
): Promise<BurstFigures> {
  process.stderr.write(`  burst: ${n} floor workflows, then ${n} leads, ${concurrency} signal-with-starts in flight...\n`);
  await quiet(stack);
  const floor = await floorBurst(stack, n, concurrency, `floor:burst-${run}-`, stallMs);
  process.stderr.write(`    floor: ${floor.completed}/${floor.n} in ${floor.drainSeconds.toFixed(1)} s (${floor.achievedPerSecond.toFixed(1)}/s)\n`);
  await quiet(stack);
  const flywheel = await around(() => leadBurst(stack, n, concurrency, batch, `B-${run}-`, stallMs));
  process.stderr.write(`    flywheel: ${flywheel.completed}/${flywheel.n} in ${flywheel.drainSeconds.toFixed(1)} s (${flywheel.achievedPerSecond.toFixed(1)}/s)\n`);
  return { n, concurrency, floor, flywheel };
}

export function renderBurst(b: BurstFigures): string[] {
  const f = b.floor;
  const w = b.flywheel;
  const s = (v: number) => (Number.isFinite(v) ? v.toFixed(1) : '-');
  const x = (a: number, c: number) => (Number.isFinite(a / c) ? `${(a / c).toFixed(2)}x` : '-');
  const row = (name: string, v: BurstSide) =>
    `| ${name} | ${v.lanes} x ${v.batch} | ${v.accepted}/${v.n} | ${v.errors} | ${s(v.postSeconds)} | ${s(v.acceptedPerSecond)} | ${v.completed}${v.stalled ? ' (stalled)' : ''} | ${s(v.drainSeconds)} | ${s(v.achievedPerSecond)} | ${s(v.cpuMsPerArrival.node)} + ${v.cpuMsPerArrival.temporal === undefined ? '-' : s(v.cpuMsPerArrival.temporal)} |`;
  const out = [
    '',
    `### Burst: ${b.n} arrivals as fast as the front door takes them (${b.concurrency} signal-with-starts in flight)`,
    '',
    'Floor first (signalWithStart of the one-activity workflow, one per lane), then Flywheel (signed POST /v1/events batches; the API signals up to its sink concurrency of a batch at once). ' +
      'post: first send to the last answer; drain: first send to the last completion (floor: activity ran; Flywheel: lead.assigned committed). Refused arrivals are counted as errors and not retried.',
    '',
    '| path | lanes x batch | accepted/sent | errors | post s | accepted/s | completed | drain s | achieved/s | CPU ms/arrival node + temporal |',
    '| --- | --- | --- | --- | --- | --- | --- | --- | --- | --- |',
    row('floor', f),
    row('flywheel', w),
    `| **Flywheel/floor** | | | | ${x(w.postSeconds, f.postSeconds)} | ${x(w.acceptedPerSecond, f.acceptedPerSecond)} | | ${x(w.drainSeconds, f.drainSeconds)} | ${x(w.achievedPerSecond, f.achievedPerSecond)} | ${x(w.cpuMsPerArrival.node + (w.cpuMsPerArrival.temporal ?? NaN), f.cpuMsPerArrival.node + (f.cpuMsPerArrival.temporal ?? NaN))} |`,
  ];
  if (w.withOwner !== undefined) out.push('', `Leads with a rep named: ${w.withOwner}/${w.completed}.`);
  const acts = Object.entries(w.activities ?? {});
  if (acts.length > 0) out.push(`Activity run time during the Flywheel burst, p50 / p99 ms (runs): ${acts.map(([n, a]) => `${n} ${s(a.p50)} / ${s(a.p99)} (${a.n})`).join('; ')}.`);
  const errs = [...f.errorSamples, ...w.errorSamples];
  if (errs.length > 0) out.push('', `burst errors (first of each): ${errs.join('; ')}`);
  return out;
}
