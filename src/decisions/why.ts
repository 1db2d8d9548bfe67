/**
 * "Why this owner, why this deadline": one record's decisions read back from the ledger, so the answer outlives
 * the workflow. One builder for `flywheel lead|account why --json` and GET /v1/{leads|accounts}/{id}/decisions.
 */
import type { Ledger } from '../ledger/types.ts';
import { isPersonalPath, maskValue } from '../ledger/personalData.ts';
import type { RulesEngine } from '../rules/engine.ts';
import type { Kind } from '../rules/kinds.ts';
import { readDecisions, replayable } from './read.ts';
import { outcomeLabel } from './transitions.ts';
import type { DecisionEntity, RoutingCandidate, StoredDecision } from './types.ts';

/** A matched rule, described from the current rules folder when it still has that id. */
export interface WhyRule {
  id: string;
  /** `present`: the current folder has the rule (description from there); `gone`: it no longer has it. */
  now: 'present' | 'gone' | 'unknown';
  description: string | null;
}

export interface WhyInput {
  path: string;
  /** Personal values (e-mail, phone, names...) are masked; `masked` says so. */
  value: unknown;
  masked?: true;
}

export interface WhyDecision {
  kind: Kind;
  at: string;
  outcome: unknown;
  /** The outcome as reports read it: `tier B`, `queue mid-market`, `target 4h`. */
  label: string;
  rules: WhyRule[];
  noMatch?: string;
  revision: string | null;
  inputs: WhyInput[];
  /** Routing and CS routing: each rep looked at and why they were chosen or skipped. */
  candidates?: RoutingCandidate[];
  /** What the workflow did with the decision: owner, queue, deadline... */
  result?: Record<string, unknown>;
  /** Whether the row carries the complete facts, so the decision can be decided again. */
  replayable: boolean;
  note?: string;
}

export interface WhyOccasion {
  occasion: string;
  at: string;
  revision: string | null;
  decisions: WhyDecision[];
}

export interface WhyOwner {
  owner: string | null;
  queue: string | null;
  strategy: string | null;
  /** Why routing ran: handoff, sla-breach, overflow, recycled... */
  reason: string | null;
  kind: Kind;
  rules: string[];
  revision: string | null;
  at: string;
}

export interface WhyDeadline {
  deadline: string | null;
  target: string | null;
  warnAt: string | null;
  calendar: string | null;
  owner: string | null;
  rules: string[];
  revision: string | null;
  at: string;
}

export interface WhyReassignment {
  at: string;
  from: string | null;
  to: string | null;
  reason: string;
  /** Reps routing was told to leave out (those who breached this record's SLA). */
  excluded: string[];
  rules: string[];
  revision: string | null;
}

export interface WhyAnswer {
  entity: DecisionEntity;
  id: string;
  decisions: number;
  first: string;
  last: string;
  /** The rules folder the descriptions come from, at its current revision. */
  rulesNow: { revision: string | null; error?: string };
  summary: { owner: WhyOwner | null; deadline: WhyDeadline | null; reassignments: WhyReassignment[] };
  occasions: WhyOccasion[];
}

/** The current rules, or why they could not be read (descriptions are then unknown, not "gone"). */
export type CurrentRules = { engine: RulesEngine } | { error: string };

const OLD_ROW = 'could not replay: recorded before decisions carried their facts';
const str = (v: unknown): string | null => (typeof v === 'string' ? v : null);

function describeRule(rules: CurrentRules, kind: Kind, id: string): WhyRule {
  if (!('engine' in rules)) return { id, now: 'unknown', description: null };
  const rule = rules.engine.has(kind) ? rules.engine.set(kind).rules.find((r) => r.id === id) : undefined;
  return rule ? { id, now: 'present', description: rule.description ?? null } : { id, now: 'gone', description: null };
}

