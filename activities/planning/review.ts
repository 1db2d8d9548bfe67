import { arrByAccount } from '../../src/metrics/arr.ts';
import { computeMetrics } from '../../src/metrics/flywheel.ts';
import { analyze } from '../../src/plan/analyze.ts';
import { audit } from '../../src/plan/audit.ts';
import { reverseFunnel } from '../../src/plan/funnel.ts';
import type { PlanPeriod } from '../../src/plan/types.ts';
import { approvalDeadlineMs, pickPeriod, reviewWindow } from '../../src/planning/cycle.ts';
import { toReportChecks, toReportRecommendations } from '../../src/planning/normalize.ts';
import type { ActivityDeps } from '../deps.ts';
import { sumMoney } from '../../src/numbers.ts';
import { bad, planningSupport } from './support.ts';
import type { AdjustInput, AdjustResult, AnalyzeResult, AugmentResult, WindowInput } from './types.ts';

/** Steps 1-3 of a planning cycle: adjust (re-forecast), augment (audit), analyze (metrics against assumptions). */
export function createReviewActivities(deps: ActivityDeps) {
  const { ledger, config } = deps;
  const { planPath, load } = planningSupport(deps);
  return {
    /** Step 1: re-forecast the plan from its assumptions and the actual ARR in the ledger. */
    async planningAdjust(input: AdjustInput): Promise<AdjustResult> {
      const { file, plan } = load(planPath(input.planFile));
      const at = new Date(input.at);
      let period: PlanPeriod;
      let deadlineMs: number;
      try {
        period = pickPeriod(plan, at, input.periodId);
        deadlineMs = approvalDeadlineMs(plan.approval.deadline);
      } catch (e) {
        throw bad(e, 'InvalidPlan');
      }
      const window = reviewWindow(period, at);
      const arr = await arrByAccount(ledger, new Date(window.to));
      const actualArr = sumMoney(arr.values());
      // Re-forecast the periods not yet over (the running one included) from the ARR the ledger shows now.
      const remaining = plan.periods.filter((p) => p.to > window.to.slice(0, 10));
      const reforecast = remaining.length > 0 ? reverseFunnel({ ...plan, startingArr: actualArr, periods: remaining }) : [];
      // The latest decision before this cycle: if it asked for changes, this cycle's report carries the comments.
      const [last] = await ledger.query<{ data: Record<string, unknown>; occurred_at: Date }>(
        `SELECT data, occurred_at FROM ledger_events WHERE type = 'plan.decided' AND occurred_at <= $1::timestamptz AND coalesce(workflow_id, '') <> $2
         ORDER BY occurred_at DESC, id DESC LIMIT 1`,
        [input.at, input.workflowId],
      );
      const carried =
        last && last.data.decision === 'requestChanges'
          ? { cycle: String(last.data.cycle ?? ''), by: String(last.data.by ?? ''), comments: String(last.data.comments ?? ''), at: last.occurred_at.toISOString() }
          : null;
      return {
        planFile: file,
        planName: plan.name,
        currency: plan.currency,
        period,
        window,
        approval: { approvers: plan.approval.approvers, escalateTo: plan.approval.escalateTo, deadline: plan.approval.deadline, deadlineMs },
        actualArr,
        accounts: [...arr.values()].filter((v) => v > 0).length,
        funnel: reverseFunnel(plan),
        reforecast,
        carried,
      };
    },

    /** Step 2: the audit's recommendations for the window. */
    async planningAugment(input: WindowInput): Promise<AugmentResult> {
      const raw = await audit(ledger, { from: new Date(input.window.from), to: new Date(input.window.to) }, deps.rules, config.config);
      return { recommendations: toReportRecommendations(raw), raw };
    },

    /** Step 3: the flywheel metrics of the window against the plan's assumptions. */
    async planningAnalyze(input: WindowInput): Promise<AnalyzeResult> {
      const { plan } = load(input.planFile);
      const period = { from: new Date(input.window.from), to: new Date(input.window.to) };
      const metrics = await computeMetrics(ledger, period);
      const checks = analyze(plan, metrics, period);
      const r = metrics.delight.retention;
      return { checks: toReportChecks(checks), retention: { nrr: r.nrr, grr: r.grr }, metrics: JSON.parse(JSON.stringify(metrics)) as unknown };
    },
  };
}
