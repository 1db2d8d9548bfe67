import { isKind, type Kind } from '../rules/kinds.ts';
import type { Decision, Facts } from '../rules/types.ts';
import { decideAttract, type AttractOutcome, type Decides } from './attract.ts';
import { replayable, unreplayableReason } from './read.ts';
import type { StoredDecision } from './types.ts';

/** A revision to replay under: a loaded rules engine, or anything that decides and names its revision. */
export interface ReplayEngine extends Decides {
  readonly revision: { id: string };
  has?(kind: Kind): boolean;
}

/**
 * One recorded decision decided again: its outcome, "the record would not have got here", or why it could not be
 * (said without naming the revision: the caller knows which one it asked).
 */
export type Replayed = { state: 'decided'; outcome: unknown; matched: string[] } | { state: 'notReached' } | { state: 'unreplayable'; reason: string };

export const NO_FACTS = 'recorded before decisions carried their facts';

const ATTRACT_KINDS = ['data-quality', 'disqualification', 'icp', 'qualification'] as const;
/** Decisions a lead only meets once it is an MQL: under a revision that does not qualify it, they never happen. */
const SALES_KINDS = new Set<string>(['routing', 'sla']);

const recordKey = (d: StoredDecision) => `${d.entity}\0${d.entityId}`;
const isAttract = (d: StoredDecision) => d.entity === 'lead' && d.occasion.startsWith('attract:');

/**
 * Decides every recorded decision again under one revision, in the order they were made, answering one result per
 * input (same index). The four Attract kinds of one evaluation are decided together, so a changed ICP tier flows
 * into qualification, and each lead carries its replayed tier and status forward: a later decision reading `icp`
 * sees the replayed tier, and a routing or SLA decision of a lead this revision would not have qualified is
 * `notReached`. Everything else is decided on the facts it was recorded with.
 */
export function replayDecisions(decisions: readonly StoredDecision[], engine: ReplayEngine): Replayed[] {
  const out: Replayed[] = new Array(decisions.length);
  const groups = attractGroups(decisions);
  const state = new Map<string, { tier: string | null; status: string }>();
  const missing = (kind: string): Replayed | null => {
    if (!isKind(kind)) return { state: 'unreplayable', reason: `unknown decision kind ${kind}` };
    if (engine.has && !engine.has(kind)) return { state: 'unreplayable', reason: `no ${kind} rules` };
    return null;
  };
  const failed = (e: unknown): Replayed => ({ state: 'unreplayable', reason: `evaluation error: ${(e as Error)?.message ?? String(e)}` });

  for (let i = 0; i < decisions.length; i++) {
    if (out[i]) continue;
    const d = decisions[i]!;
    const group = isAttract(d) ? groups.get(`${recordKey(d)}\0${d.occasion}`) : undefined;
    if (group) {
      const result = replayAttract(
        group.map((j) => decisions[j]!),
        engine,
        missing,
        failed,
      );
      group.forEach((j, n) => (out[j] = result.rows[n]!));
      // An evaluation that could not be replayed leaves the lead's state unknown: later decisions use their own facts.
      if (result.decided) state.set(recordKey(d), { tier: result.decided.tier, status: result.decided.status });
      else state.delete(recordKey(d));
      continue;
    }
    if (!replayable(d)) {
      out[i] = { state: 'unreplayable', reason: unreplayableReason(d) ?? NO_FACTS };
      continue;
    }
    const unknown = missing(d.kind);
    if (unknown) {
      out[i] = unknown;
      continue;
    }
    const derived = d.entity === 'lead' ? state.get(recordKey(d)) : undefined;
    if (derived && SALES_KINDS.has(d.kind) && derived.status !== 'mql') {
      out[i] = { state: 'notReached' };
      continue;
    }
    const facts = derived && isRecord(d.facts.icp) ? { ...d.facts, icp: { ...d.facts.icp, tier: derived.tier } } : d.facts;
    try {
      out[i] = decided(engine.decide(d.kind, facts as Facts));
    } catch (e) {
      out[i] = failed(e);
    }
  }
  return out;
}

function replayAttract(rows: StoredDecision[], engine: ReplayEngine, missing: (kind: string) => Replayed | null, failed: (e: unknown) => Replayed): { rows: Replayed[]; decided?: AttractOutcome } {
  const all = (r: Replayed) => ({ rows: rows.map(() => r) });
  const notReplayable = rows.find((r) => !replayable(r));
  if (notReplayable) return all({ state: 'unreplayable', reason: unreplayableReason(notReplayable) ?? NO_FACTS });
  for (const k of ATTRACT_KINDS) {
    const m = missing(k);
    if (m) return all(m);
  }
  // The qualification row's facts also hold the ICP result it was given; the other three hold the base facts.
  const baseRow = rows.find((r) => r.kind !== 'qualification');
  const base = baseRow ? baseRow.facts : withoutIcp(rows[0]!.facts);
  let a: AttractOutcome;
  try {
    a = decideAttract(engine, base as Facts);
  } catch (e) {
    return all(failed(e));
  }
  const byKind: Record<string, Decision> = { 'data-quality': a.quality, disqualification: a.disqualification, icp: a.icp, qualification: a.qualification };
  return {
    decided: a,
    rows: rows.map((r) => {
      const x = byKind[r.kind];
      if (x) return decided(x);
      // Not an Attract kind under an attract occasion: decide it alone, on its own facts.
      try {
        return missing(r.kind) ?? decided(engine.decide(r.kind, r.facts as Facts));
      } catch (e) {
        return failed(e);
      }
    }),
  };
}

/** Indices of the Attract rows of each lead's evaluation, keyed by record and occasion, in recorded order. */
function attractGroups(decisions: readonly StoredDecision[]): Map<string, number[]> {
  const groups = new Map<string, number[]>();
  decisions.forEach((d, i) => {
    if (!isAttract(d)) return;
    const k = `${recordKey(d)}\0${d.occasion}`;
    const g = groups.get(k);
    if (g) g.push(i);
    else groups.set(k, [i]);
  });
  return groups;
}

const decided = (d: Decision): Replayed => ({ state: 'decided', outcome: d.outcome, matched: d.matched });

const isRecord = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);

function withoutIcp(facts: Record<string, unknown>): Record<string, unknown> {
  const { icp: _icp, ...rest } = facts;
  return rest;
}
