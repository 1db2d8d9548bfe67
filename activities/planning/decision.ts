import path from 'node:path';
import type { LedgerEvent } from '../../src/ledger/types.ts';
import { cents } from '../../src/numbers.ts';
import { DEFAULT_REPORTS_DIR } from '../../src/planning/cycle.ts';
import { writeDecision, writeReport } from '../../src/planning/publish.ts';
import type { PlanningReport } from '../../src/planning/report.ts';
import { resolveRecipients } from '../../src/routing/recipients.ts';
import type { PlanningReportFiles, PlanningSummary } from '../../workflows/planning/types.ts';
import type { ActivityDeps } from '../deps.ts';
import { planningSupport } from './support.ts';
import type { AlignInput, EscalateInput, RecordDecisionInput } from './types.ts';

/**
 * Step 4 and its outcomes: publish the report and tell the approvers, escalate when nobody decides in time, record
 * the decision. Files and ledger rows are keyed by cycle, so a retried activity rewrites the same report and never
 * adds a second row.
 */
export function createDecisionActivities(deps: ActivityDeps) {
  const { ledger, config } = deps;
  const { notify } = planningSupport(deps);
  return {
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
          gap: cents(a.period.arrTarget - a.actualArr),
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
      const notified = await notify(
        `plan.${input.level}`,
        input.notify,
        { cycle: input.cycle, workflowId: input.workflowId, approvers: input.approvers, deadline: input.deadline, summary: input.summary, report: input.report },
        key,
      );
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
