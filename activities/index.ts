import type { LeadActivityDeps } from './lead/deps.ts';
import { createLeadActivities } from './lead/index.ts';
import { createLedgerActivities } from './ledger.ts';

export type ActivityDeps = LeadActivityDeps;

/** Activities close over their dependencies, so tests and the worker wire real stores explicitly. */
export function createActivities(deps: ActivityDeps) {
  return {
    ...createLedgerActivities(deps.ledger),
    ...createLeadActivities(deps),
  };
}

export type FlywheelActivities = ReturnType<typeof createActivities>;
