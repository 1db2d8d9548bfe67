export interface WrrCandidate {
  rep: string;
  weight: number;
  /** Carried between picks; starts at 0. */
  current: number;
}

/**
 * Smooth weighted round robin (as in nginx): every candidate gains its weight, the highest wins and pays back the
 * total. Over any window the split follows the weights and picks interleave (a 2:1 split goes A B A, not A A B).
 * Ties break on rep id so the result never depends on row order.
 */
export function pickSmoothWeighted(candidates: readonly WrrCandidate[]): { rep: string; next: Map<string, number> } | null {
  const live = candidates.filter((c) => c.weight > 0);
  if (live.length === 0) return null;
  const total = live.reduce((sum, c) => sum + c.weight, 0);
  const next = new Map<string, number>();
  let best: { rep: string; current: number } | null = null;
  for (const c of live) {
    const current = c.current + c.weight;
    next.set(c.rep, current);
    if (!best || current > best.current || (current === best.current && c.rep < best.rep)) best = { rep: c.rep, current };
  }
  next.set(best!.rep, best!.current - total);
  return { rep: best!.rep, next };
}
