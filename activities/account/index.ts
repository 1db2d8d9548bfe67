import type { ActivityDeps } from '../deps.ts';
import { createAssignCsOwner, createReleaseCsOwner } from './assignCsOwner.ts';
import { createHandoffCheck } from './handoff.ts';
import { createImportAccount } from './importAccount.ts';
import { createScoreHealth } from './health.ts';
import { createStartKickoffClock } from './kickoffClock.ts';
import { createNotifyAccount } from './notify.ts';
import { createStartReferralLead } from './referral.ts';
import { createPlanRenewal } from './renewal.ts';

export function createAccountActivities(deps: ActivityDeps) {
  return {
    checkHandoff: createHandoffCheck(deps),
    assignCsOwner: createAssignCsOwner(deps),
    releaseCsOwner: createReleaseCsOwner(deps),
    startKickoffClock: createStartKickoffClock(deps),
    scoreHealth: createScoreHealth(deps),
    planRenewal: createPlanRenewal(deps),
    notifyAccount: createNotifyAccount(deps),
    startReferralLead: createStartReferralLead(deps),
    importAccount: createImportAccount(deps),
  };
}
