import type { PlanningDecisionInput, PlanningState } from './types.ts';

/**
 * Why a decision is refused, or null when it may be applied. Runs in the update validator, so a refused update
 * never reaches the history.
 */
export function decisionProblem(s: PlanningState, d: PlanningDecisionInput): string | null {
  if (s.decision) return `cycle ${s.cycle} was already decided: ${s.decision.decision} by ${s.decision.by} at ${s.decision.at}`;
  if (s.status === 'expired') return `cycle ${s.cycle} expired without a decision; wait for the next cycle`;
  if (s.status !== 'awaiting-decision' && s.status !== 'escalated') return `cycle ${s.cycle} has no published report yet (step ${s.step})`;
  if (d === null || typeof d !== 'object') return 'the decision must be an object { decision, by, comments? }';
  if (d.decision !== 'approve' && d.decision !== 'requestChanges') return `decision must be "approve" or "requestChanges", not ${JSON.stringify(d.decision)}`;
  if (typeof d.by !== 'string' || !s.approvers.includes(d.by)) return `${JSON.stringify(d.by)} is not an approver of this plan (approvers: ${s.approvers.join(', ') || 'none'})`;
  if (d.comments !== undefined && typeof d.comments !== 'string') return 'comments must be text';
  if (d.decision === 'requestChanges' && !d.comments?.trim()) return 'requestChanges needs comments: say what should change';
  return null;
}
