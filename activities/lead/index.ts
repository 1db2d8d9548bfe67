import { createAssignLead } from './assignLead.ts';
import { createAttractLead } from './attractLead.ts';
import { createHandoffLead } from './handoffLead.ts';
import { createWinLead } from './winLead.ts';
import type { ActivityDeps } from '../deps.ts';
import { createEvaluateLead } from './evaluateLead.ts';
import { createImportAssignment } from './importAssignment.ts';
import { createHandoffActivities } from './handoff.ts';
import { createNotifyActivities } from './notify.ts';
import { createStartSlaClock } from './slaClock.ts';

export function createLeadActivities(deps: ActivityDeps) {
  return {
    attractLead: createAttractLead(deps),
    handoffLead: createHandoffLead(deps),
    winLead: createWinLead(deps),
    evaluateLead: createEvaluateLead(deps),
    assignLead: createAssignLead(deps),
    startSlaClock: createStartSlaClock(deps),
    importAssignment: createImportAssignment(deps),
    ...createNotifyActivities(deps),
    ...createHandoffActivities(deps),
  };
}
