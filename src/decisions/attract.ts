import type { Decision, Facts } from '../rules/types.ts';
import { isBlank, valueAt } from '../rules/factValues.ts';

/** Anything that decides: a live engine, a shadow, or an older revision being replayed. */
export interface Decides {
  decide<K extends Decision['kind']>(kind: K, facts: Facts): Decision<K>;
}

export type AttractStatus = 'mql' | 'nurture' | 'disqualified' | 'blocked-data';

export interface AttractOutcome {
  quality: Decision<'data-quality'>;
  disqualification: Decision<'disqualification'>;
  icp: Decision<'icp'>;
  qualification: Decision<'qualification'>;
  /** The facts each kind was given (qualification also sees the ICP result). */
  facts: { base: Facts; qualification: Facts };
  tier: string | null;
  status: AttractStatus;
  missingFields: string[];
  blockedBy: string[];
  disqualified: { reasons: string[]; reopenable: boolean } | null;
}

/** The ICP result as the later kinds read it (`icp.tier`, `icp.disqualified`, `icp.reasons`). */
export function icpFactsOf(icp: Decision<'icp'>, disq: Decision<'disqualification'>) {
  return { tier: icp.outcome?.tier ?? null, disqualified: disq.outcome.disqualified, reasons: disq.outcome.reasons.map((r) => r.code) };
}

/**
 * Attract, as one pure step over the facts (lead, account, now): data quality, disqualifiers, ICP tier, then
 * qualification on top of the ICP result. The live activity, the shadow and `rules impact` all call this, so a
 * replayed evaluation chains exactly as the live one did.
 */
export function decideAttract(engine: Decides, base: Facts): AttractOutcome {
  const quality = engine.decide('data-quality', base);
  const disqualification = engine.decide('disqualification', base);
  const icp = engine.decide('icp', base);
  const qualFacts = { ...base, icp: icpFactsOf(icp, disqualification) };
  const qualification = engine.decide('qualification', qualFacts);
  const blockedBy = quality.outcome.issues.filter((i) => i.severity === 'block').map((i) => `${i.field}: ${i.message}`);
  const missingFields = (qualification.outcome?.requiredFields ?? []).filter((p) => isBlank(valueAt(qualFacts, p)));
  let status: AttractStatus;
  if (disqualification.outcome.disqualified || qualification.outcome?.status === 'disqualified') status = 'disqualified';
  else if (quality.outcome.blocking) status = 'blocked-data';
  else if (qualification.outcome?.status === 'mql' && missingFields.length === 0) status = 'mql';
  else if (qualification.outcome?.status === 'mql') status = 'blocked-data';
  else status = 'nurture';
  const reasons = disqualification.outcome.reasons.map((r) => r.reason);
  if (qualification.outcome?.status === 'disqualified' && reasons.length === 0) reasons.push(qualification.outcome.reason ?? 'disqualified by qualification rules');
  // Re-opening is the exception: only when every disqualifying rule allows it, never for the qualification rules'
  // own verdict (they say nothing about whether it can change).
  const reopenable = disqualification.outcome.reasons.length > 0 && disqualification.outcome.reasons.every((r) => r.reopenable === true);
  return {
    quality,
    disqualification,
    icp,
    qualification,
    facts: { base, qualification: qualFacts },
    tier: icp.outcome?.tier ?? null,
    status,
    missingFields,
    blockedBy: [...blockedBy, ...missingFields.map((f) => `${f}: required before the hand-off to sales`)],
    disqualified: status === 'disqualified' ? { reasons, reopenable } : null,
  };
}
