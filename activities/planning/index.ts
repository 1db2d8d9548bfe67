import path from 'node:path';
import { ApplicationFailure } from '@temporalio/activity';
import { DiagnosticsError, formatDiagnostic } from '../../src/diagnostics/diagnostic.ts';
import type { LedgerEvent } from '../../src/ledger/types.ts';
import { arrByAccount } from '../../src/metrics/arr.ts';
import { computeMetrics } from '../../src/metrics/flywheel.ts';
import { analyze } from '../../src/plan/analyze.ts';
import { audit, type Recommendation } from '../../src/plan/audit.ts';
import { reverseFunnel } from '../../src/plan/funnel.ts';
import { loadPlan } from '../../src/plan/load.ts';
import type { FunnelMonth, LoadedPlan, PlanPeriod } from '../../src/plan/types.ts';
import { approvalDeadlineMs, DEFAULT_REPORTS_DIR, pickPeriod, reviewWindow } from '../../src/planning/cycle.ts';
import { writeDecision, writeReport } from '../../src/planning/publish.ts';
import { toReportChecks, toReportRecommendations } from '../../src/planning/normalize.ts';
import type { PlanningReport, ReportCheck, ReportRecommendation } from '../../src/planning/report.ts';
import { resolveRecipients } from '../../src/routing/recipients.ts';
import type { CarriedComments, PlanningDecision, PlanningReportFiles, PlanningSummary } from '../../workflows/planning/types.ts';
import type { ActivityDeps } from '../deps.ts';

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

const sum = (xs: Iterable<number>) => Math.round([...xs].reduce((a, b) => a + b, 0) * 100) / 100;

/** A broken plan will not fix itself on retry: fail the activity for good with the located problems. */
function load(deps: ActivityDeps, file: string): LoadedPlan {
  try {
    return loadPlan(file, { config: deps.config.config });
  } catch (e) {
    if (e instanceof DiagnosticsError) throw ApplicationFailure.nonRetryable(e.diagnostics.map(formatDiagnostic).join('\n'), 'InvalidPlan');
    throw e;
  }
}

const bad = (e: unknown, type: string) => ApplicationFailure.nonRetryable((e as Error).message, type);

/**
 * The four steps of a planning cycle, each one activity, plus the escalation and the decision record. Files and
 * ledger rows are keyed by cycle, so a retried activity rewrites the same report and never adds a second row.
 */
