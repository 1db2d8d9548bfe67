import { durationMinutes, durationMs, MS_PER_DAY, parseDuration } from '../durations.ts';
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

/**
 * A rule whose outcome names a hand-off (`then.handoff`) must select that hand-off in its condition; otherwise
 * it also applies to the other one. `what` says what the rule decides, for the message.
 */
function checkHandoffPinned(rule: Record<string, unknown>, base: Path, ctx: OutcomeContext, what: (handoff: string) => string): void {
  const then = rule.then;
  if (!isObj(then)) return;
  const pinned = pinnedHandoffs(rule.when);
  if (pinned === null) {
    ctx.report([...base, 'when'], 'handoff-unpinned', `${what(String(then.handoff))} but does not check handoff.type, so it also applies to other hand-offs`, 'warning');
  } else if (!pinned.includes(then.handoff)) {
    ctx.report(
      [...base, 'then', 'handoff'],
      'handoff-mismatch',
      `the condition selects handoff.type ${pinned.map((p) => JSON.stringify(p)).join(' or ')} but the outcome is for "${String(then.handoff)}"`,
    );
  }
}

function checkSla(rule: Record<string, unknown>, base: Path, ctx: OutcomeContext, pinCheck: boolean): void {
  const then = rule.then;
  if (!isObj(then)) return;
  if (pinCheck) checkHandoffPinned(rule, base, ctx, (h) => `decides the ${h} SLA`);
  const target = typeof then.target === 'string' ? parseDuration(then.target) : null;
  const warn = typeof then.warnAt === 'string' ? parseDuration(then.warnAt) : null;
  if (target && warn && durationMinutes(warn) >= durationMinutes(target)) {
    ctx.report([...base, 'then', 'warnAt'], 'warn-after-target', `warnAt ${String(then.warnAt)} is not before the target ${String(then.target)}: the warning would come after the breach`);
  }
  // A pause that only a resume event ends stops the clock for good when the CRM never sends one.
  if (isObj(then.pause) && then.pause.maxPause === undefined) {
    ctx.report([...base, 'then', 'pause'], 'unbounded-pause', 'pause has no maxPause: a pause without an until lasts until a resume event, and a missed one stops the clock for good', 'warning');
  }
}

/** Sales and CS routing: the owner strategy has no queue of its own, only a fallback. */
function checkRouting(rule: Record<string, unknown>, base: Path, ctx: OutcomeContext): void {
  if (isObj(rule.then) && rule.then.strategy === 'account-owner' && rule.then.queue !== undefined) {
    ctx.report([...base, 'then', 'queue'], 'ignored-field', 'queue is ignored with strategy account-owner; use fallbackQueue', 'warning');
  }
}

/**
 * The hold policy of a sales routing rule. followTheSun is read only with outOfHours follow-the-sun; a held lead has
 * no owner, so `owner` among holdNotify would tell nobody; the rule's own queue in followTheSun is tried already.
 */
function checkHoldPolicy(outcome: unknown, base: Path, ctx: OutcomeContext): void {
  if (!isObj(outcome)) return;
  if (outcome.followTheSun !== undefined && outcome.outOfHours !== 'follow-the-sun') {
    ctx.report([...base, 'followTheSun'], 'ignored-field', 'followTheSun is used only with outOfHours: follow-the-sun', 'warning');
  }
  if (Array.isArray(outcome.followTheSun)) {
    outcome.followTheSun.forEach((q, i) => {
      if (q === outcome.queue) ctx.report([...base, 'followTheSun', i], 'ignored-field', `"${String(q)}" is the rule's own queue, which is always tried first`, 'warning');
    });
  }
  if (Array.isArray(outcome.holdNotify)) {
    outcome.holdNotify.forEach((who, i) => {
      if (who === 'owner') ctx.report([...base, 'holdNotify', i], 'no-owner', 'a held lead has no owner: "owner" tells nobody; use manager, a rep or a team', 'warning');
    });
  }
}

/**
 * Renewal reminders read as a countdown, earliest first (120d, 90d, 30d). Two offsets of the same length
 * (30d and P30D, 1d and 24h) would send the same reminder twice. Compared on the wall clock, as consumed.
 */
function checkReminders(outcome: unknown, base: Path, ctx: OutcomeContext): void {
  if (!isObj(outcome) || !Array.isArray(outcome.reminders)) return;
  const seen = new Map<number, string>();
  let previous: { ms: number; text: string } | undefined;
  let misordered = false;
  outcome.reminders.forEach((text, i) => {
    const d = typeof text === 'string' ? parseDuration(text) : null;
    if (!d) return;
    const ms = durationMs(d, MS_PER_DAY);
    const same = seen.get(ms);
    if (same !== undefined) {
      ctx.report([...base, 'reminders', i], 'duplicate-reminder', `${String(text)} is the same offset as ${same}: the reminder would be sent twice`);
      return;
    }
    seen.set(ms, String(text));
    if (previous && ms > previous.ms && !misordered) {
      misordered = true;
      ctx.report([...base, 'reminders', i], 'reminder-order', `list reminders from the earliest to the last before the contract end: ${String(text)} comes before ${previous.text}`, 'warning');
    }
    previous = { ms, text: String(text) };
  });
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
  for (const [name, v] of [
    ['green', green],
    ['yellow', yellow],
  ] as const) {
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
  const noMatch = isObj(doc.noMatch) && isObj(doc.noMatch.outcome) ? doc.noMatch.outcome : undefined;
  if (kind === 'sla') {
    rules.forEach((r, i) => isObj(r) && checkSla(r, ['rules', i], ctx, true));
    if (noMatch)
      checkSla(
        { then: noMatch },
        ['noMatch'],
        {
          ...ctx,
          report: (p, c, m, s) =>
            ctx.report(
              p.map((x) => (x === 'then' ? 'outcome' : x)),
              c,
              m,
              s,
            ),
        },
        false,
      );
  }
  if (kind === 'handoff') rules.forEach((r, i) => isObj(r) && checkHandoffPinned(r, ['rules', i], ctx, (h) => `requires fields for the ${h} hand-off`));
  if (kind === 'health') checkHealth(doc, ctx);
  if (kind === 'routing' || kind === 'cs-routing') rules.forEach((r, i) => isObj(r) && checkRouting(r, ['rules', i], ctx));
  if (kind === 'routing') {
    rules.forEach((r, i) => isObj(r) && checkHoldPolicy(r.then, ['rules', i, 'then'], ctx));
    if (noMatch) checkHoldPolicy(noMatch, ['noMatch', 'outcome'], ctx);
  }
  if (kind === 'renewal') {
    rules.forEach((r, i) => isObj(r) && checkReminders(r.then, ['rules', i, 'then'], ctx));
    if (noMatch) checkReminders(noMatch, ['noMatch', 'outcome'], ctx);
  }
}
