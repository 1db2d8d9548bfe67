import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { impact, shadowImpact } from '../../../src/decisions/impact.ts';
import type { StoredShadow } from '../../../src/decisions/read.ts';
import { IMPACT_MARKER, renderMarkdown, SHADOW_MARKER } from '../../../src/decisions/report/markdown.ts';
import { renderText } from '../../../src/decisions/report/text.ts';
import { decisions, goldenFile, revisions } from './impactFixture.ts';

const { base, head } = revisions();
const report = impact(decisions(), base, head, { baseRef: 'origin/main', headRef: 'rules' });

describe('the impact report', () => {
  it('renders the pull-request comment exactly as the golden file', () => {
    expect(renderMarkdown(report)).toBe(readFileSync(goldenFile, 'utf8'));
  });

  it('counts what the fixture decides by hand: tiers, qualification, and the decisions after it', () => {
    const kind = (k: string) => report.kinds.find((x) => x.kind === k)!;
    expect(report.flips).toBe(9);
    expect(report.decisions).toBe(42);
    expect(kind('icp')).toMatchObject({ replayed: 7, unchanged: 3, changed: 4, couldNotReplay: 1 });
    expect(kind('icp').transitions).toEqual([{ label: 'tier B -> tier C', from: 'tier B', to: 'tier C', count: 4, examples: ['L1', 'L2', 'L7'] }]);
    expect(kind('qualification').transitions).toEqual([{ label: 'mql -> nurture', from: 'mql', to: 'nurture', meaning: 'would not have reached sales', count: 1, examples: ['L2'] }]);
    expect(kind('routing').transitions.map((t) => [t.label, t.count])).toEqual([['queue mid-market -> not reached', 1]]);
    expect(kind('sla').transitions.map((t) => [t.label, t.count, t.examples])).toEqual([
      ['target 4h -> target 1d', 2, ['L1', 'L7']],
      ['target 4h -> not reached', 1, ['L2']],
    ]);
    expect(kind('sla')).toMatchObject({ replayed: 6, newlyMatching: [{ rule: 'sla-default', count: 2 }], noLongerMatching: [{ rule: 'sla-tier-b', count: 2 }] });
    expect(report.couldNotReplay).toEqual([
      { reason: 'recorded before decisions carried their facts', count: 2 },
      { reason: 'no renewal rules (base and head)', count: 1 },
    ]);
  });

  it('says the same in text, with the revisions, the window and the live-state note', () => {
    const text = renderText(report).join('\n');
    expect(text).toContain('Rules impact: base origin/main (base00000000+aaaaaaaa) -> head rules (head00000000+bbbbbbbb)');
    expect(text).toContain('Decisions: 42, 2026-03-02T09:00:00.000Z to 2026-03-02T09:14:00.000Z');
    expect(text).toContain('9 of 42 recorded decisions would change.');
    expect(text).toMatch(/^icp +7 +3 +4 +1$/m);
    expect(text).toContain('  mql -> nurture: 1 (would not have reached sales)  e.g. L2');
    expect(text).toContain('  no longer matching: icp-b-mid-market (4)');
    expect(text).toContain('  recorded before decisions carried their facts: 2');
    expect(text).toContain('Note: Outcomes that depend on live state are compared at the rule-outcome level');
  });

  it('limits the examples per transition', () => {
    const one = impact(decisions(), base, head, { examples: 1 });
    expect(one.kinds.find((k) => k.kind === 'icp')!.transitions[0]!.examples).toEqual(['L1']);
    expect(renderMarkdown(one)).toContain('Examples (up to 1 records per transition)');
  });

  it('keeps record ids from the ledger inside their code spans, where Markdown shows them as text', () => {
    const hostile = impact(
      decisions().map((d) => ({ ...d, entityId: d.entityId === 'L1' ? 'L1`</details><img src=x>`' : d.entityId })),
      base,
      head,
    );
    const md = renderMarkdown(hostile);
    expect(md).toContain("- icp, tier B -> tier C: `L1'</details><img src=x>'`, `L2`, `L7`");
    expect(md.replace(/`[^`\n]*`/g, '').match(/<\/?details>|<img/g)).toEqual(['<details>', '</details>']);
  });
});

describe('the shadow report', () => {
  const shadow = (entityId: string, liveTier: string, shadowTier: string, minute: number): StoredShadow => ({
    kind: 'icp',
    entity: 'lead',
    occasion: `attract:${minute}`,
    live: { revision: 'live0000+11111111', matched: [`icp-${liveTier}`], outcome: { tier: liveTier } },
    shadow: { revision: 'cand0000+22222222', matched: [`icp-${shadowTier}`], outcome: { tier: shadowTier } },
    facts: {},
    key: `k-${entityId}-${minute}`,
    at: new Date(Date.UTC(2026, 2, 3, 10, minute)).toISOString(),
    entityId,
  });
  const r = shadowImpact([shadow('L1', 'B', 'A', 0), shadow('L2', 'B', 'A', 1), shadow('L3', 'C', 'B', 2)], { since: '2026-03-01T00:00:00.000Z' });

  it('summarises disagreements live -> shadow in the impact report shape', () => {
    expect(r).toMatchObject({ source: 'shadow', flips: 3, before: { label: 'live', revisions: ['live0000+11111111'] }, after: { label: 'shadow', revisions: ['cand0000+22222222'] } });
    expect(r.kinds).toEqual([
      {
        kind: 'icp',
        replayed: null,
        unchanged: null,
        changed: 3,
        couldNotReplay: 0,
        transitions: [
          { label: 'tier B -> tier A', from: 'tier B', to: 'tier A', count: 2, examples: ['L1', 'L2'] },
          { label: 'tier C -> tier B', from: 'tier C', to: 'tier B', count: 1, examples: ['L3'] },
        ],
        newlyMatching: [
          { rule: 'icp-A', count: 2 },
          { rule: 'icp-B', count: 1 },
        ],
        noLongerMatching: [
          { rule: 'icp-B', count: 2 },
          { rule: 'icp-C', count: 1 },
        ],
      },
    ]);
  });

  it('renders with the same renderers, under its own marker', () => {
    const md = renderMarkdown(r);
    expect(md.startsWith(`${SHADOW_MARKER}\n## Shadow rules report\n`)).toBe(true);
    expect(md).not.toContain(IMPACT_MARKER);
    expect(md).toContain('| icp | 3 |');
    expect(md).toContain('| icp | tier B -> tier A | 2 |  |');
    const text = renderText(r).join('\n');
    expect(text).toContain('Shadow rules report: live (live0000+11111111) -> shadow (cand0000+22222222)');
    expect(text).toContain('Disagreements: 3, 2026-03-03T10:00:00.000Z to 2026-03-03T10:02:00.000Z, since 2026-03-01T00:00:00.000Z');
    expect(text).toContain('3 live decisions decided differently by the shadow revision.');
  });
});
