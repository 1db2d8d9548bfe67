import { createAccountActivities } from './account/index.ts';
import { createResumeClock } from './clock.ts';
import { createClosedRecordActivities } from './closedRecords.ts';
import { createLeadActivities } from './lead/index.ts';
import { createLedgerActivities } from './ledger.ts';
import { createPlanningActivities } from './planning/index.ts';
import { createSlaReportActivities } from './slaReport/index.ts';

import type { ActivityDeps } from './deps.ts';
import { failFastAll } from './failures.ts';

export type { ActivityDeps };

/** Activities close over their dependencies, so tests and the worker wire real stores explicitly. */
export function createActivities(deps: ActivityDeps) {
  return failFastAll({
    ...createLedgerActivities(deps.ledger, deps.config),
    ...createLeadActivities(deps),
    ...createAccountActivities(deps),
    ...createPlanningActivities(deps),
    ...createSlaReportActivities(deps),
    resumeClock: createResumeClock(deps),
    ...createClosedRecordActivities(deps),
  });
}

export type FlywheelActivities = ReturnType<typeof createActivities>;
