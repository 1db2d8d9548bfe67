// The performance issue's goals, each as the measured figure beside the floor's from the same run: the table at the top of the report.
import { cpuPerArrival, saturated, type BenchReport } from './report.ts';

export interface Goal {
  goal: string;
  measured: number;
  /** The floor's figure, where the goal is relative to it (or the floor has a comparable one). */
  floor?: number;
  /** measured / floor, where both exist. */
  ratio?: number;
  unit: string;
  /** undefined: a figure to measure and print, with no threshold. */
  pass?: boolean;
  note: string;
}

export function goals(r: BenchReport): Goal[] {
  const out: Goal[] = [];
  const ratio = (a: number, b: number | undefined) => (b === undefined || !Number.isFinite(a / b) ? undefined : a / b);
  const relative = (goal: string, measured: number, floor: number, unit: string, max: number, note: string, atLeast = false) => {
    const q = ratio(measured, floor);
    out.push({ goal, measured, floor, ratio: q, unit, pass: q === undefined ? false : atLeast ? q >= max : q <= max, note });
  };
  const absolute = (goal: string, measured: number, unit: string, max: number | undefined, note: string, floor?: number) =>
    out.push({ goal, measured, floor, ratio: ratio(measured, floor), unit, pass: max === undefined ? undefined : measured <= max, note });

  const s6 = r.steps.find((s) => s.rate === 6) ?? r.steps[0];
  if (s6) {
    const at = `at ${s6.rate}/s${s6.rate === 6 ? '' : ' (no 6/s step: the first rate)'}`;
    relative('speed-to-lead p50 <= 2x floor', s6.flywheel.latencyMs.p50, s6.floor.latencyMs.p50, 'ms', 2, at);
    relative('speed-to-lead p99 <= 3x floor', s6.flywheel.latencyMs.p99, s6.floor.latencyMs.p99, 'ms', 3, at);
  }
  // Each path's capacity is the best rate it achieved over the steps. Comparing both at one offered rate would
  // compare against the floor's collapse past its capacity (at 64/s on 2 cores it fell to 30/s, p50 2.6 s) instead of
  // against the floor itself, so the ratio would swing with the rate grid.
  const best = (side: 'floor' | 'flywheel') =>
    r.steps.reduce<{ rate: number; achieved: number } | undefined>((b, s) => (b && b.achieved >= s[side].achieved ? b : { rate: s.rate, achieved: s[side].achieved }), undefined);
  const floorBest = best('floor');
  const flywheelBest = best('flywheel');
  if (floorBest && flywheelBest) {
    const sat = r.steps.find((s) => saturated(s.floor));
    const where = `best achieved of each path: Flywheel at ${flywheelBest.rate}/s offered, floor at ${floorBest.rate}/s offered`;
    const note = sat ? `${where}; the floor saturated at ${sat.rate}/s` : `${where}; the floor never saturated up to ${r.steps.at(-1)!.rate}/s, so its capacity is at least this`;
    if (sat) relative('sustained throughput >= 80% of floor (each at its capacity)', flywheelBest.achieved, floorBest.achieved, '/s', 0.8, note, true);
    // Without the floor's capacity there is nothing to hold Flywheel's against: a figure, not a verdict.
    else absolute('sustained throughput >= 80% of floor (each at its capacity)', flywheelBest.achieved, '/s', undefined, `${note}: offer higher --rates for a verdict`, floorBest.achieved);
  }
  // As the report's CPU line: the busiest rate Flywheel kept up at, both paths at that same rate.
  const kept = r.steps.filter((s) => !saturated(s.flywheel)).at(-1) ?? r.steps[0];
  if (kept) {
    const total = (c: { node: number; temporal: number }) => c.node + c.temporal;
    const keptNote = r.steps.some((s) => !saturated(s.flywheel)) ? 'the busiest rate Flywheel kept up at' : 'Flywheel kept up at no rate: the first one';
    relative('CPU per lead <= 1.3x floor', total(cpuPerArrival(kept.flywheel)), total(cpuPerArrival(kept.floor)), 'ms', 1.3, `at ${kept.rate}/s, ${keptNote}; this process + dev server`);
  }
  const h = r.history;
  absolute('history events, full lifecycle <= 40', h.lifecycle.max, 'events', 40, `worst of ${h.lifecycle.n}; floor: its whole (completed) workflow`, h.floor.historyLength);
  absolute('history events, lead at rest after the hand-off <= 15', h.atRest.max, 'events', 15, `worst of ${h.atRest.n}`, h.floor.historyLength);
  absolute(
    'worker + API + ledger RSS idle <= 400 MiB',
    r.memory.idle.rssMiB,
    'MiB',
    400,
    `this process ${r.parameters.idleSeconds} s after start, idle, after a full GC (right after start: ${Math.round(r.memory.started.rssMiB)} MiB; after the warm-up: ${Math.round(r.memory.afterWarmup.rssMiB)} MiB); no floor process`,
  );
  if (r.openLeads) {
    const o = r.openLeads;
    absolute(
      'memory per 1,000 open leads (measured)',
      o.perThousand.rssMiB,
      'MiB RSS',
      undefined,
      `${o.open} open leads (${o.source === 'burst' ? "the Flywheel burst's" : 'a separate batch'}); dev server ${o.perThousand.temporalRssMiB?.toFixed(2) ?? '-'} MiB per 1,000`,
    );
  } else out.push({ goal: 'memory per 1,000 open leads (measured)', measured: NaN, unit: 'MiB RSS', note: 'not run (--open 0)' });
  if (r.burst) {
    const b = r.burst;
    const note = `${b.flywheel.completed}/${b.n} leads assigned in ${b.flywheel.drainSeconds.toFixed(1)} s, floor ${b.floor.completed}/${b.n} in ${b.floor.drainSeconds.toFixed(1)} s; errors ${b.flywheel.errors} / ${b.floor.errors}`;
    absolute(`burst of ${b.n}: achieved rate (measured)`, b.flywheel.achievedPerSecond, '/s', undefined, note, b.floor.achievedPerSecond);
  } else out.push({ goal: 'burst: achieved rate (measured)', measured: NaN, unit: '/s', note: 'not run (--burst 0)' });
  return out;
}

export function renderGoals(list: Goal[]): string[] {
  const f = (v: number | undefined) => (v === undefined || !Number.isFinite(v) ? '-' : Math.abs(v) >= 100 ? Math.round(v).toString() : v.toFixed(v < 10 ? 2 : 1));
  const verdict = (g: Goal) => (Number.isNaN(g.measured) ? 'not run' : g.pass === undefined ? 'measured' : g.pass ? 'PASS' : '**MISS**');
  return [
    '### Goals (issue targets; measured beside the floor in this run)',
    '',
    '| goal | measured | floor | ratio | result | where |',
    '| --- | --- | --- | --- | --- | --- |',
    ...list.map(
      (g) =>
        `| ${g.goal} | ${f(g.measured)} ${g.unit} | ${g.floor === undefined ? '-' : `${f(g.floor)} ${g.unit}`} | ${g.ratio === undefined ? '-' : `${g.ratio.toFixed(2)}x`} | ${verdict(g)} | ${g.note} |`,
    ),
  ];
}
