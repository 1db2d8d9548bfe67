/** Shapes shared by the planning workflow, its activities and its clients. Pure types: bundled into workflow code. */

export type PlanningStep = 'adjust' | 'augment' | 'analyze' | 'align' | 'done';

/**
 * running: steps 1-3 or publishing; awaiting-decision: the report is out, approvers were told; escalated: the deadline
 * passed and escalateTo was told, still waiting; then one of the final states.
 */
export type PlanningStatus = 'running' | 'awaiting-decision' | 'escalated' | 'approved' | 'changes-requested' | 'expired';

export type PlanningDecisionKind = 'approve' | 'requestChanges';

/** What leadership sends through the `decide` update. */
export interface PlanningDecisionInput {
  decision: PlanningDecisionKind;
  /** One of the plan's approval.approvers. */
  by: string;
  /** Required for requestChanges: the next cycle carries them into its report. */
  comments?: string;
}

export interface PlanningDecision extends PlanningDecisionInput {
  /** Workflow time of the decision. */
  at: string;
  /** True when it came after the approval deadline (the cycle had been escalated). */
  late: boolean;
}

export interface PlanningDecisionResult {
  cycle: string;
  status: PlanningStatus;
  decision: PlanningDecision;
}

export interface PlanningCycleInput {
  /** Defaults to the workflow id without its `planning:` prefix (schedule-started runs: `scheduled-<start time>`). */
  cycle?: string;
  /** Plan file; default: config/plan.yaml next to the worker's configuration. */
  planFile?: string;
  /** The plan period to review; default: the latest period that started before the cycle. */
  periodId?: string;
  /** Folder the reports go to (one sub-folder per cycle); default: .flywheel/reports under the project root. */
  reportsDir?: string;
}

/** Comments of the last cycle whose decision was requestChanges, shown in the next cycle's report. */
export interface CarriedComments {
  cycle: string;
  by: string;
  comments: string;
  at: string;
}

export interface PlanningReportFiles {
  dir: string;
  markdown: string;
  json: string;
  html: string;
}

export interface PlanningSummary {
  periodId: string;
  arrTarget: number;
  actualArr: number;
  /** arrTarget − actualArr: positive means behind the plan. */
  gap: number;
  recommendations: number;
  /** Assumption checks whose status is not on track. */
  offTrack: number;
  nrr: number | null;
  grr: number | null;
}

export interface PlanningState {
  cycle: string;
  workflowId: string;
  step: PlanningStep;
  status: PlanningStatus;
  startedAt: string;
  planFile: string | null;
  period: { id: string; from: string; to: string } | null;
  approvers: string[];
  escalateTo: string[];
  /** When escalation happens if nobody decided (ISO), set once the report is published. */
  deadline: string | null;
  /** When the cycle gives up and ends as expired (ISO): a second deadline after the escalation. */
  expiresAt: string | null;
  escalatedAt: string | null;
  report: PlanningReportFiles | null;
  summary: PlanningSummary | null;
  carried: CarriedComments | null;
  decision: PlanningDecision | null;
}

export interface PlanningOutcome {
  cycle: string;
  status: PlanningStatus;
  decision: PlanningDecision | null;
  report: PlanningReportFiles | null;
}
