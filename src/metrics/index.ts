// The metrics API: import from here. Definitions: docs/metrics.md.
export { arrByAccount, ARR_ROWS } from './arr.ts';
export { checkPeriod, parseInstant, parsePeriod, type Period } from './period.ts';
export { retention, type RetentionMetrics } from './retention.ts';
export { attract, ICP_MATCH_TIERS, NON_MARKETING_SOURCES, type AttractMetrics, type AttractOptions } from './attract.ts';
export { engage, type EngageMetrics } from './engage.ts';
export { delight, HEALTH_BANDS, type DelightMetrics, type HealthBand } from './delight.ts';
export { handoffs, HANDOFFS, type Handoff, type HandoffMetrics, type SlaGroup } from './handoffs.ts';
export { friction, NO_SIGNAL, SETTLED_STAGES, STALLED_AFTER_DAYS, type FrictionMetrics } from './friction.ts';
export { feedback, type FeedbackMetrics } from './feedback.ts';
export { closedDeals, type ClosedDeal } from './deals.ts';
export { funnel, type Funnel } from './funnel.ts';
export { computeMetrics, type FlywheelMetrics, type FlywheelMetricsOptions } from './flywheel.ts';
