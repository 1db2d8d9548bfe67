// Open-loop load at a fixed rate: arrival i is due at t0 + i/rate whether or not earlier ones finished, so a slow
// system builds a backlog (visible) instead of quietly slowing the generator down (coordinated omission).
import { monitorEventLoopDelay } from 'node:perf_hooks';
import { setTimeout as sleep } from 'node:timers/promises';
import type { Marks } from './marks.ts';
import { processCpuSeconds, summarise, type Summary } from './stats.ts';

/** One arrival as the caller started it: `sent` is taken right before the request leaves. */
export interface Fired {
  id: string;
  sent: number;
  /** Resolves when the front door accepted it (HTTP 202, or signalWithStart resolved). */
  accepted: Promise<unknown>;
}

export interface StepOptions {
  rate: number;
  seconds: number;
  /** After the last arrival, how long stragglers may take before they count as incomplete. */
  drainMs: number;
  fire: (i: number) => Fired;
  /** Where the end moment of each arrival is marked (owner assigned / activity ran). */
  done: Marks;
  temporalPid?: number;
}

export interface StepResult {
  offered: number;
  seconds: number;
  sent: number;
  completed: number;
  failed: number;
  /** Completions per second from the first arrival's due time to the last completion. */
  achieved: number;
  /** Arrivals not yet complete when the offering ended. */
  backlogAtEnd: number;
  latencyMs: Summary;
  acceptMs: Summary;
  /** How late the generator sent arrivals (same event loop as the worker and API). */
  senderLagMs: Summary;
  eventLoopDelayP99Ms: number;
  /** From the first arrival's due time to the end of the drain. */
  wallSeconds: number;
  /** Cores in use (1 = one core busy), over the step including the drain. */
  cpu: { bench: number; temporal?: number };
  errors: string[];
}

export interface Sample {
  id: string;
  due: number;
  sent: number;
  accepted?: number;
  done?: number;
  error?: string;
}

export async function runStep(o: StepOptions): Promise<{ result: StepResult; samples: Sample[] }> {
  const n = Math.round(o.rate * o.seconds);
  const samples: Sample[] = [];
  const settled: Promise<unknown>[] = [];
  const loop = monitorEventLoopDelay({ resolution: 10 });
  loop.enable();
  const cpu0 = process.cpuUsage();
  const tcpu0 = processCpuSeconds(o.temporalPid);
  const t0 = performance.now() + 10;
  for (let i = 0; i < n; i++) {
    const due = t0 + (i * 1000) / o.rate;
    const wait = due - performance.now();
    if (wait >= 1) await sleep(wait);
    const f = o.fire(i);
    const s: Sample = { id: f.id, due, sent: f.sent };
    samples.push(s);
    const accepted = f.accepted.then(
      () => void (s.accepted = performance.now()),
      (e: Error) => void (s.error = e.message),
    );
    // A refused arrival will never be assigned: it settles with its error instead of waiting out the drain.
    settled.push(Promise.race([o.done.wait(s.id).then((t) => void (s.done = t)), accepted.then(() => (s.error ? undefined : new Promise(() => undefined)))]));
  }
  const offerEnd = performance.now();
  const backlogAtEnd = samples.filter((s) => s.done === undefined || s.done > offerEnd).length;
  const drain = new AbortController();
  await Promise.race([Promise.all(settled), sleep(o.drainMs, undefined, { signal: drain.signal }).catch(() => undefined)]);
  drain.abort();
  const end = performance.now();
  loop.disable();
  const cpu = process.cpuUsage(cpu0);
  const tcpu1 = processCpuSeconds(o.temporalPid);
  const wall = (end - t0) / 1000;

  const done = samples.filter((s) => s.done !== undefined);
  const lastDone = Math.max(...done.map((s) => s.done!));
  const errors = [...new Set(samples.flatMap((s) => (s.error ? [s.error] : [])))];
  const result: StepResult = {
    offered: o.rate,
    seconds: o.seconds,
    sent: samples.length,
    completed: done.length,
    failed: samples.filter((s) => s.error).length,
    achieved: done.length === 0 ? 0 : done.length / ((lastDone - t0) / 1000),
    backlogAtEnd,
    latencyMs: summarise(done.map((s) => s.done! - s.sent)),
    acceptMs: summarise(samples.flatMap((s) => (s.accepted === undefined ? [] : [s.accepted - s.sent]))),
    senderLagMs: summarise(samples.map((s) => s.sent - s.due)),
    eventLoopDelayP99Ms: loop.percentile(99) / 1e6,
    wallSeconds: wall,
    cpu: {
      bench: (cpu.user + cpu.system) / 1e6 / wall,
      temporal: tcpu0 === undefined || tcpu1 === undefined ? undefined : (tcpu1 - tcpu0) / wall,
    },
    errors,
  };
  return { result, samples };
}
