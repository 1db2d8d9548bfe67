import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { pickSmoothWeighted, type WrrCandidate } from '../../../src/routing/smoothWeightedRoundRobin.ts';

function run(weights: Record<string, number>, picks: number): string[] {
  let current = new Map<string, number>();
  const out: string[] = [];
  for (let i = 0; i < picks; i++) {
    const cands: WrrCandidate[] = Object.entries(weights).map(([rep, weight]) => ({ rep, weight, current: current.get(rep) ?? 0 }));
    const r = pickSmoothWeighted(cands)!;
    out.push(r.rep);
    current = r.next;
  }
  return out;
}

describe('smooth weighted round robin', () => {
  it('interleaves a 3:2:1 split instead of bunching', () => {
    expect(run({ a: 3, b: 2, c: 1 }, 6)).toEqual(['a', 'b', 'a', 'c', 'b', 'a']);
  });

  it('gives each rep exactly its share over whole cycles', () => {
    fc.assert(
      fc.property(fc.array(fc.integer({ min: 1, max: 5 }), { minLength: 1, maxLength: 6 }), fc.integer({ min: 1, max: 4 }), (ws, cycles) => {
        const weights = Object.fromEntries(ws.map((w, i) => [`r${i}`, w]));
        const total = ws.reduce((a, b) => a + b, 0);
        const picks = run(weights, total * cycles);
        ws.forEach((w, i) => expect(picks.filter((p) => p === `r${i}`)).toHaveLength(w * cycles));
      }),
    );
  });

  it('skips zero weights and answers null when nobody can take work', () => {
    expect(run({ a: 0, b: 1 }, 3)).toEqual(['b', 'b', 'b']);
    expect(pickSmoothWeighted([{ rep: 'a', weight: 0, current: 0 }])).toBeNull();
    expect(pickSmoothWeighted([])).toBeNull();
  });
});
