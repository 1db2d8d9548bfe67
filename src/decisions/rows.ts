import type { LedgerEvent } from '../ledger/types.ts';
import type { Kind } from '../rules/kinds.ts';
import type { Decision, Facts } from '../rules/types.ts';
import { accountWorkflowId, leadWorkflowId } from '../../workflows/definitions.ts';
import { decisionKey, shadowKey } from './keys.ts';
import type { DecisionRowData, DecisionSubject, RoutingCandidate, ShadowRowData } from './types.ts';

export interface DecisionExtras {
  at: string;
  /** The owner the decision gave the record (routing, CS routing), or the record's owner at the time. */
  owner?: string | null;
  stage?: string;
  result?: Record<string, unknown>;
  candidates?: RoutingCandidate[];
  source?: string | null;
}

function columns(s: DecisionSubject, x: DecisionExtras): Pick<LedgerEvent, 'leadId' | 'accountId' | 'workflowId' | 'owner' | 'stage' | 'occurredAt'> {
  const lead = s.entity === 'lead';
  return {
    occurredAt: x.at,
    // An account decision names its lead in data only: funnel metrics count leads by their lead_id rows.
    ...(lead ? { leadId: s.id } : { accountId: s.id }),
    workflowId: lead ? leadWorkflowId(s.id) : accountWorkflowId(s.id),
    ...(x.owner ? { owner: x.owner } : {}),
    ...(x.stage ? { stage: x.stage } : {}),
  };
}

/** The permanent record of one decision: outcome, matched rules, revision, inputs read and the complete facts. */
export function decisionRow(s: DecisionSubject, d: Decision, facts: Facts, x: DecisionExtras): LedgerEvent {
  const data: DecisionRowData = {
    kind: d.kind,
    entity: s.entity,
    occasion: s.occasion,
    matched: d.matched,
    outcome: d.outcome,
    ...(d.noMatch !== undefined ? { noMatch: d.noMatch } : {}),
    inputs: d.inputs,
    facts,
    ...(x.result ? { result: x.result } : {}),
    ...(x.candidates ? { candidates: x.candidates } : {}),
    ...(x.source !== undefined ? { source: x.source } : {}),
    ...(s.leadId ? { leadId: s.leadId } : {}),
  };
  return { key: decisionKey(s, d.kind), type: 'decision.recorded', ...columns(s, x), rulesRevision: d.revision.id, data: data as unknown as Record<string, unknown> };
}

/** A disagreement of the shadow revision with the live one, on the same facts; it changes nothing. */
export function shadowRow(s: DecisionSubject, live: Decision, shadow: Decision, facts: Facts, at: string): LedgerEvent {
  const data: ShadowRowData = {
    kind: live.kind,
    entity: s.entity,
    occasion: s.occasion,
    live: { revision: live.revision.id, matched: live.matched, outcome: live.outcome },
    shadow: { revision: shadow.revision.id, matched: shadow.matched, outcome: shadow.outcome },
    facts,
  };
  return { key: shadowKey(s, live.kind), type: 'decision.shadowed', ...columns(s, { at }), rulesRevision: live.revision.id, data: data as unknown as Record<string, unknown> };
}

/** Whether two decisions of one kind came out the same: the same rules matched with the same outcome. */
export function sameDecision(a: Pick<Decision, 'matched' | 'outcome'>, b: Pick<Decision, 'matched' | 'outcome'>): boolean {
  return canonical(a.matched) === canonical(b.matched) && canonical(a.outcome) === canonical(b.outcome);
}

/** JSON with object keys sorted, so equal values compare equal whatever their key order. */
export function canonical(v: unknown): string {
  return JSON.stringify(v, (_k, value: unknown) =>
    value && typeof value === 'object' && !Array.isArray(value) ? Object.fromEntries(Object.entries(value as Record<string, unknown>).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))) : value,
  );
}

export type { Kind };
