/**
 * Names shared by workflows and their clients (CLI, ingest API, tests), in one place so a rename
 * cannot leave one side behind. Pure declarations only: this file is bundled into workflow code.
 */
import { defineQuery, defineSignal, defineUpdate } from '@temporalio/workflow';
import type { AccountEvent, AccountState } from './account/types.ts';
import type { LeadEvent, LeadState } from './lead/types.ts';
import type { PlanningDecisionInput, PlanningDecisionResult, PlanningState } from './planning/types.ts';

export const DEFAULT_TASK_QUEUE = 'flywheel';

export const WORKFLOW_TYPES = {
  systemCheck: 'systemCheck',
} as const;

export const workflowIds = {
  systemCheck: (runKey: string) => `system-check:${runKey}`,
};

export interface SystemCheckInput {
  /** Unique per check, so the ledger row is idempotent per run and distinct across runs. */
  checkId: string;
  /** A durable timer before the write proves timers fire (and, on the test server, that time skips). */
  timerMs?: number;
}

export interface SystemCheckResult {
  checkId: string;
  ledger: { inserted: number; duplicates: number; mode: string };
  timerMs: number;
  startedAt: string;
  finishedAt: string;
}

export const systemCheckStatusQuery = defineQuery<'waiting-on-timer' | 'writing-ledger' | 'done'>('status');

// --- Lead lifecycle ---------------------------------------------------------------------------------

/**
 * The lead workflow new leads start as. A new workflow type rather than patches: the current version decides in
 * local activities and records no patch markers, so a lead's history stays short; runs of the first version
 * (`leadLifecycle`) finish on its code, kept beside it, or continue as this one.
 */
export const leadWorkflowType = 'leadLifecycleV2';
/** Every lead workflow type that may be running, for visibility queries (`WorkflowType IN (...)`). */
export const leadWorkflowTypes = ['leadLifecycle', leadWorkflowType] as const;
export const leadWorkflowId = (leadId: string) => `lead:${leadId}`;
/** Every CRM event for a lead arrives through this one signal, in delivery order. */
export const leadEventSignal = defineSignal<[LeadEvent]>('crmEvent');
export const leadStateQuery = defineQuery<LeadState>('state');
/** A held lead routes again now: a rep of its queue was freed, or another lead's call placed it from the line. */
export const leadRouteSignal = defineSignal('route');

// --- Account lifecycle (Delight) ----------------------------------------------------------------------

export const accountWorkflowType = 'accountLifecycle';
export const accountWorkflowId = (accountId: string) => `account:${accountId}`;
/** CRM events about a customer, and Flywheel's own hand-off and referral news, arrive on this one signal. */
export const accountEventSignal = defineSignal<[AccountEvent]>('accountEvent');
export const accountStateQuery = defineQuery<AccountState>('state');

// --- Planning cycle (adjust, augment, analyze, align) ----------------------------------------------------

export const planningWorkflowType = 'planningCycle';
export const PLANNING_ID_PREFIX = 'planning:';
export const planningWorkflowId = (cycle: string) => `${PLANNING_ID_PREFIX}${cycle}`;
/** The Schedule that starts cycles; its action's workflow id, to which Temporal appends `-<scheduled time>`. */
export const PLANNING_SCHEDULE_ID = 'flywheel-planning';
export const PLANNING_SCHEDULED_WORKFLOW_ID = planningWorkflowId('scheduled');
/** Leadership's answer to a published plan; the validator rejects unknown approvers, empty change requests and repeats. */
export const planningDecisionUpdate = defineUpdate<PlanningDecisionResult, [PlanningDecisionInput]>('decide');
export const planningStateQuery = defineQuery<PlanningState>('state');

// --- Weekly hand-off SLA report ------------------------------------------------------------------------

export const slaReportWorkflowType = 'slaWeeklyReport';
export const SLA_REPORT_ID_PREFIX = 'sla-report:';
/** `sla-report:2027-W13` for a week run by hand; the Schedule's runs are `sla-report:scheduled-<scheduled time>`. */
export const slaReportWorkflowId = (key: string) => `${SLA_REPORT_ID_PREFIX}${key}`;
export const SLA_REPORT_SCHEDULE_ID = 'flywheel-sla-report';
export const SLA_REPORT_SCHEDULED_WORKFLOW_ID = slaReportWorkflowId('scheduled');
