/** What the planning activities take and return (also the workflow's view of each step). */
import type { Recommendation } from '../../src/plan/audit.ts';
import type { FunnelMonth, PlanPeriod } from '../../src/plan/types.ts';
import type { ReportCheck, ReportRecommendation } from '../../src/planning/report.ts';
import type { CarriedComments, PlanningDecision, PlanningReportFiles, PlanningSummary } from '../../workflows/planning/types.ts';

export interface AdjustInput {
  cycle: string;
  workflowId: string;
  planFile?: string;
  periodId?: string;
  /** Workflow time: the actuals are measured up to here. */
  at: string;
}

export interface AdjustResult {
  planFile: string;
  planName: string;
  currency: string;
  period: PlanPeriod;
  /** The window actuals are measured over (ISO). */
  window: { from: string; to: string };
  approval: { approvers: string[]; escalateTo: string[]; deadline: string; deadlineMs: number };
  actualArr: number;
  accounts: number;
  funnel: FunnelMonth[];
  reforecast: FunnelMonth[];
  carried: CarriedComments | null;
}

export interface WindowInput {
  planFile: string;
  window: { from: string; to: string };
}

export interface AugmentResult {
  recommendations: ReportRecommendation[];
  /** As audit() returned them. */
  raw: Recommendation[];
}

export interface AnalyzeResult {
  checks: ReportCheck[];
  retention: { nrr: number | null; grr: number | null };
  metrics: unknown;
}

export interface AlignInput {
  cycle: string;
  workflowId: string;
  at: string;
  reportsDir?: string;
  adjust: AdjustResult;
  augment: AugmentResult;
  analyze: AnalyzeResult;
}

export interface EscalateInput {
  cycle: string;
  workflowId: string;
  at: string;
  /** escalated: the approval deadline passed; expired: the second deadline passed too, the cycle ends undecided. */
  level: 'escalated' | 'expired';
  notify: string[];
  approvers: string[];
  deadline: string;
  report: PlanningReportFiles;
  summary: PlanningSummary;
}

export interface RecordDecisionInput {
  cycle: string;
  workflowId: string;
  periodId: string;
  decision: PlanningDecision;
  approvers: string[];
  report: PlanningReportFiles;
}
