import type { ActivityDeps } from '../deps.ts';
import { createDecisionActivities } from './decision.ts';
import { createReviewActivities } from './review.ts';

export type * from './types.ts';

/** The four steps of a planning cycle, each one activity, plus the escalation and the decision record. */
export function createPlanningActivities(deps: ActivityDeps) {
  return { ...createReviewActivities(deps), ...createDecisionActivities(deps) };
}
