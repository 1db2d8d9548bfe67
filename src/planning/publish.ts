import { mkdirSync, renameSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import type { PlanningReportFiles } from '../../workflows/planning/types.ts';
import { renderHtml } from './html.ts';
import { cycleFolderName } from './cycle.ts';
import { renderMarkdown, type PlanningReport } from './report.ts';

/** Writes a file whole or not at all: a reader never sees half a report, and a retried activity just rewrites it. */
export function writeAtomic(file: string, text: string): void {
  const tmp = `${file}.${process.pid}.tmp`;
  writeFileSync(tmp, text);
  renameSync(tmp, file);
}

/** `<reportsDir>/<cycle>/report.{md,json,html}`. */
export function writeReport(reportsDir: string, report: PlanningReport): PlanningReportFiles {
  const dir = path.join(path.resolve(reportsDir), cycleFolderName(report.cycle));
  mkdirSync(dir, { recursive: true });
  const files = { dir, markdown: path.join(dir, 'report.md'), json: path.join(dir, 'report.json'), html: path.join(dir, 'report.html') };
  writeAtomic(files.json, `${JSON.stringify(report, null, 2)}\n`);
  writeAtomic(files.markdown, renderMarkdown(report));
  writeAtomic(files.html, renderHtml(report));
  return files;
}

/** Beside the report once leadership answered (or the cycle expired): decision.json. */
export function writeDecision(dir: string, decision: Record<string, unknown>): string {
  mkdirSync(dir, { recursive: true });
  const file = path.join(dir, 'decision.json');
  writeAtomic(file, `${JSON.stringify(decision, null, 2)}\n`);
  return file;
}
