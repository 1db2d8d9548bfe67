import { rng } from './random.ts';

/**
 * When each of `count` leads arrives, in ms from the start, spread over `spanMs` like a Poisson process: gaps
 * are exponential, then scaled so the last lead arrives just before the span ends. Bursts and lulls included.
 */
export function arrivalTimes(seed: number, count: number, spanMs: number): number[] {
  const r = rng(seed, 0, 0);
  const gaps = Array.from({ length: count + 1 }, () => r.exponential(1));
  const total = gaps.reduce((s, g) => s + g, 0);
  const times: number[] = [];
  let t = 0;
  for (let i = 0; i < count; i++) {
    t += gaps[i]!;
    times.push(Math.round((t / total) * spanMs));
  }
  return times;
}
