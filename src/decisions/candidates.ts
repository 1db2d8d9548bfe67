import type { Placement } from '../routing/assignmentStore.ts';
import type { RoutingCandidate } from './types.ts';

/** The verdict word for a skip reason as routing writes it (`<queue>: at capacity (3/3)`). */
function verdictOf(reason: string): RoutingCandidate['verdict'] {
  if (reason.startsWith('breached')) return 'excluded';
  if (reason.startsWith('at capacity')) return 'at-capacity';
  if (reason === 'outside-hours' || reason === 'out-of-office' || reason === 'inactive') return reason;
  return reason;
}

/**
 * Every rep routing looked at for one placement, in order, with why they were skipped or chosen: out of hours, out
 * of office, at capacity, inactive, excluded after a breach, eligible but not their weighted turn, or chosen.
 */
export function routingCandidates(p: Pick<Placement, 'rep' | 'queue' | 'skipped' | 'passed' | 'hold'>): RoutingCandidate[] {
  const out: RoutingCandidate[] = [];
  const seen = new Set<string>();
  const add = (c: RoutingCandidate) => {
    const k = `${c.queue}\0${c.rep}`;
    if (seen.has(k)) return;
    seen.add(k);
    out.push(c);
  };
  for (const s of p.skipped) {
    const i = s.reason.indexOf(': ');
    const queue = i >= 0 ? s.reason.slice(0, i) : p.queue;
    const why = i >= 0 ? s.reason.slice(i + 2) : s.reason;
    add({ rep: s.rep, queue, verdict: verdictOf(why), ...(why !== verdictOf(why) ? { detail: why } : {}) });
  }
  for (const c of p.hold?.candidates ?? []) add({ rep: c.rep, queue: c.queue, verdict: c.reason, ...(c.availableAt ? { detail: `available ${c.availableAt}` } : {}) });
  for (const c of p.passed ?? []) add({ rep: c.rep, queue: c.queue, verdict: 'weight-turn' });
  if (p.rep) add({ rep: p.rep, queue: p.queue, verdict: 'chosen' });
  return out;
}
