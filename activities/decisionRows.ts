import { decisionRow, sameDecision, shadowRow, type DecisionExtras } from '../src/decisions/rows.ts';
import type { DecisionSubject } from '../src/decisions/types.ts';
import type { LedgerEvent } from '../src/ledger/types.ts';
import type { Decision, Facts } from '../src/rules/types.ts';
import type { ActivityDeps } from './deps.ts';

/**
 * The ledger rows of one live decision: its permanent record and, when a shadow revision is configured and
 * decides the same facts differently, the disagreement. The shadow only ever adds a row: it never changes the
 * decision, and a shadow that fails is reported in health, not raised here.
 */
export function decisionRows(deps: Pick<ActivityDeps, 'shadow'>, subject: DecisionSubject, decision: Decision, facts: Facts, extras: DecisionExtras): LedgerEvent[] {
  const rows = [decisionRow(subject, decision, facts, extras)];
  const shadow = deps.shadow;
  if (!shadow) return rows;
  try {
    const engine = shadow.get();
    if (!engine?.has(decision.kind)) return rows;
    const other = engine.decide(decision.kind, facts);
    if (!sameDecision(decision, other)) rows.push(shadowRow(subject, decision, other, facts, extras.at));
  } catch (e) {
    shadow.failed(e);
  }
  return rows;
}
