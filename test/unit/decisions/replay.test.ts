import { describe, expect, it } from 'vitest';
import { NO_FACTS, replayDecisions, type ReplayEngine } from '../../../src/decisions/replay.ts';
import type { StoredDecision } from '../../../src/decisions/types.ts';
import { decisions, revisions } from './impactFixture.ts';

const { base, head } = revisions();
const all = decisions();
const of = (id: string, kind?: string) => all.filter((d) => d.entityId === id && (!kind || d.kind === kind));
const outcomes = (ds: StoredDecision[], engine: ReplayEngine) => replayDecisions(ds, engine).map((r) => (r.state === 'decided' ? r.outcome : r));

describe('replaying recorded decisions under one revision', () => {
  it('decides the Attract rows of one evaluation together, so the replayed tier reaches qualification', () => {
    const l2 = of('L2').filter((d) => d.occasion.startsWith('attract:'));
    expect(outcomes(l2, base).slice(2)).toEqual([{ tier: 'B' }, { status: 'mql' }]);
    expect(outcomes(l2, head).slice(2)).toEqual([{ tier: 'C' }, { status: 'nurture' }]);
  });

  it('marks the routing and SLA of a lead the revision would not have qualified as not reached', () => {
    expect(replayDecisions(of('L2'), head).slice(4)).toEqual([{ state: 'notReached' }, { state: 'notReached' }]);
    expect(
      replayDecisions(of('L2'), base)
        .slice(4)
        .map((r) => r.state),
    ).toEqual(['decided', 'decided']);
  });

  it('gives later decisions the replayed tier in place of the recorded one', () => {
    // Recorded as tier D (under some older rules); the replayed Attract says A, so routing reads A.
    const l4 = of('L4').map((d) => (d.kind === 'routing' ? { ...d, facts: { ...d.facts, icp: { tier: 'D' } } } : d));
    expect(outcomes(l4, base)[4]).toEqual({ strategy: 'queue', queue: 'enterprise-emea' });
    // Without its Attract rows (cut off by --since), a decision is replayed on its recorded facts.
    expect(outcomes(l4.slice(4, 5), base)).toEqual([{ strategy: 'queue', queue: 'mid-market' }]);
  });

  it('uses the recorded facts after an evaluation that could not be replayed', () => {
    const noFacts = of('L4').map((d) => (d.occasion.startsWith('attract:') ? { ...d, facts: undefined as unknown as Record<string, unknown> } : d));
    const r = replayDecisions(noFacts, head);
    expect(r.slice(0, 4)).toEqual(Array(4).fill({ state: 'unreplayable', reason: NO_FACTS }));
    expect(r[4]).toEqual({ state: 'decided', outcome: { strategy: 'queue', queue: 'enterprise-emea' }, matched: ['route-enterprise'] });
  });

  it("does not replay a forgotten record: its erased facts would decide differently for no rule's sake", () => {
    const erased = of('L4').map((d) => ({ ...d, erasedAt: '2026-03-10T00:00:00.000Z' }));
    expect(replayDecisions(erased, head).map((r) => r.state === 'unreplayable' && r.reason)).toEqual(Array(erased.length).fill('personal facts erased (flywheel ledger forget)'));
  });

  it('replays account decisions on their recorded facts', () => {
    expect(replayDecisions(of('A1'), head)).toEqual([{ state: 'decided', outcome: expect.objectContaining({ target: '1d' }), matched: ['sla-default'] }]);
  });

  it('says why a decision could not be replayed: no facts, no rules of its kind, an unknown kind, an evaluation error', () => {
    const noSla: ReplayEngine = { revision: base.revision, has: (k) => k !== 'sla' && base.has(k), decide: (k, f) => base.decide(k, f) };
    const throwing: ReplayEngine = {
      revision: base.revision,
      decide: (k, f) => {
        if (k === 'routing') throw new Error('boom');
        return base.decide(k, f);
      },
    };
    expect(replayDecisions(of('L5'), base)).toEqual([
      { state: 'unreplayable', reason: NO_FACTS },
      { state: 'unreplayable', reason: NO_FACTS },
    ]);
    expect(replayDecisions(of('L1', 'sla'), noSla)).toEqual([{ state: 'unreplayable', reason: 'no sla rules' }]);
    expect(replayDecisions(of('L1', 'routing'), throwing)).toEqual([{ state: 'unreplayable', reason: 'evaluation error: boom' }]);
    const odd = { ...of('A1')[0]!, kind: 'forecast' } as unknown as StoredDecision;
    expect(replayDecisions([odd], base)).toEqual([{ state: 'unreplayable', reason: 'unknown decision kind forecast' }]);
  });

  it('answers one result per input, in input order, whatever order the rows of one evaluation come in', () => {
    const l1 = of('L1');
    const shuffled = [...l1.slice(0, 4).reverse(), ...l1.slice(4)];
    const r = replayDecisions(shuffled, head);
    expect(r.map((x) => (x.state === 'decided' ? (x.matched[0] ?? 'none') : x.state))).toEqual(['qual-hand-raiser', 'icp-c-small', 'none', 'none', 'route-mid-market', 'sla-default']);
  });

  it("decides in time order: a decision before the lead's evaluation does not see its replayed tier", () => {
    const l1 = of('L1');
    const early = [...l1.slice(4), ...l1.slice(0, 4)];
    expect(
      replayDecisions(early, head)
        .map((x) => (x.state === 'decided' ? x.matched[0] : x.state))
        .slice(0, 2),
    ).toEqual(['route-mid-market', 'sla-tier-b']);
  });
});
