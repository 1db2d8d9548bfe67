import { mkdirSync } from 'node:fs';
import path from 'node:path';
import { writeAtomic } from '../planning/publish.ts';
import { renderSlaHtml } from './html.ts';
import { renderSlaMarkdown, type SlaReport } from './report.ts';

export interface SlaReportFiles {
  dir: string;
  markdown: string;
  json: string;
  html: string;
}

/** `<reportsDir>/sla-<ISO week>/report.{md,json,html}`, each written whole: a rerun of the week rewrites them. */
export function writeSlaReport(reportsDir: string, report: SlaReport): SlaReportFiles {
  const dir = path.join(path.resolve(reportsDir), `sla-${report.week.week}`);
  mkdirSync(dir, { recursive: true });
  const files = { dir, markdown: path.join(dir, 'report.md'), json: path.join(dir, 'report.json'), html: path.join(dir, 'report.html') };
  writeAtomic(files.json, `${JSON.stringify(report, null, 2)}\n`);
  writeAtomic(files.markdown, renderSlaMarkdown(report));
  writeAtomic(files.html, renderSlaHtml(report));
  return files;
}