export function createPlanningActivities(deps: ActivityDeps) {
  const { ledger, config, webhooks } = deps;
  const planPath = (file?: string) => path.resolve(config.root, file ?? process.env.FLYWHEEL_PLAN ?? 'config/plan.yaml');
  const notify = async (type: string, to: string[], payload: Record<string, unknown>, key: string) => {
    const recipients = resolveRecipients(config.config, to, null);
    // Ids the org config does not know (e.g. an e-mail alias) are passed on as they are.
    const known = new Set(recipients.map((r) => r.id));
    const all = [...recipients, ...to.filter((id) => !known.has(id) && !config.config.teams.some((t) => t.id === id)).map((id) => ({ id }))];
    await webhooks.send(type, { ...payload, recipients: all }, key);
    return all.map((r) => r.id);
  };

  return {
    /** Step 1: re-forecast the plan from its assumptions and the actual ARR in the ledger. */
    async planningAdjust(input: AdjustInput): Promise<AdjustResult> {
      const { file, plan } = load(deps, planPath(input.planFile));
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
      const actualArr = sum(arr.values());
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
      const { plan } = load(deps, input.planFile);
      const period = { from: new Date(input.window.from), to: new Date(input.window.to) };
      const metrics = await computeMetrics(ledger, period);
      const checks = analyze(plan, metrics, period);
      const r = metrics.delight.retention;
      return { checks: toReportChecks(checks), retention: { nrr: r.nrr, grr: r.grr }, metrics: JSON.parse(JSON.stringify(metrics)) as unknown };
    },

    /** Step 4a: publish the report (md, json, html), record plan.published, tell the approvers. */
    async planningAlign(input: AlignInput): Promise<{ files: PlanningReportFiles; summary: PlanningSummary; notified: string[] }> {
      const { adjust: a, augment, analyze: an } = input;
      const report: PlanningReport = {
        version: 1,
        cycle: input.cycle,
        workflowId: input.workflowId,
        generatedAt: input.at,
        plan: { name: a.planName, file: a.planFile, currency: a.currency },
        period: { id: a.period.id, from: a.period.from, to: a.period.to, measuredFrom: a.window.from, measuredTo: a.window.to },
        carried: a.carried,
        adjust: {
          arrTarget: a.period.arrTarget,
          actualArr: a.actualArr,
          gap: Math.round((a.period.arrTarget - a.actualArr) * 100) / 100,
          attainment: a.period.arrTarget > 0 ? Math.round((a.actualArr / a.period.arrTarget) * 10_000) / 10_000 : null,
          accounts: a.accounts,
          funnel: a.funnel,
          reforecast: a.reforecast,
        },
        augment: { recommendations: augment.recommendations },
        analyze: { checks: an.checks, retention: an.retention, metrics: an.metrics },
        approval: { approvers: a.approval.approvers, escalateTo: a.approval.escalateTo, deadline: a.approval.deadline },
      };
      const files = writeReport(input.reportsDir ?? path.resolve(config.root, DEFAULT_REPORTS_DIR), report);
      const summary: PlanningSummary = {
        periodId: a.period.id,
        arrTarget: report.adjust.arrTarget,
        actualArr: a.actualArr,
        gap: report.adjust.gap,
        recommendations: augment.recommendations.length,
        offTrack: an.checks.filter((c) => c.status === 'off-track').length,
        nrr: an.retention.nrr,
        grr: an.retention.grr,
      };
      const key = `${input.workflowId}:published`;
      const row: LedgerEvent = {
        key,
        type: 'plan.published',
        occurredAt: input.at,
        workflowId: input.workflowId,
        amount: summary.arrTarget,
        currency: a.currency,
        data: { cycle: input.cycle, ...summary, report: files, approvers: a.approval.approvers, deadline: a.approval.deadline, carried: a.carried },
      };
      await ledger.record([row]);
      const notified = await notify('plan.published', a.approval.approvers, { cycle: input.cycle, workflowId: input.workflowId, summary, report: files, deadline: a.approval.deadline }, key);
      return { files, summary, notified };
    },

    /** Nobody decided in time: tell escalateTo (or, when it expired, everyone) and record plan.escalated. */
    async planningEscalate(input: EscalateInput): Promise<{ notified: string[] }> {
      const key = `${input.workflowId}:${input.level}`;
      const recipients = resolveRecipients(config.config, input.notify, null).map((r) => r.id);
      await ledger.record([
        {
          key,
          type: 'plan.escalated',
          occurredAt: input.at,
          workflowId: input.workflowId,
          data: { cycle: input.cycle, level: input.level, deadline: input.deadline, approvers: input.approvers, notified: recipients, report: input.report },
        },
      ]);
      const notified = await notify(`plan.${input.level}`, input.notify, { cycle: input.cycle, workflowId: input.workflowId, approvers: input.approvers, deadline: input.deadline, summary: input.summary, report: input.report }, key);
      if (input.level === 'expired') writeDecision(input.report.dir, { cycle: input.cycle, status: 'expired', at: input.at });
      return { notified };
    },

    /** Leadership answered: plan.decided in the ledger (the next cycle reads change requests from it), decision.json. */
    async planningRecordDecision(input: RecordDecisionInput): Promise<{ notified: string[] }> {
      const d = input.decision;
      const key = `${input.workflowId}:decided`;
      await ledger.record([
        {
          key,
          type: 'plan.decided',
          occurredAt: d.at,
          workflowId: input.workflowId,
          owner: d.by,
          data: { cycle: input.cycle, periodId: input.periodId, decision: d.decision, by: d.by, comments: d.comments ?? null, late: d.late, report: input.report },
        },
      ]);
      writeDecision(input.report.dir, { cycle: input.cycle, ...d });
      const notified = await notify('plan.decided', input.approvers, { cycle: input.cycle, workflowId: input.workflowId, ...d }, key);
      return { notified };
    },
  };
}
