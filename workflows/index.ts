// The worker bundles this module: every workflow type Flywheel runs is exported here.
export { systemCheck } from './systemCheck.ts';
export { leadLifecycle } from './lead/leadLifecycle.ts';
export { accountLifecycle } from './account/accountLifecycle.ts';
export { planningCycle } from './planning/planningCycle.ts';
