/**
 * The growth plan (config/plan.yaml): where ARR should be at the end of each period and the funnel assumptions
 * that get it there. Field names are fixed: the planning workflow, the CLI and the docs code against them.
 */

export interface PlanPeriod {
  /** e.g. `2027-01`. */
  id: string;
  /** YYYY-MM-DD, inclusive (midnight UTC). */
  from: string;
  /** YYYY-MM-DD, exclusive: the next period's `from`. */
  to: string;
  /** ARR at the end of the period. */
  arrTarget: number;
}

export interface PlanAssumptions {
  /** Average contract value of a new deal (ARR). */
  acv: number;
  /** Share of opportunities won, 0..1. */
  winRate: number;
  /** Share of leads that become MQLs, 0..1. */
  leadToMql: number;
  /** Share of MQLs that become opportunities, 0..1. */
  mqlToOpportunity: number;
  salesCycleDays: number;
  /** Share of ARR lost per month (churn and contraction), 0..1. */
  monthlyGrossChurn: number;
  /** Share of ARR added per month by existing customers, 0..1. */
  monthlyExpansion: number;
  /** New ARR a fully ramped rep books per month. */
  quotaPerRepMonthly: number;
  /** Months from a rep's start to full quota. */
  rampMonths: number;
  accountsPerCsm: number;
  /** Fully ramped reps today. */
  reps: number;
  /** CSMs today. */
  csms: number;
}

export interface SpendLine {
  /** Lead source, e.g. webinar, paid-search, content-download, event. */
  channel: string;
  monthly: number;
}

export interface GrowthPlan {
  name: string;
  /** ISO 4217. */
  currency: string;
  /** When the planning cycle runs: a 5-field cron expression (e.g. "0 8 1 * *") in `timezone`. */
  cadence: { schedule: string; timezone: string };
  /** Rep ids from config/flywheel.yaml; `deadline` is a duration like "5d" after which `escalateTo` is asked. */
  approval: { approvers: string[]; deadline: string; escalateTo: string[] };
  startingArr: number;
  periods: PlanPeriod[];
  assumptions: PlanAssumptions;
  spend: SpendLine[];
}

export interface LoadedPlan {
  /** Absolute path of the plan file. */
  file: string;
  plan: GrowthPlan;
}

/** One period of the reverse funnel: what must happen for the period's ARR target to be met. */
export interface FunnelMonth {
  period: string;
  from: string;
  to: string;
  /** ARR at the start of the period: the plan's startingArr, then the previous period's target. */
  startingArr: number;
  /** ARR expected to remain from startingArr: startingArr × (1 − monthlyGrossChurn + monthlyExpansion), in cents. */
  keptArr: number;
  arrTarget: number;
  /** New ARR that must be booked in the period: max(0, arrTarget − keptArr), in cents. */
  bookingsNeeded: number;
  /** Whole opportunities, MQLs and leads, each rounded up from the whole number of the stage after it. */
  opportunities: number;
  mqls: number;
  leads: number;
  /** The opportunities must exist by this date (period start − salesCycleDays), YYYY-MM-DD. */
  opportunitiesCreateBy: string;
  /** ceil(bookingsNeeded / quotaPerRepMonthly). */
  repsNeeded: number;
  /** Reps to hire beyond the plan's ramped `reps`. */
  repHires: number;
  /** When those hires must start (period start − rampMonths), or null when none are needed. */
  hireBy: string | null;
  /** ceil(arrTarget / acv): customers expected at the end of the period. */
  customers: number;
  /** ceil(customers / accountsPerCsm). */
  csmsNeeded: number;
  /** CSMs to hire beyond the plan's `csms`. */
  csmHires: number;
  /** Total monthly spend over all channels. */
  spend: number;
  /** spend / leads, in cents; null when no leads are needed. */
  costPerLead: number | null;
}
