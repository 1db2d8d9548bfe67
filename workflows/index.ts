// The worker bundles this module: every workflow type Flywheel runs is exported here.
export { systemCheck } from './systemCheck.ts';
export { leadLifecycleV2 } from './lead/leadLifecycle.ts';
// The first version, for its runs still open (see leadWorkflowType).
export { leadLifecycle } from './lead/v1/leadLifecycle.ts';
export { accountLifecycle } from './account/accountLifecycle.ts';
export { planningCycle } from './planning/planningCycle.ts';
export { slaWeeklyReport } from './slaReport/slaWeeklyReport.ts';
