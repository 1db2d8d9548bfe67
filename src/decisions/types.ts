import type { Kind } from '../rules/kinds.ts';

/** Whose decision: a lead (Attract, Engage) or a customer account (Delight). */
export type DecisionEntity = 'lead' | 'account';

/**
 * What a decision was about and which occasion of that record it was (`attract:<at>`, `route:<attempt>`,
 * `clock:<n>`, ...). The occasion keys the row, so a retried activity writes the same row once; decisions that
 * belong together (the four Attract kinds of one evaluation) share it.
 */
export interface DecisionSubject {
  entity: DecisionEntity;
  id: string;
  occasion: string;
  /** Set on account decisions that came from a lead (the won deal's lead). */
  leadId?: string;
}

/** Why a rep did or did not get a record, in the order routing looked at them. */
export interface RoutingCandidate {
  rep: string;
  queue: string;
  /** `chosen`, `weight-turn` (eligible, another rep's turn), or why they could not take it. */
  verdict: 'chosen' | 'weight-turn' | 'outside-hours' | 'out-of-office' | 'at-capacity' | 'inactive' | 'excluded' | 'not-a-member' | (string & {});
  detail?: string;
}

/** The `data` of a `decision.recorded` row: enough to explain the decision and to decide it again later. */
export interface DecisionRowData {
  kind: Kind;
  entity: DecisionEntity;
  occasion: string;
  matched: string[];
  outcome: unknown;
  noMatch?: string;
  /** Every facts path the rules read, with the value seen. */
  inputs: Record<string, unknown>;
  /** The complete facts the engine was given. */
  facts: Record<string, unknown>;
  /** What the workflow did with it: owner, queue, deadline, status... (kind-specific, for `why`). */
  result?: Record<string, unknown>;
  /** Routing and CS routing: every rep looked at, and why they were chosen or skipped. */
  candidates?: RoutingCandidate[];
  /** The lead's source (marketing metrics read it from Attract decisions). */
  source?: string | null;
  /** An account decision that came from a lead: that lead. */
  leadId?: string;
  /** Set by `flywheel ledger forget`: its personal facts were erased, so deciding it again would not be faithful. */
  erasedAt?: string;
}

/** The `data` of a `decision.shadowed` row: the shadow revision decided the same facts differently. */
export interface ShadowRowData {
  kind: Kind;
  entity: DecisionEntity;
  occasion: string;
  live: { revision: string; matched: string[]; outcome: unknown };
  shadow: { revision: string; matched: string[]; outcome: unknown };
  facts: Record<string, unknown>;
}

/** A decision as read back from the ledger. */
export interface StoredDecision extends DecisionRowData {
  key: string;
  at: string;
  entityId: string;
  revision: string | null;
  owner: string | null;
}
