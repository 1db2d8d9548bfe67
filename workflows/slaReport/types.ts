/** The weekly SLA report workflow's input and outcome (also the CLI's and the Schedule's view of it). */
import type { ReportWeek } from '../../src/slaReport/week.ts';
import type { SlaReportFiles } from '../../src/slaReport/publish.ts';
import type { SlaSummary } from '../../src/slaReport/report.ts';

export interface SlaReportInput {
  /**
   * The instant whose previous complete week is reported. Default: the Schedule's scheduled time (so a late or
   * retried run reports the same week), else the time in the workflow id, else the workflow's start.
   */
  anchor?: string;
  /** IANA zone the week is read in; default reports.slaWeekly.timezone, else organisation.timezone. */
  timezone?: string;
  /** Default reports.slaWeekly.reportsDir (under the worker's project root). */
  reportsDir?: string;
  /** Who is told (team ids = their managers, rep ids); default reports.slaWeekly.notify, else every team's manager. */
  notify?: string[];
}

export interface PublishSlaReportInput extends SlaReportInput {
  anchor: string;
  workflowId: string;
  /** Workflow time at publication. */
  at: string;
}

export interface PublishedSlaReport {
  week: ReportWeek;
  files: SlaReportFiles;
  summary: SlaSummary;
}

export interface NotifySlaReportInput extends PublishedSlaReport {
  workflowId: string;
  notify?: string[];
}

export interface SlaReportOutcome extends PublishedSlaReport {
  anchor: string;
  /** Rep ids told; empty when there was no one to tell or the notice failed (see notifyError). */
  notified: string[];
  notifyError: string | null;
}
