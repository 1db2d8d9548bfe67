import { showValue } from '../render.ts';
import type { TestReport } from './run.ts';

/** Failures first (with diffs and the inputs the decision read), then a per-file summary and coverage. */
export function renderTestReport(report: TestReport, coverageMin?: number): string[] {
  const out: string[] = [];
  for (const r of report.results.filter((x) => !x.passed)) {
    out.push(`FAIL ${r.file}:${r.line}:${r.column}  ${r.kind}: ${r.name}`);
    for (const f of r.failures) {
      out.push(`  ${f.message}`);
      for (const l of f.diff ?? []) out.push(`    ${l}`);
    }
    const reads = Object.entries(r.inputs);
    if (reads.length) out.push(`  inputs read: ${reads.map(([p, v]) => `${p} = ${showValue(v, 40)}`).join(', ')}`);
    out.push('');
  }
  const files = new Map<string, { passed: number; failed: number }>();
  for (const r of report.results) {
    const f = files.get(r.file) ?? { passed: 0, failed: 0 };
    f[r.passed ? 'passed' : 'failed']++;
    files.set(r.file, f);
  }
  const width = Math.max(0, ...[...files.keys()].map((f) => f.length));
  for (const [file, f] of files) out.push(`${f.failed ? 'FAIL' : 'ok  '} ${file.padEnd(width)}  ${f.passed} passed${f.failed ? `, ${f.failed} failed` : ''}`);
  const total = report.passed + report.failed;
  out.push('', `${total} case${total === 1 ? '' : 's'}: ${report.passed} passed, ${report.failed} failed (rules revision ${report.revision.id})`);
  const c = report.coverage;
  out.push(`coverage: ${c.covered}/${c.total} rules matched by at least one case (${c.percent}%)`);
  for (const k of c.byKind.filter((x) => x.covered < x.total)) out.push(`  ${k.kind}: ${k.covered}/${k.total}`);
  if (c.uncovered.length) {
    out.push('rules no case matched:');
    for (const u of c.uncovered) out.push(`  ${u.file}:${u.line}:${u.column}  [rule ${u.id}]`);
  }
  if (coverageMin !== undefined && c.percent < coverageMin) out.push(`coverage ${c.percent}% is below the minimum of ${coverageMin}%`);
  return out;
}
