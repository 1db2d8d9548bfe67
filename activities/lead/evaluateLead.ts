import type { AttractResult } from '../../workflows/lead/types.ts';
import type { LedgerEvent } from '../../src/ledger/types.ts';
import { decideAttract } from '../../src/decisions/attract.ts';
import { occasions } from '../../src/decisions/keys.ts';
import { toRecord } from './decisionRecord.ts';
import { decisionRows } from '../decisionRows.ts';
import type { ActivityDeps } from '../deps.ts';
import { accountFacts, leadFacts } from './facts.ts';

export interface EvaluateLeadRequest {
  leadId: string;
  lead: Record<string, unknown>;
  at: string;
  /** Write the four decisions' permanent records here (runs from before this wrote them from the workflow). */
  record?: boolean;
}

/**
 * Attract: data quality, disqualifiers, ICP tier and qualification, decided by the rules at their current
 * revision (a rules change reaches a running lead here, at its next decision). Returns the decisions' rows
 * unwritten, so the caller writes them with whatever they cause.
 */
export async function attractDecision(deps: ActivityDeps, req: Omit<EvaluateLeadRequest, 'record'>): Promise<{ result: AttractResult; rows: LedgerEvent[]; account: Record<string, unknown> }> {
  const engine = deps.rules.get();
  const lead = leadFacts(req.leadId, req.lead);
  const account = await accountFacts(deps.ledger, lead.domain);
  const base = { now: req.at, lead, account };
  const a = decideAttract(engine, base);
  const decided = [a.quality, a.disqualification, a.icp, a.qualification];
  const subject = { entity: 'lead' as const, id: req.leadId, occasion: occasions.attract(req.at) };
  const source = typeof req.lead.source === 'string' ? req.lead.source : null;
  const recorded = { status: a.status, tier: a.tier, missingFields: a.missingFields };
  const rows = decided.flatMap((d) => decisionRows(deps, subject, d, d === a.qualification ? a.facts.qualification : a.facts.base, { at: req.at, stage: 'Attract', source, result: recorded }));
  const result: AttractResult = {
    decisions: decided.map((d) => toRecord(d, req.at)),
    blockedBy: a.blockedBy,
    disqualified: a.disqualified,
    tier: a.tier,
    status: a.status,
    missingFields: a.missingFields,
    revision: engine.revision.id,
  };
  return { result, rows, account };
}

export function createEvaluateLead(deps: ActivityDeps) {
  return async function evaluateLead(req: EvaluateLeadRequest): Promise<AttractResult> {
    const { result, rows } = await attractDecision(deps, req);
    if (req.record) await deps.ledger.record(rows);
    return result;
  };
}
