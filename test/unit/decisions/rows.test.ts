import { describe, expect, it } from 'vitest';
import { decisionRows } from '../../../activities/decisionRows.ts';
import { routingCandidates } from '../../../src/decisions/candidates.ts';
import { canonical, sameDecision } from '../../../src/decisions/rows.ts';
import { matchChanges, transition } from '../../../src/decisions/transitions.ts';
import { validateEvents } from '../../../src/ledger/validate.ts';
import { loadRules } from '../../../src/rules/load.ts';
import type { RulesEngine } from '../../../src/rules/engine.ts';
import type { ShadowRules } from '../../../src/rules/shadow.ts';

const live = loadRules('rules');
const facts = { now: '2026-03-02T09:00:00Z', lead: { employees: 1500, region: 'na', industry: 'software', technologies: ['snowflake'] }, account: { customer: false } };
const subject = { entity: 'lead' as const, id: 'L-1', occasion: 'attract:2026-03-02T09:00:00.000Z' };
/** A shadow that decides with `engine`, or throws. */
const shadowOf = (engine: Pick<RulesEngine, 'has' | 'decide'> | Error) =>
  ({
    get: () => {
      if (engine instanceof Error) throw engine;
      return engine;
    },
    failed: (e: unknown) => failures.push(e),
  }) as unknown as ShadowRules;
const failures: unknown[] = [];

describe('the decision rows', () => {
  it('carry kind, outcome, matched rules, revision, inputs and the complete facts, under the one key builder', () => {
    const d = live.decide('icp', facts);
    const [row, ...rest] = decisionRows({}, subject, d, facts, { at: '2026-03-02T09:00:00.000Z', stage: 'Attract', source: 'webinar', result: { tier: 'A' } });
    expect(rest).toEqual([]);
    expect(row).toMatchObject({
      key: 'decision:lead:L-1:attract:2026-03-02T09:00:00.000Z:icp',
      type: 'decision.recorded',
      leadId: 'L-1',
      workflowId: 'lead:L-1',
      stage: 'Attract',
      rulesRevision: live.revision.id,
      data: { kind: 'icp', entity: 'lead', matched: ['icp-a-enterprise-data-stack'], outcome: { tier: 'A' }, facts, source: 'webinar', result: { tier: 'A' } },
    });
    expect((row!.data as { inputs: Record<string, unknown> }).inputs['lead.employees']).toBe(1500);
    expect(() => validateEvents([row])).not.toThrow();
  });

  it('add a shadow row only when the shadow decides the same facts differently, and never fail for the shadow', () => {
    const d = live.decide('icp', facts);
    const agreeing = decisionRows({ shadow: shadowOf(live) }, subject, d, facts, { at: facts.now });
    expect(agreeing.map((r) => r.type)).toEqual(['decision.recorded']);
    const other = { has: () => true, decide: () => ({ ...d, outcome: { tier: 'C' }, matched: ['icp-c'], revision: { ...d.revision, id: 'cand+1234' } }) };
    const rows = decisionRows({ shadow: shadowOf(other as unknown as RulesEngine) }, subject, d, facts, { at: facts.now });
    expect(rows.map((r) => r.type)).toEqual(['decision.recorded', 'decision.shadowed']);
    expect(rows[1]).toMatchObject({
      key: 'decision:lead:L-1:attract:2026-03-02T09:00:00.000Z:icp:shadow',
      data: { live: { outcome: { tier: 'A' }, revision: live.revision.id }, shadow: { outcome: { tier: 'C' }, matched: ['icp-c'], revision: 'cand+1234' }, facts },
    });
    const broken = decisionRows({ shadow: shadowOf(new Error('shadow rules at candidate are invalid')) }, subject, d, facts, { at: facts.now });
    expect(broken.map((r) => r.type)).toEqual(['decision.recorded']);
    expect(String(failures.at(-1))).toMatch(/invalid/);
  });

  it('compare outcomes whatever their key order', () => {
    expect(canonical({ b: 1, a: { d: 2, c: 3 } })).toBe(canonical({ a: { c: 3, d: 2 }, b: 1 }));
    expect(sameDecision({ matched: ['x'], outcome: { tier: 'A', reason: 'r' } }, { matched: ['x'], outcome: { reason: 'r', tier: 'A' } })).toBe(true);
    expect(sameDecision({ matched: ['x'], outcome: { tier: 'A' } }, { matched: ['y'], outcome: { tier: 'A' } })).toBe(false);
  });
});

describe('routing candidates', () => {
  it('name every rep looked at with why they were skipped, passed over or chosen', () => {
    const c = routingCandidates({
      rep: 'mia',
      queue: 'mid-market',
      skipped: [
        { rep: 'noah', reason: 'mid-market: breached this lead before' },
        { rep: 'liam', reason: 'mid-market: at capacity (3/3)' },
        { rep: 'ana', reason: 'mid-market: out-of-office' },
      ],
      passed: [{ rep: 'ben', queue: 'mid-market' }],
      hold: null,
    });
    expect(c).toEqual([
      { rep: 'noah', queue: 'mid-market', verdict: 'excluded', detail: 'breached this lead before' },
      { rep: 'liam', queue: 'mid-market', verdict: 'at-capacity', detail: 'at capacity (3/3)' },
      { rep: 'ana', queue: 'mid-market', verdict: 'out-of-office' },
      { rep: 'ben', queue: 'mid-market', verdict: 'weight-turn' },
      { rep: 'mia', queue: 'mid-market', verdict: 'chosen' },
    ]);
  });
});

describe('transitions', () => {
  it('label a change by what a reviewer compares, and say what a qualification flip means', () => {
    expect(transition('icp', { tier: 'B' }, { tier: 'A' })).toEqual({ label: 'tier B -> tier A', from: 'tier B', to: 'tier A' });
    expect(transition('qualification', { status: 'mql' }, { status: 'nurture' })).toMatchObject({ label: 'mql -> nurture', meaning: 'would not have reached sales' });
    expect(transition('routing', { strategy: 'queue', queue: 'a' }, { strategy: 'queue', queue: 'b' })?.label).toBe('queue a -> queue b');
    expect(transition('sla', { target: '4h', handoff: 'marketing-to-sales' }, { target: '2h', handoff: 'marketing-to-sales' })?.label).toBe('target 4h -> target 2h');
    expect(transition('icp', { tier: 'B', reason: 'x' }, { tier: 'B', reason: 'y' })?.label).toBe('tier B (other details)');
    expect(transition('icp', { tier: 'B' }, { tier: 'B' })).toBeNull();
    expect(transition('icp', null, { tier: 'D' })?.label).toBe('none -> tier D');
    expect(matchChanges(['a', 'b'], ['b', 'c'])).toEqual({ newly: ['c'], noLonger: ['a'] });
  });
});
