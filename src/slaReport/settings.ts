import path from 'node:path';
import type { LoadedConfig } from '../config/types.ts';
import { DEFAULT_REPORTS_DIR } from '../planning/cycle.ts';

/** 08:00 on Mondays: the week that just ended is on the managers' desks when theirs starts. */
export const DEFAULT_SLA_REPORT_CRON = '0 8 * * 1';

export interface SlaReportSettings {
  schedule: string;
  timezone: string;
  /** Absolute. */
  reportsDir: string;
  /** Team ids (their managers) or rep ids. */
  notify: string[];
}

/** `reports.slaWeekly` with its defaults filled in: organisation time zone, every team's manager. */
export function slaReportSettings(loaded: LoadedConfig): SlaReportSettings {
  const s = loaded.config.reports?.slaWeekly ?? {};
  return {
    schedule: s.schedule ?? DEFAULT_SLA_REPORT_CRON,
    timezone: s.timezone ?? loaded.config.organisation.timezone,
    reportsDir: path.resolve(loaded.root, s.reportsDir ?? DEFAULT_REPORTS_DIR),
    notify: s.notify ?? loaded.config.teams.map((t) => t.id),
  };
}
