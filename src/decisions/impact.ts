import { isDeepStrictEqual } from 'node:util';
import type { Kind } from '../rules/kinds.ts';
import type { StoredShadow } from './read.ts';
import { NO_FACTS, replayDecisions, type ReplayEngine, type Replayed } from './replay.ts';
import { matchChanges, outcomeLabel, transition, type Transition } from './transitions.ts';
import type { StoredDecision } from './types.ts';

export interface TransitionCount extends Transition {
  count: number;
  /** Ids of the first records (in time order) that changed this way. */
  examples: string[];
}

export interface RuleCount {
  rule: string;
  count: number;
}

export interface KindImpact {
  kind: string;
  /** Decided under both revisions; null for a shadow report, which only records disagreements. */
  replayed: number | null;
  unchanged: number | null;
  changed: number;
  couldNotReplay: number;
  transitions: TransitionCount[];
  newlyMatching: RuleCount[];
  noLongerMatching: RuleCount[];
}

/** One side of the comparison: base and head (impact), or live and shadow (shadow report). */
export interface ImpactSide {
  label: string;
  /** The git ref or folder it was loaded from, when there is one. */
  ref?: string;
  revisions: string[];
}

/** The one report shape of `rules impact` and `rules shadow-report`; the renderers read only this. */
export interface ImpactReport {
  source: 'impact' | 'shadow';
  before: ImpactSide;
  after: ImpactSide;
  /** Decision rows read (impact) or disagreement rows read (shadow). */
  decisions: number;
  window: { since: string | null; first: string | null; last: string | null };
  /** Decisions that came out differently. */
  flips: number;
  kinds: KindImpact[];
  couldNotReplay: { reason: string; count: number }[];
  examplesPerTransition: number;
  note: string;
}

export const LIVE_STATE_NOTE =
  'Outcomes that depend on live state are compared at the rule-outcome level: routing and CS routing by strategy and queue (not which rep of a round robin or pool), SLA by target, warning, calendar and escalation (not which deadline on which calendar).';

const NOT_REACHED = 'not reached';
// Lifecycle order: how a reviewer reads a lead's path, then the account's.
const ORDER = ['data-quality', 'disqualification', 'icp', 'qualification', 'routing', 'sla', 'recycling', 'handoff', 'cs-routing', 'health', 'renewal'];

type Side = Exclude<Replayed, { state: 'unreplayable' }>;

/** How one decision moved between two sides, or null when it came out the same. */
export function change(kind: Kind, before: Side, after: Side): Transition | null {
  if (before.state === 'notReached' && after.state === 'notReached') return null;
  if (after.state === 'notReached') {
    const from = outcomeLabel(kind, (before as { outcome: unknown }).outcome);
    return { label: `${from} -> ${NOT_REACHED}`, from, to: NOT_REACHED, meaning: 'would not have reached sales' };
  }
  if (before.state === 'notReached') {
    const to = outcomeLabel(kind, after.outcome);
    return { label: `${NOT_REACHED} -> ${to}`, from: NOT_REACHED, to, meaning: 'would have reached sales' };
  }
  // Most replayed decisions come out the same: a structural comparison settles those without serialising both.
  const sameRules = before.matched.length === after.matched.length && before.matched.every((r, i) => r === after.matched[i]);
  if (sameRules && isDeepStrictEqual(before.outcome, after.outcome)) return null;
  const t = transition(kind, before.outcome, after.outcome);
  if (t) return t;
  if (sameRules) return null;
  const same = outcomeLabel(kind, before.outcome);
  return { label: `${same} (other rules)`, from: same, to: same };
}

class KindTally {
  replayed = 0;
  changed = 0;
  couldNotReplay = 0;
  readonly transitions = new Map<string, TransitionCount>();
  readonly newly = new Map<string, number>();
  readonly noLonger = new Map<string, number>();
  constructor(readonly kind: string) {}
}

/** Counts pairs of outcomes per kind: transitions with examples, rule matches gained and lost, what could not be replayed. */
class Tally {
  private readonly kinds = new Map<string, KindTally>();
  private readonly reasons = new Map<string, number>();
  constructor(private readonly examples: number) {}

  private of(kind: string): KindTally {
    let k = this.kinds.get(kind);
    if (!k) this.kinds.set(kind, (k = new KindTally(kind)));
    return k;
  }

  unreplayable(kind: string, reason: string): void {
    this.of(kind).couldNotReplay++;
    this.reasons.set(reason, (this.reasons.get(reason) ?? 0) + 1);
  }

  pair(kind: string, id: string, before: Side, after: Side): void {
    const k = this.of(kind);
    k.replayed++;
    const t = change(kind as Kind, before, after);
    if (!t) return;
    k.changed++;
    let c = k.transitions.get(t.label);
    if (!c) k.transitions.set(t.label, (c = { ...t, count: 0, examples: [] }));
    c.count++;
    if (c.examples.length < this.examples && !c.examples.includes(id)) c.examples.push(id);
    if (before.state === 'decided' && after.state === 'decided') {
      const m = matchChanges(before.matched, after.matched);
      for (const r of m.newly) k.newly.set(r, (k.newly.get(r) ?? 0) + 1);
      for (const r of m.noLonger) k.noLonger.set(r, (k.noLonger.get(r) ?? 0) + 1);
    }
  }

