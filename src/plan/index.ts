export type { FunnelMonth, GrowthPlan, LoadedPlan, PlanAssumptions, PlanPeriod, SpendLine } from './types.ts';
export { checkPlanText, defaultPlanPath, loadPlan, planConfigPath, type LoadPlanOptions } from './load.ts';
export { checkPlanSemantics, cronProblem } from './check.ts';
export { reverseFunnel } from './funnel.ts';
export { analyze, monthsIn, ON_TRACK, WATCH, type AssumptionCheck, type CheckStatus, type Direction, type PlanMetrics } from './analyze.ts';
export { audit, AUDIT_THRESHOLDS, type AuditArea, type AuditRules, type AuditSeverity, type Recommendation } from './audit.ts';
export { renderPlan, table } from './render.ts';
