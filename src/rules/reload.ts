import type { Diagnostic } from '../diagnostics/diagnostic.ts';
import { DiagnosticsError } from '../diagnostics/diagnostic.ts';
import { compileSet, type CompiledSet } from './compile.ts';
import type { Kind } from './kinds.ts';
import { rulesConfig, type LoadRulesOptions } from './load.ts';
import { validateRulesDir } from './validate/index.ts';

/** A rule set that decides, with the exact text it was compiled from (a revision hashes what decides). */
export interface SetInUse {
  kind: Kind;
  file: string;
  abs: string;
  text: string;
  compiled: CompiledSet;
}

export interface Reload {
  /** Per kind, what decides from now on: the new set when its file is valid, else the previous one. */
  sets: Map<Kind, SetInUse>;
  /** Every error that refused a file (or the whole folder); empty when everything was taken. */
  errors: Diagnostic[];
  /** Kinds that keep a previous revision's rules because their new file was refused or is gone. */
  kept: Kind[];
}

/**
 * Validates the folder and takes it kind by kind: a valid file replaces its kind's rules, an invalid one leaves
 * the kind with the rules it had, so one broken file never stops the other kinds. A kind that decided before
 * keeps deciding until a valid file of that kind replaces it, also when its file is deleted: the workflows
 * need every kind they use, and a missing kind would fail every decision. Never throws: a folder that cannot
 * be read at all is one error, and every kind is kept.
 */
export function reloadRules(dir: string, previous: ReadonlyMap<Kind, SetInUse>, opts: LoadRulesOptions = {}): Reload {
  let validation;
  try {
    validation = validateRulesDir(dir, { config: rulesConfig(dir, opts), tests: false });
  } catch (e) {
    const errors = e instanceof DiagnosticsError ? e.diagnostics.filter((d) => d.severity === 'error') : [];
    if (errors.length === 0) errors.push({ severity: 'error', file: dir, line: 1, column: 1, code: 'rules-unreadable', message: `cannot read the rules folder: ${(e as Error).message}` });
    return { sets: new Map(previous), errors, kept: [...previous.keys()] };
  }
  const errors = validation.diagnostics.filter((d) => d.severity === 'error');
  const sets = new Map<Kind, SetInUse>();
  for (const s of validation.sets) {
    const before = previous.get(s.kind);
    // An unchanged file keeps its compiled set, so an engine over unchanged kinds can stay the same object.
    const same = before && before.abs === s.abs && before.text === s.text;
    sets.set(s.kind, same ? before : { kind: s.kind, file: s.file, abs: s.abs, text: s.text, compiled: compileSet(s) });
  }
  const kept: Kind[] = [];
  for (const [kind, before] of previous) {
    if (sets.has(kind)) continue;
    sets.set(kind, before);
    kept.push(kind);
    if (!validation.files.sets.includes(before.abs) && !errors.some((d) => d.file === before.file)) {
      errors.push({
        severity: 'error',
        file: before.file,
        line: 1,
        column: 1,
        code: 'kind-removed',
        message: `the file is gone and no valid file holds the ${kind} rules; the last valid ${kind} rules keep deciding`,
      });
    }
  }
  errors.sort((a, b) => a.file.localeCompare(b.file) || a.line - b.line || a.column - b.column);
  return { sets, errors, kept };
}
