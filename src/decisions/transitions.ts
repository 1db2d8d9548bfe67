import type { Kind } from '../rules/kinds.ts';
import type { DecisionOutcomes } from '../rules/types.ts';
import { canonical } from './rows.ts';

/**
 * How one kind's outcome reads in a report: the part a reviewer compares (tier, status, queue, target...).
 * Two outcomes with the same label but other details (a reason text) are still a change, labelled as such.
 */
export function outcomeLabel(kind: Kind, outcome: unknown): string {
  if (outcome === null || outcome === undefined) return 'none';
  switch (kind) {
    case 'icp':
      return `tier ${(outcome as DecisionOutcomes['icp'])!.tier}`;
    case 'qualification':
      return (outcome as NonNullable<DecisionOutcomes['qualification']>).status;
    case 'disqualification': {
      const o = outcome as DecisionOutcomes['disqualification'];
      return o.disqualified ? `disqualified (${o.reasons.map((r) => r.code).join(', ')})` : 'not disqualified';
    }
    case 'data-quality': {
      const o = outcome as DecisionOutcomes['data-quality'];
      const fields = o.issues.map((i) => `${i.field}:${i.severity}`).join(', ');
      return o.blocking ? `blocked (${fields})` : o.issues.length ? `warned (${fields})` : 'clean';
    }
    case 'routing':
    case 'cs-routing': {
      const o = outcome as NonNullable<DecisionOutcomes['routing']>;
      return o.strategy === 'account-owner' ? `account owner (else ${o.fallbackQueue})` : `queue ${o.queue}`;
    }
    case 'sla': {
      const o = outcome as NonNullable<DecisionOutcomes['sla']>;
      return `target ${o.target}`;
    }
    case 'health': {
      const o = outcome as DecisionOutcomes['health'];
      return `${o.band} (${o.score})`;
    }
    case 'recycling':
      return `cooldown ${(outcome as NonNullable<DecisionOutcomes['recycling']>).cooldown}`;
    case 'handoff': {
      const o = outcome as DecisionOutcomes['handoff'];
      return o.required.length ? `requires ${o.required.map((r) => r.field).join(', ')}` : 'requires nothing';
    }
    case 'renewal':
      return `reminders ${(outcome as NonNullable<DecisionOutcomes['renewal']>).reminders.join(', ')}`;
    default:
      return canonical(outcome);
  }
}

export interface Transition {
  /** `tier B -> tier A`; `mql -> nurture`; `queue a -> queue b`. */
  label: string;
  from: string;
  to: string;
  /** What the change would have meant for the record, when it is more than the label says. */
  meaning?: string;
}

/** The change from one outcome to another of the same kind, or null when they are the same. */
export function transition(kind: Kind, before: unknown, after: unknown): Transition | null {
  if (canonical(before) === canonical(after)) return null;
  const from = outcomeLabel(kind, before);
  const to = outcomeLabel(kind, after);
  const label = from === to ? `${from} (other details)` : `${from} -> ${to}`;
  let meaning: string | undefined;
  if (kind === 'qualification' && from === 'mql' && to !== 'mql') meaning = 'would not have reached sales';
  else if (kind === 'qualification' && from !== 'mql' && to === 'mql') meaning = 'would have reached sales';
  else if (kind === 'disqualification' && from.startsWith('not') !== to.startsWith('not')) meaning = to.startsWith('not') ? 'would not have been disqualified' : 'would have been disqualified';
  return { label, from, to, ...(meaning ? { meaning } : {}) };
}

/** Rules that match under `after` but not `before` (newly), and the other way round (no longer). */
export function matchChanges(before: readonly string[], after: readonly string[]): { newly: string[]; noLonger: string[] } {
  const b = new Set(before);
  const a = new Set(after);
  return { newly: after.filter((r) => !b.has(r)), noLonger: before.filter((r) => !a.has(r)) };
}
