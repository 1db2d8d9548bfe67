// The closing table: per phase what was sent, accepted, lost and duplicated, then the run's figures that must be
// zero, then each phase's own figures and every failure line. Markdown-ish, so it pastes into an issue as is.
import type { PhaseResult } from './phase.ts';

export interface PhaseOutcome {
  result: PhaseResult;
  lost: string[];
  duplicated: string[];
  /** Assigned in the workflow, but no lead_assignments row. */
  noRow: string[];
  outcomes: Record<string, number>;
}

export interface RunFigures {
  mode: string;
  seed: number;
  startupMs: number;
  settleMs: number;
  totalMs: number;
  phases: PhaseOutcome[];
  stuck: { running: number; stuck: { workflowId: string; what: string; attempt: number; failure: string }[]; maxAttempts: number };
  fiveXxOnBadInput: number;
  nonProblem: number;
  failures: string[];
}

const pad = (s: string | number, n: number) => String(s).padStart(n);

export function renderFaults(r: RunFigures): string {
  const out: string[] = [];
  out.push(`Fault suite (${r.mode}, seed ${r.seed}): Temporal dev server (SQLite), PostgreSQL, 2 x flywheel worker, flywheel serve, signed ingest; all on 127.0.0.1`);
  out.push('');
  out.push(`| phase               | time s |  sent | accepted | lost | duplicated | no row | outcomes`);
  out.push(`|---------------------|-------:|------:|---------:|-----:|-----------:|-------:|---------`);
  for (const p of r.phases) {
    const outcomes = Object.entries(p.outcomes)
      .map(([k, n]) => `${k} ${n}`)
      .join(', ');
    out.push(
      `| ${p.result.name.padEnd(19)} | ${pad((p.result.ms / 1000).toFixed(1), 6)} | ${pad(p.result.sent, 5)} | ${pad(p.result.accepted.length, 8)} | ${pad(p.lost.length, 4)} | ${pad(p.duplicated.length, 10)} | ${pad(p.noRow.length, 6)} | ${outcomes}`,
    );
  }
  const total = (f: (p: PhaseOutcome) => number) => r.phases.reduce((n, p) => n + f(p), 0);
  const accepted = total((p) => p.result.accepted.length);
  const lost = total((p) => p.lost.length);
  const duplicated = total((p) => p.duplicated.length);
  const noRow = total((p) => p.noRow.length);
  out.push(
    `| total               | ${pad((r.totalMs / 1000).toFixed(1), 6)} | ${pad(
      total((p) => p.result.sent),
      5,
    )} | ${pad(accepted, 8)} | ${pad(lost, 4)} | ${pad(duplicated, 10)} | ${pad(noRow, 6)} |`,
  );
  out.push('');
  out.push(`| figure                                   | value |`);
  out.push(`|------------------------------------------|------:|`);
  const row = (name: string, v: number | string) => out.push(`| ${name.padEnd(40)} | ${pad(v, 5)} |`);
  row('accepted (202, distinct leads)', accepted);
  row('lost (202, never a visible outcome)', lost);
  row('duplicated (> 1 assignment row)', duplicated);
  row('assigned without an assignment row', noRow);
  row(`stuck (> ${r.stuck.maxAttempts} attempts, of ${r.stuck.running} running)`, r.stuck.stuck.length);
  row('5xx on bad input', r.fiveXxOnBadInput);
  row('non-problem+json error answers', r.nonProblem);
  row('other failures (listed below)', r.failures.length);
  out.push('');
  out.push(
    `timings: start-up ${(r.startupMs / 1000).toFixed(1)} s, ${r.phases.map((p) => `${p.result.name} ${(p.result.ms / 1000).toFixed(1)} s`).join(', ')}, final settle ${(r.settleMs / 1000).toFixed(1)} s, total ${(r.totalMs / 1000).toFixed(1)} s`,
  );
  for (const p of r.phases) {
    const figs = Object.entries(p.result.figures)
      .map(([k, v]) => `${k} ${v}`)
      .join('; ');
    if (figs) out.push(`${p.result.name}: ${figs}`);
  }
  const lines = [
    ...r.failures,
    ...r.phases.flatMap((p) => [
      ...(p.lost.length ? [`${p.result.name}: lost ${p.lost.slice(0, 5).join(', ')}${p.lost.length > 5 ? ', ...' : ''}`] : []),
      ...(p.duplicated.length ? [`${p.result.name}: duplicated ${p.duplicated.slice(0, 5).join(', ')}`] : []),
      ...(p.noRow.length ? [`${p.result.name}: no assignment row ${p.noRow.slice(0, 5).join(', ')}`] : []),
    ]),
    ...r.stuck.stuck.slice(0, 10).map((s) => `stuck: ${s.workflowId} ${s.what} attempt ${s.attempt}: ${s.failure.slice(0, 160)}`),
  ];
  out.push('');
  if (r.fiveXxOnBadInput > 0 || r.nonProblem > 0) lines.push(`fuzz: ${r.fiveXxOnBadInput} 5xx and ${r.nonProblem} non-problem+json answers to bad input (examples in the fuzz lines above)`);
  out.push(!failed(r) ? 'result: PASS' : `result: FAIL\n${lines.map((l) => `  - ${l}`).join('\n')}`);
  return `${out.join('\n')}\n`;
}

/** Whether the run failed: any figure that must be zero is not, or any phase reported a failure. */
export function failed(r: RunFigures): boolean {
  const any = (f: (p: PhaseOutcome) => number) => r.phases.some((p) => f(p) > 0);
  return any((p) => p.lost.length) || any((p) => p.duplicated.length) || any((p) => p.noRow.length) || r.stuck.stuck.length > 0 || r.fiveXxOnBadInput > 0 || r.nonProblem > 0 || r.failures.length > 0;
}
