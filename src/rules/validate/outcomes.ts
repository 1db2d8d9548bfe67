import type { Severity } from '../../diagnostics/diagnostic.ts';
import { didYouMean } from '../../diagnostics/suggest.ts';
import type { FlywheelConfig } from '../../config/types.ts';
import { isZeroDuration, parseDuration } from '../durations.ts';
import type { KindSpec, RefField, RefType } from '../kinds.ts';
import type { FactsIndex } from './factsPaths.ts';
import type { Path } from './logic.ts';

export type ConfigIds = Record<RefType, ReadonlySet<string>>;

export function configIds(cfg: FlywheelConfig): ConfigIds {
  return {
    queue: new Set((cfg.queues ?? []).map((q) => q.id)),
    team: new Set(cfg.teams.map((t) => t.id)),
    rep: new Set(cfg.reps.map((r) => r.id)),
    calendar: new Set(cfg.calendars.map((c) => c.id)),
  };
}

export interface OutcomeContext {
  ids: ConfigIds;
  facts: FactsIndex;
  spec: KindSpec;
  report(path: Path, code: string, message: string, severity?: Severity): void;
}

const isObj = (x: unknown): x is Record<string, unknown> => typeof x === 'object' && x !== null && !Array.isArray(x);

/** Values at a field pattern, where `*` is every array element or map value. */
export function valuesAt(value: unknown, pattern: readonly string[], base: Path = []): { path: Path; value: unknown }[] {
  if (pattern.length === 0) return value === undefined ? [] : [{ path: base, value }];
  const [head, ...rest] = pattern as [string, ...string[]];
  if (head === '*') {
    if (Array.isArray(value)) return value.flatMap((v, i) => valuesAt(v, rest, [...base, i]));
    if (isObj(value)) return Object.entries(value).flatMap(([k, v]) => valuesAt(v, rest, [...base, k]));
    return [];
  }
  return isObj(value) && Object.hasOwn(value, head) ? valuesAt(value[head], rest, [...base, head]) : [];
}

function checkRef(field: RefField, v: { path: Path; value: unknown }, ctx: OutcomeContext): void {
  if (typeof v.value !== 'string') return;
  const keywords = field.keywords ?? [];
  if (keywords.includes(v.value) || field.types.some((t) => ctx.ids[t].has(v.value as string))) return;
  const what = field.types.join(' or ');
  const hint = didYouMean(v.value, [...field.types.flatMap((t) => [...ctx.ids[t]]), ...keywords]);
  const also = keywords.length ? ` or ${keywords.map((k) => `"${k}"`).join(', ')}` : '';
  ctx.report(v.path, `unknown-${field.types.join('-or-')}`, `unknown ${what} "${v.value}"${hint || `: expected a ${what} id from the config${also}`}`);
}

function checkDuration(v: { path: Path; value: unknown }, ctx: OutcomeContext): void {
  if (typeof v.value !== 'string' || v.value.endsWith('%')) return;
  // The grammar is the schema's pattern (reported there); this adds what a pattern cannot say.
  const d = parseDuration(v.value);
  if (d && isZeroDuration(d)) ctx.report(v.path, 'bad-duration', `"${v.value}" is zero; a duration must be longer than that`);
}

function checkFactPath(v: { path: Path; value: unknown }, ctx: OutcomeContext): void {
  if (typeof v.value !== 'string') return;
  const segs = v.value.split('.');
  if (!ctx.spec.facts.includes(segs[0]!)) {
    ctx.report(v.path, 'fact-not-available', `"${v.value}" is not a fact ${ctx.spec.kind} rules see: they may read ${ctx.spec.facts.join(', ')}`);
    return;
  }
  const r = ctx.facts.resolve(ctx.facts.root, segs);
  if (!r.ok) {
    const near = ctx.facts.suggest(v.value, ctx.spec.facts);
    ctx.report(v.path, 'undeclared-fact', `undeclared fact "${v.value}"${near ? ` (did you mean "${near}"?)` : ''}`);
  }
}

/** Checks a rule's `then` (or a noMatch outcome) at `base`. */
export function checkOutcome(outcome: unknown, base: Path, ctx: OutcomeContext): void {
  for (const f of ctx.spec.refs) for (const v of valuesAt(outcome, f.path, base)) checkRef(f, v, ctx);
  for (const p of ctx.spec.durations) for (const v of valuesAt(outcome, p, base)) checkDuration(v, ctx);
  for (const p of ctx.spec.factPaths) for (const v of valuesAt(outcome, p, base)) checkFactPath(v, ctx);
}

/** Checks set-level fields (health's scoring section). */
export function checkSetFields(doc: unknown, ctx: OutcomeContext): void {
  for (const f of ctx.spec.setRefs ?? []) for (const v of valuesAt(doc, f.path)) checkRef(f, v, ctx);
  for (const p of ctx.spec.setDurations ?? []) for (const v of valuesAt(doc, p)) checkDuration(v, ctx);
}
