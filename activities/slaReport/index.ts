import { ApplicationFailure } from '@temporalio/activity';
import { isTimeZone } from '../../src/calendar/zonedTime.ts';
import { resolveRecipients } from '../../src/routing/recipients.ts';
import { writeSlaReport } from '../../src/slaReport/publish.ts';
import { buildSlaReport, slaSummary } from '../../src/slaReport/report.ts';
import { slaReportSettings } from '../../src/slaReport/settings.ts';
import { previousWeek } from '../../src/slaReport/week.ts';
import type { NotifySlaReportInput, PublishedSlaReport, PublishSlaReportInput } from '../../workflows/slaReport/types.ts';
import type { ActivityDeps } from '../deps.ts';

/**
 * The weekly SLA report: publish (read the week from the ledger, write report.{md,json,html}) and tell the managers.
 * Both are keyed by the week, so a retry rewrites the same files and sends the same notice (same idempotency key).
 */
export function createSlaReportActivities(deps: ActivityDeps) {
  const { ledger, config, webhooks } = deps;
  return {
    async slaReportPublish(input: PublishSlaReportInput): Promise<PublishedSlaReport> {
      const settings = slaReportSettings(config);
      const timezone = input.timezone ?? settings.timezone;
      const anchor = new Date(input.anchor);
      if (!isTimeZone(timezone)) throw ApplicationFailure.nonRetryable(`unknown time zone ${JSON.stringify(timezone)}`, 'InvalidData');
      if (Number.isNaN(anchor.getTime())) throw ApplicationFailure.nonRetryable(`anchor ${JSON.stringify(input.anchor)} is not a date-time`, 'InvalidData');
      const week = previousWeek(anchor, timezone);
      const report = await buildSlaReport(ledger, config.config, week, { generatedAt: input.at, workflowId: input.workflowId });
      const files = writeSlaReport(input.reportsDir ?? settings.reportsDir, report);
      return { week, files, summary: slaSummary(report) };
    },

    /** The managers (reports.slaWeekly.notify: teams mean their manager) get the summary and where the files are. */
    async slaReportNotify(input: NotifySlaReportInput): Promise<string[]> {
      const recipients = resolveRecipients(config.config, input.notify ?? slaReportSettings(config).notify, null);
      if (recipients.length === 0) return [];
      await webhooks.send(
        'sla.weekly_report',
        { week: input.week, workflowId: input.workflowId, summary: input.summary, report: input.files, recipients },
        `sla-report:${input.week.week}:${input.week.timezone}`,
      );
      return recipients.map((r) => r.id);
    },
  };
}
