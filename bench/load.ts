// Open-loop load at a fixed rate: arrival i is due at t0 + i/rate whether or not earlier ones finished, so a slow
// system builds a backlog (visible) instead of quietly slowing the generator down (coordinated omission).
import { monitorEventLoopDelay } from 'node:perf_hooks';
import { setTimeout as sleep } from 'node:timers/promises';
import type { Marks } from './marks.ts';
import { processCpuSeconds, summarise, type Summary } from './stats.ts';

/** One arrival as the caller started it: `sent` is taken right before the request leaves this process. */
export interface Fired {
  id: string;
  sent: number;
  /** When another process sent it (the bench's CRM), once that process says so: replaces `sent`. */
  sentAt?: Promise<number | undefined>;
  /** Resolves when the front door accepted it (HTTP 202, or signalWithStart resolved). */
  accepted: Promise<unknown>;
}

export interface SliceOptions {
  rate: number;
  seconds: number;
  /** After the last arrival, how long stragglers may take before they count as incomplete. */
  drainMs: number;
  fire: (i: number) => Fired;
  /** Where the end moment of each arrival is marked (owner assigned / activity ran). */
  done: Marks;
  temporalPid?: number;
  /** The bench's CRM process (bench/crm.ts): its CPU is reported beside, never counted as Flywheel's. */
  crmPid?: number;
}

export interface Sample {
  id: string;
  due: number;
  sent: number;
  accepted?: number;
  done?: number;
  error?: string;
}

/** One slice of load at one rate, in figures that add up across slices. */
export interface Slice {
  samples: Sample[];
  /** First completion to the last: the span over which `completed - 1` completions departed. */
  departureMs: number;
  departures: number;
  /** First arrival's due time to the end of the drain. */
  wallMs: number;
  cpuSeconds: number;
  temporalCpuSeconds?: number;
  crmCpuSeconds?: number;
  eventLoopDelayP99Ms: number;
  /** Arrivals not yet complete when the offering ended. */
  backlogAtEnd: number;
}

export async function runSlice(o: SliceOptions): Promise<Slice> {
  const n = Math.round(o.rate * o.seconds);
  const samples: Sample[] = [];
  const settled: Promise<unknown>[] = [];
  const loop = monitorEventLoopDelay({ resolution: 10 });
  loop.enable();
  const cpu0 = process.cpuUsage();
  const tcpu0 = processCpuSeconds(o.temporalPid);
  const ccpu0 = processCpuSeconds(o.crmPid);
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
    const sentAt = f.sentAt?.then((t) => void (t !== undefined && (s.sent = t)));
    // A refused arrival will never complete: it settles with its error instead of waiting out the drain.
    const finished = Promise.race([o.done.wait(s.id).then((t) => void (s.done = t)), accepted.then(() => (s.error ? undefined : new Promise(() => undefined)))]);
    settled.push(Promise.all([finished, sentAt]));
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
  const ccpu1 = processCpuSeconds(o.crmPid);
  const done = samples.flatMap((s) => (s.done === undefined ? [] : [s.done]));
  return {
    samples,
    departureMs: done.length < 2 ? 0 : Math.max(...done) - Math.min(...done),
    departures: Math.max(0, done.length - 1),
    wallMs: end - t0,
    cpuSeconds: (cpu.user + cpu.system) / 1e6,
    temporalCpuSeconds: tcpu0 === undefined || tcpu1 === undefined ? undefined : tcpu1 - tcpu0,
    crmCpuSeconds: ccpu0 === undefined || ccpu1 === undefined ? undefined : ccpu1 - ccpu0,
    eventLoopDelayP99Ms: loop.percentile(99) / 1e6,
    backlogAtEnd,
  };
}

export interface StepResult {
  offered: number;
  seconds: number;
  /** How many slices the step was cut into (alternating with the other path). */
  slices: number;
  sent: number;
  completed: number;
  failed: number;
  /**
   * Departure rate: completions per second between each slice's first and last completion. A system that keeps up
   * departs at the offered rate whatever its latency; a saturated one at its service rate.
   */
  achieved: number;
  /** Arrivals not yet complete when their slice's offering ended. */
  backlogAtEnd: number;
  latencyMs: Summary;
  acceptMs: Summary;
  /** How late the generator sent arrivals (same event loop as the worker and API). */
  senderLagMs: Summary;
  /** The worst slice's p99. */
  eventLoopDelayP99Ms: number;
  /** Sum over slices, each from the first arrival's due time to the end of its drain. */
  wallSeconds: number;
  /** Cores in use (1 = one core busy), over the slices including their drains. */
  cpu: { bench: number; temporal?: number; crm?: number };
  errors: string[];
}

export function combine(rate: number, slices: Slice[]): StepResult {
  const samples = slices.flatMap((s) => s.samples);
  const done = samples.filter((s) => s.done !== undefined);
  const wall = slices.reduce((t, s) => t + s.wallMs, 0) / 1000;
  const span = slices.reduce((t, s) => t + s.departureMs, 0) / 1000;
  const departures = slices.reduce((t, s) => t + s.departures, 0);
  const temporal = slices.every((s) => s.temporalCpuSeconds !== undefined) ? slices.reduce((t, s) => t + s.temporalCpuSeconds!, 0) : undefined;
  const crm = slices.every((s) => s.crmCpuSeconds !== undefined) ? slices.reduce((t, s) => t + s.crmCpuSeconds!, 0) : undefined;
  return {
    offered: rate,
    seconds: samples.length / rate,
    slices: slices.length,
    sent: samples.length,
    completed: done.length,
    failed: samples.filter((s) => s.error).length,
    achieved: span > 0 ? departures / span : 0,
    backlogAtEnd: slices.reduce((t, s) => t + s.backlogAtEnd, 0),
    latencyMs: summarise(done.map((s) => s.done! - s.sent)),
    acceptMs: summarise(samples.flatMap((s) => (s.accepted === undefined ? [] : [s.accepted - s.sent]))),
    senderLagMs: summarise(samples.map((s) => s.sent - s.due)),
    eventLoopDelayP99Ms: Math.max(...slices.map((s) => s.eventLoopDelayP99Ms)),
    wallSeconds: wall,
    cpu: {
      bench: slices.reduce((t, s) => t + s.cpuSeconds, 0) / wall,
      temporal: temporal === undefined ? undefined : temporal / wall,
      ...(crm === undefined ? {} : { crm: crm / wall }),
    },
    errors: [...new Set(samples.flatMap((s) => (s.error ? [s.error] : [])))],
  };
}
