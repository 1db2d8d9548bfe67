import { readFileSync } from 'node:fs';
export type Severity = 'error' | 'warning';

/** One finding about a file a person edits (config, rules, rule tests), located so an editor or CI can jump to it. */
export interface Diagnostic {
  severity: Severity;
  file: string;
  line: number;
  column: number;
  /** Human path into the document, e.g. `reps[3].timezone`. */
  path?: string;
  ruleId?: string;
  code: string;
  message: string;
}

export function formatPath(segments: readonly (string | number)[]): string {
  let out = '';
  for (const s of segments) {
    if (typeof s === 'number' || /^\d+$/.test(s)) out += `[${s}]`;
    else if (/^[A-Za-z_$][\w$-]*$/.test(s)) out += out ? `.${s}` : s;
    else out += `[${JSON.stringify(s)}]`;
  }
  return out;
}

export function formatDiagnostic(d: Diagnostic): string {
  const where = `${d.file}:${d.line}:${d.column}`;
  const rule = d.ruleId ? ` [rule ${d.ruleId}]` : '';
  const path = d.path ? `${d.path}: ` : '';
  const level = d.severity === 'warning' ? 'warning: ' : '';
  return `${where}:${rule} ${level}${path}${d.message}`;
}

/** GitHub Actions workflow commands, so findings show as annotations on the pull request. */
export function formatGithub(d: Diagnostic): string {
  const esc = (s: string) => s.replace(/%/g, '%25').replace(/\r/g, '%0D').replace(/\n/g, '%0A');
  const props = (s: string) => esc(s).replace(/:/g, '%3A').replace(/,/g, '%2C');
  const title = d.ruleId ? `rule ${d.ruleId}` : d.code;
  const text = `${d.path ? `${d.path}: ` : ''}${d.message}`;
  return `::${d.severity} file=${props(d.file)},line=${d.line},col=${d.column},title=${props(title)}::${esc(text)}`;
}

export function hasErrors(ds: readonly Diagnostic[]): boolean {
  return ds.some((d) => d.severity === 'error');
}

/** Thrown where a caller cannot go on; carries every diagnostic, not just the first. */
export class DiagnosticsError extends Error {
  constructor(readonly diagnostics: Diagnostic[]) {
    super(diagnostics.map(formatDiagnostic).join('\n'));
    this.name = 'DiagnosticsError';
  }
}

/** A YAML source's text, or a DiagnosticsError at its line 1 saying why it cannot be read (`noun`: config, plan). */
export function readSourceOrDiagnose(abs: string, shown: string, noun: string): string {
  try {
    return readFileSync(abs, 'utf8');
  } catch (e) {
    const why = (e as NodeJS.ErrnoException).code ?? (e as Error).message;
    throw new DiagnosticsError([{ severity: 'error', file: shown, line: 1, column: 1, code: `${noun}-missing`, message: `cannot read ${noun}: ${why}` }]);
  }
}