function explain(d: StoredDecision, rules: CurrentRules): WhyDecision {
  const inputs = Object.entries(d.inputs ?? {}).map(([path, value]): WhyInput =>
    isPersonalPath(path) && value !== null && value !== undefined ? { path, value: maskValue(value), masked: true } : { path, value },
  );
  const ok = replayable(d) && !d.erasedAt;
  return {
    kind: d.kind,
    at: d.at,
    outcome: d.outcome,
    label: outcomeLabel(d.kind, d.outcome),
    rules: d.matched.map((id) => describeRule(rules, d.kind, id)),
    ...(d.noMatch !== undefined ? { noMatch: d.noMatch } : {}),
    revision: d.revision,
    inputs,
    ...(d.candidates ? { candidates: d.candidates } : {}),
    ...(d.result ? { result: d.result } : {}),
    replayable: ok,
    ...(ok ? {} : { note: d.erasedAt ? `could not replay: its personal facts were erased on ${d.erasedAt}` : OLD_ROW }),
  };
}

/** Decisions of one occasion (the four Attract kinds of one evaluation) belong together; old rows group by time. */
function occasionsOf(ds: readonly StoredDecision[], rules: CurrentRules): WhyOccasion[] {
  const out: WhyOccasion[] = [];
  for (const d of ds) {
    const occasion = d.occasion || `at:${d.at}`;
    const last = out.at(-1);
    if (last && last.occasion === occasion) last.decisions.push(explain(d, rules));
    else out.push({ occasion, at: d.at, revision: d.revision, decisions: [explain(d, rules)] });
  }
  return out;
}

function summary(ds: readonly StoredDecision[], entity: DecisionEntity): WhyAnswer['summary'] {
  const routingKind: Kind = entity === 'lead' ? 'routing' : 'cs-routing';
  const routes = ds.filter((d) => d.kind === routingKind);
  const lastRoute = routes.at(-1);
  const owner: WhyOwner | null = lastRoute
    ? {
        owner: str(lastRoute.result?.owner) ?? lastRoute.owner,
        queue: str(lastRoute.result?.queue),
        strategy: str(lastRoute.result?.strategy),
        reason: str(lastRoute.result?.reason),
        kind: routingKind,
        rules: lastRoute.matched,
        revision: lastRoute.revision,
        at: lastRoute.at,
      }
    : null;
  const lastSla = ds.filter((d) => d.kind === 'sla').at(-1);
  const deadline: WhyDeadline | null = lastSla
    ? {
        deadline: str(lastSla.result?.deadline),
        target: str(lastSla.result?.target) ?? str((lastSla.outcome as { target?: unknown } | null)?.target),
        warnAt: str(lastSla.result?.warnAt),
        calendar: str(lastSla.result?.calendar),
        owner: str(lastSla.result?.owner) ?? lastSla.owner,
        rules: lastSla.matched,
        revision: lastSla.revision,
        at: lastSla.at,
      }
    : null;
  const reassignments: WhyReassignment[] = [];
  let previous: string | null = null;
  for (const r of routes) {
    const to = str(r.result?.owner) ?? r.owner;
    const reason = str(r.result?.reason);
    // A first hand-off (or a recycled lead's new one) is an assignment; anything else moved the record on.
    if (reason && reason !== 'handoff' && reason !== 'recycled') {
      const exclude = Array.isArray(r.result?.exclude) ? (r.result.exclude as unknown[]).filter((x): x is string => typeof x === 'string') : [];
      reassignments.push({ at: r.at, from: previous, to, reason, excluded: exclude, rules: r.matched, revision: r.revision });
    }
    if (to) previous = to;
  }
  return { owner, deadline, reassignments };
}

/** The answer for one lead or account, or null when the ledger holds no decision of it. */
export async function whyRecord(ledger: Pick<Ledger, 'query'>, entity: DecisionEntity, id: string, rules: CurrentRules): Promise<WhyAnswer | null> {
  const ds = await readDecisions(ledger, { entity, id });
  if (ds.length === 0) return null;
  return {
    entity,
    id,
    decisions: ds.length,
    first: ds[0]!.at,
    last: ds.at(-1)!.at,
    rulesNow: 'engine' in rules ? { revision: rules.engine.revision.id } : { revision: null, error: rules.error },
    summary: summary(ds, entity),
    occasions: occasionsOf(ds, rules),
  };
}

/** The current rules for descriptions; a folder that does not load is reported, never fatal. */
export function currentRules(load: () => RulesEngine): CurrentRules {
  try {
    return { engine: load() };
  } catch (e) {
    const msg = (e as Error).message.split('\n')[0] ?? String(e);
    return { error: `the current rules did not load (${msg}): rule descriptions are not shown` };
  }
}
