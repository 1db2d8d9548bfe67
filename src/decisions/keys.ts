import type { Kind } from '../rules/kinds.ts';
import type { DecisionSubject } from './types.ts';

/**
 * The one key builder for decision rows. A decision is keyed by its record, occasion and kind: a retried activity
 * writes the same key (the ledger keeps the first write), and the shadow row sits beside it.
 */
export function decisionKey(s: Pick<DecisionSubject, 'entity' | 'id' | 'occasion'>, kind: Kind): string {
  return `decision:${s.entity}:${s.id}:${s.occasion}:${kind}`;
}

export function shadowKey(s: Pick<DecisionSubject, 'entity' | 'id' | 'occasion'>, kind: Kind): string {
  return `${decisionKey(s, kind)}:shadow`;
}

/** Occasions, named once so live code, replay and tests agree. */
export const occasions = {
  attract: (at: string) => `attract:${at}`,
  route: (attempt: number) => `route:${attempt}`,
  clock: (n: number) => `clock:${n}`,
  recycle: (at: string) => `recycle:${at}`,
  handoff: (opportunityId: string) => `handoff:${opportunityId}`,
  cs: (attempt: number) => `cs:${attempt}`,
  kickoff: (n: number) => `kickoff:${n}`,
  health: (at: string) => `health:${at}`,
  renewal: (contractEnd: string, at: string) => `renewal:${contractEnd}:${at}`,
} as const;
