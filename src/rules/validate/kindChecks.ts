import { durationMinutes, parseDuration } from '../durations.ts';
import type { Kind } from '../kinds.ts';
import { varPathOf, type Path } from './logic.ts';
import type { OutcomeContext } from './outcomes.ts';
import { conjuncts } from './policy.ts';

const isObj = (x: unknown): x is Record<string, unknown> => typeof x === 'object' && x !== null && !Array.isArray(x);

/** The hand-off values a condition pins `handoff.type` to, or null if it does not pin it. */
function pinnedHandoffs(when: unknown): unknown[] | null {
  for (const c of conjuncts(when)) {
    if (!isObj(c)) continue;
    const [op] = Object.keys(c);
    const args = op ? c[op] : undefined;
    if (!Array.isArray(args) || args.length !== 2) continue;
    if ((op === '==' || op === '===') && varPathOf(args[0]) === 'handoff.type') return [args[1]];
    if ((op === '==' || op === '===') && varPathOf(args[1]) === 'handoff.type') return [args[0]];
    if (op === 'in' && varPathOf(args[0]) === 'handoff.type' && Array.isArray(args[1])) return args[1];
  }
  return null;
}

function checkSla(rule: Record<string, unknown>, base: Path, ctx: OutcomeContext, pinCheck: boolean): void {
  const then = rule.then;
  if (!isObj(then)) return;
  if (pinCheck) {
    const pinned = pinnedHandoffs(rule.when);
    if (pinned === null) {
      ctx.report([...base, 'when'], 'handoff-unpinned', `decides the ${String(then.handoff)} SLA but does not check handoff.type, so it also applies to other hand-offs`, 'warning');
    } else if (!pinned.includes(then.handoff)) {
      ctx.report([...base, 'then', 'handoff'], 'handoff-mismatch', `the condition selects handoff.type ${pinned.map((p) => JSON.stringify(p)).join(' or ')} but the outcome is for "${String(then.handoff)}"`);
    }
  }
  const target = typeof then.target === 'string' ? parseDuration(then.target) : null;
  const warn = typeof then.warnAt === 'string' ? parseDuration(then.warnAt) : null;
  if (target && warn && durationMinutes(warn) >= durationMinutes(target)) {
    ctx.report([...base, 'then', 'warnAt'], 'warn-after-target', `warnAt ${String(then.warnAt)} is not before the target ${String(then.target)}: the warning would come after the breach`);
  }
}

function checkHealth(doc: Record<string, unknown>, ctx: OutcomeContext): void {
  const s = doc.scoring;
  if (!isObj(s) || !isObj(s.bands)) return;
  const min = typeof s.min === 'number' ? s.min : 0;
  const max = typeof s.max === 'number' ? s.max : 100;
  const { green, yellow } = s.bands;
  if (typeof green !== 'number' || typeof yellow !== 'number') return;
  if (min >= max) ctx.report(['scoring', 'max'], 'bad-scoring', `max (${max}) must be above min (${min})`);
  if (green <= yellow) ctx.report(['scoring', 'bands', 'green'], 'bad-scoring', `green (${green}) must be above yellow (${yellow})`);
  for (const [name, v] of [['green', green], ['yellow', yellow]] as const) {
    if (v <= min || v > max) ctx.report(['scoring', 'bands', name], 'bad-scoring', `${name} (${v}) must lie above min (${min}) and at most max (${max})`);
  }
  if (typeof s.base === 'number' && (s.base < min || s.base > max)) ctx.report(['scoring', 'base'], 'bad-scoring', `base (${s.base}) must lie within ${min}..${max}`);
  (Array.isArray(doc.rules) ? doc.rules : []).forEach((r, i) => {
    if (isObj(r) && isObj(r.then) && r.then.points === 0) ctx.report(['rules', i, 'then', 'points'], 'zero-points', 'a signal worth 0 points changes nothing', 'warning');
  });
}

/** What the schema cannot say about one kind; runs on schema-valid documents only. */
export function checkKind(kind: Kind, doc: Record<string, unknown>, ctx: OutcomeContext): void {
  const rules = Array.isArray(doc.rules) ? doc.rules : [];
  if (kind === 'sla') {
    rules.forEach((r, i) => isObj(r) && checkSla(r, ['rules', i], ctx, true));
    if (isObj(doc.noMatch) && isObj(doc.noMatch.outcome)) checkSla({ then: doc.noMatch.outcome }, ['noMatch'], { ...ctx, report: (p, c, m, s) => ctx.report(p.map((x) => (x === 'then' ? 'outcome' : x)), c, m, s) }, false);
  }
  if (kind === 'health') checkHealth(doc, ctx);
  if (kind === 'routing') {
    rules.forEach((r, i) => {
      if (isObj(r) && isObj(r.then) && r.then.strategy === 'account-owner' && r.then.queue !== undefined) {
        ctx.report(['rules', i, 'then', 'queue'], 'ignored-field', 'queue is ignored with strategy account-owner; use fallbackQueue', 'warning');
      }
    });
  }
}