  kindsReport(counted: boolean): KindImpact[] {
    const rank = (k: string) => (ORDER.includes(k) ? ORDER.indexOf(k) : ORDER.length);
    const rules = (m: Map<string, number>) => [...m].map(([rule, count]) => ({ rule, count })).sort((a, b) => b.count - a.count || cmp(a.rule, b.rule));
    return [...this.kinds.values()]
      .sort((a, b) => rank(a.kind) - rank(b.kind) || cmp(a.kind, b.kind))
      .map((k) => ({
        kind: k.kind,
        replayed: counted ? k.replayed : null,
        unchanged: counted ? k.replayed - k.changed : null,
        changed: k.changed,
        couldNotReplay: k.couldNotReplay,
        transitions: [...k.transitions.values()].sort((a, b) => b.count - a.count || cmp(a.label, b.label)),
        newlyMatching: rules(k.newly),
        noLongerMatching: rules(k.noLonger),
      }));
  }

  reasonsReport(): { reason: string; count: number }[] {
    return [...this.reasons].map(([reason, count]) => ({ reason, count })).sort((a, b) => b.count - a.count || cmp(a.reason, b.reason));
  }
}

const cmp = (a: string, b: string) => (a < b ? -1 : a > b ? 1 : 0);

function timeWindow(ats: readonly string[], since: string | null | undefined): ImpactReport['window'] {
  let first: string | null = null;
  let last: string | null = null;
  let lo = Infinity;
  let hi = -Infinity;
  for (const at of ats) {
    const t = Date.parse(at);
    if (t < lo) [lo, first] = [t, at];
    if (t > hi) [hi, last] = [t, at];
  }
  return { since: since ?? null, first, last };
}

/** Why a decision could not be compared, naming the revision(s) it failed under (facts missing fail under both). */
function whyNot(b: Replayed, a: Replayed): string {
  if (b.state === 'unreplayable' && a.state === 'unreplayable') {
    if (b.reason !== a.reason) return `${b.reason} (base); ${a.reason} (head)`;
    return b.reason === NO_FACTS ? b.reason : `${b.reason} (base and head)`;
  }
  return b.state === 'unreplayable' ? `${b.reason} (base)` : `${(a as { reason: string }).reason} (head)`;
}

export interface ImpactOptions {
  /** The git ref the base revision was loaded from (`HEAD`, `origin/main`). */
  baseRef?: string;
  /** Where the head revision comes from (the working tree's rules folder). */
  headRef?: string;
  since?: string | null;
  /** Example records per transition (default 3). */
  examples?: number;
}

/**
 * What a rules change would have done to the recorded decisions: each is decided again under the base and the
 * head revision (see replayDecisions) and the two are compared, decision by decision.
 */
export function impact(decisions: readonly StoredDecision[], base: ReplayEngine, head: ReplayEngine, opts: ImpactOptions = {}): ImpactReport {
  const examples = opts.examples ?? 3;
  const before = replayDecisions(decisions, base);
  const after = replayDecisions(decisions, head);
  const tally = new Tally(examples);
  decisions.forEach((d, i) => {
    const b = before[i]!;
    const a = after[i]!;
    if (b.state === 'unreplayable' || a.state === 'unreplayable') tally.unreplayable(d.kind, whyNot(b, a));
    else tally.pair(d.kind, d.entityId, b, a);
  });
  const kinds = tally.kindsReport(true);
  return {
    source: 'impact',
    before: { label: 'base', ...(opts.baseRef ? { ref: opts.baseRef } : {}), revisions: [base.revision.id] },
    after: { label: 'head', ...(opts.headRef ? { ref: opts.headRef } : {}), revisions: [head.revision.id] },
    decisions: decisions.length,
    window: timeWindow(
      decisions.map((d) => d.at),
      opts.since,
    ),
    flips: kinds.reduce((n, k) => n + k.changed, 0),
    kinds,
    couldNotReplay: tally.reasonsReport(),
    examplesPerTransition: examples,
    note: LIVE_STATE_NOTE,
  };
}

/** The shadow revision's recorded disagreements, in the impact report's shape: live -> shadow. */
export function shadowImpact(rows: readonly StoredShadow[], opts: { since?: string | null; examples?: number } = {}): ImpactReport {
  const examples = opts.examples ?? 3;
  const tally = new Tally(examples);
  const live = new Set<string>();
  const shadow = new Set<string>();
  for (const r of rows) {
    live.add(r.live.revision);
    shadow.add(r.shadow.revision);
    tally.pair(r.kind, r.entityId, { state: 'decided', ...r.live }, { state: 'decided', ...r.shadow });
  }
  const kinds = tally.kindsReport(false);
  return {
    source: 'shadow',
    before: { label: 'live', revisions: [...live] },
    after: { label: 'shadow', revisions: [...shadow] },
    decisions: rows.length,
    window: timeWindow(
      rows.map((r) => r.at),
      opts.since,
    ),
    flips: kinds.reduce((n, k) => n + k.changed, 0),
    kinds,
    couldNotReplay: [],
    examplesPerTransition: examples,
    note: LIVE_STATE_NOTE,
  };
}
