import type { AttractResult } from '../../workflows/lead/types.ts';
import { isBlank, valueAt } from '../factValues.ts';
import { toRecord } from './decisionRecord.ts';
import type { ActivityDeps } from '../deps.ts';
import { accountFacts, leadFacts } from './facts.ts';

/**
 * Attract: data quality, disqualifiers, ICP tier and qualification, decided by the rules at their current
 * revision (a rules change reaches a running lead here, at its next decision).
 */
export function createEvaluateLead({ rules, ledger }: ActivityDeps) {
  return async function evaluateLead(req: { leadId: string; lead: Record<string, unknown>; at: string }): Promise<AttractResult> {
    const engine = rules.get();
    const lead = leadFacts(req.leadId, req.lead);
    const base = { now: req.at, lead, account: await accountFacts(ledger, lead.domain) };
    const quality = engine.decide('data-quality', base);
    const disq = engine.decide('disqualification', base);
    const icp = engine.decide('icp', base);
    const tier = icp.outcome?.tier ?? null;
    const icpFacts = { tier, disqualified: disq.outcome.disqualified, reasons: disq.outcome.reasons.map((r) => r.code) };
    const qual = engine.decide('qualification', { ...base, icp: icpFacts });
    const decisions = [quality, disq, icp, qual].map((d) => toRecord(d, req.at));
    const blockedBy = quality.outcome.issues.filter((i) => i.severity === 'block').map((i) => `${i.field}: ${i.message}`);
    const missingFields = (qual.outcome?.requiredFields ?? []).filter((p) => isBlank(valueAt({ ...base, icp: icpFacts }, p)));
    let status: AttractResult['status'];
    if (disq.outcome.disqualified || qual.outcome?.status === 'disqualified') status = 'disqualified';
    else if (quality.outcome.blocking) status = 'blocked-data';
    else if (qual.outcome?.status === 'mql' && missingFields.length === 0) status = 'mql';
    else if (qual.outcome?.status === 'mql') status = 'blocked-data';
    else status = 'nurture';
    const reasons = disq.outcome.reasons.map((r) => r.reason);
    if (qual.outcome?.status === 'disqualified' && reasons.length === 0) reasons.push(qual.outcome.reason ?? 'disqualified by qualification rules');
    // Re-opening is the exception: only when every disqualifying rule allows it, never for the qualification rules'
    // own verdict (they say nothing about whether it can change).
    const reopenable = disq.outcome.reasons.length > 0 && disq.outcome.reasons.every((r) => r.reopenable === true);
    return {
      decisions,
      blockedBy: [...blockedBy, ...missingFields.map((f) => `${f}: required before the hand-off to sales`)],
      disqualified: status === 'disqualified' ? { reasons, reopenable } : null,
      tier,
      status,
      missingFields,
      revision: engine.revision.id,
    };
  };
}
