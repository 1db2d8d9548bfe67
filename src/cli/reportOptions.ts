import type { ImpactReport } from '../decisions/impact.ts';
import { renderMarkdown } from '../decisions/report/markdown.ts';
import { renderText } from '../decisions/report/text.ts';
import { CliError } from './errors.ts';
import { printJson, printLines } from './output.ts';

/** Options the report verbs (rules impact, rules shadow-report, decisions export) share, checked the same way. */
export type ReportFormat = 'text' | 'markdown' | 'json';

export function reportFormat(value: string): ReportFormat {
  if (value !== 'text' && value !== 'markdown' && value !== 'json') throw new CliError(`--format must be text, markdown or json, got "${value}"`, 2);
  return value;
}

/** An instant from `--since` (a date or a date and time), as ISO 8601. */
export function sinceOption(value: string | undefined): string | undefined {
  if (value === undefined) return undefined;
  const t = Date.parse(value);
  if (Number.isNaN(t)) throw new CliError(`--since must be a date like 2026-03-01 or 2026-03-01T09:00:00Z, got "${value}"`, 2);
  return new Date(t).toISOString();
}

export function countOption(name: string, value: string | undefined, max = Number.MAX_SAFE_INTEGER): number | undefined {
  if (value === undefined) return undefined;
  const n = Number(value);
  if (!/^\d+$/.test(value.trim()) || n > max) {
    const range = max === Number.MAX_SAFE_INTEGER ? '0 or more' : `from 0 to ${max}`;
    throw new CliError(`--${name} must be a whole number ${range}, got "${value}"`, 2);
  }
  return n;
}

export function printReport(report: ImpactReport, format: ReportFormat): void {
  if (format === 'json') printJson(report);
  else if (format === 'markdown') process.stdout.write(renderMarkdown(report));
  else printLines(renderText(report));
}
