import { attract, type AttractMetrics, type AttractOptions } from './attract.ts';
import { closedDeals } from './deals.ts';
import { delight, type DelightMetrics } from './delight.ts';
import { engage, type EngageMetrics } from './engage.ts';
import { feedback, type FeedbackMetrics } from './feedback.ts';
import { friction, type FrictionMetrics } from './friction.ts';
import { funnel } from './funnel.ts';
import { handoffs, type HandoffMetrics } from './handoffs.ts';
import { checkPeriod, type Period } from './period.ts';
import type { MetricsLedger } from './util.ts';

/** Every flywheel metric of one period, each defined once in its section's file and in docs/metrics.md. */
export interface FlywheelMetrics {
  /** The half-open period [from, to) as ISO date-times. */
  period: { from: string; to: string };
  attract: AttractMetrics;
  engage: EngageMetrics;
  delight: DelightMetrics;
  handoffs: HandoffMetrics;
  friction: FrictionMetrics;
  feedback: FeedbackMetrics;
}

export type FlywheelMetricsOptions = AttractOptions;

/**
 * All sections over `period` (from <= occurred_at < to). Queries run one after another: the embedded ledger has one
 * session, and a report is a handful of grouped queries, not one per lead.
 */
export async function computeMetrics(ledger: MetricsLedger, period: Period, opts: FlywheelMetricsOptions = {}): Promise<FlywheelMetrics> {
  checkPeriod(period);
  const shared = { funnel: await funnel(ledger, period), deals: await closedDeals(ledger, period) };
  return {
    period: { from: period.from.toISOString(), to: period.to.toISOString() },
    attract: await attract(ledger, period, opts, shared),
    engage: await engage(ledger, period, shared),
    delight: await delight(ledger, period),
    handoffs: await handoffs(ledger, period),
    friction: await friction(ledger, period),
    feedback: await feedback(ledger, period, shared),
  };
}
