import { describe, expect, it } from 'vitest';
import { explain, renderExplanation } from '../../../src/rules/explain.ts';
import { loadRules } from '../../../src/rules/load.ts';
import { renderCondition } from '../../../src/rules/render.ts';
import { config, exampleRules } from './helpers.ts';

const engine = loadRules(exampleRules, { config: config() });
const facts = { lead: { country: 'US', region: 'na', employees: 2400 }, icp: { tier: 'B' }, account: { customer: false, owner: null } };

describe('explain', () => {
  it('traces every rule in order with what it matched and read, and agrees with decide', () => {
    const ex = explain(engine, 'routing', facts);
    expect(ex.decision).toEqual(engine.decide('routing', facts));
    expect(ex.rules.map((r) => [r.id, r.matched, r.applied])).toEqual([
      ['route-existing-customer', false, false],
      ['route-open-opportunity', false, false],
      ['route-enterprise-emea', false, false],
      ['route-enterprise-na', true, true],
      ['route-mid-market', false, false],
      ['route-smb', false, false],
      ['route-overflow', true, false],
    ]);
    const emea = ex.rules[2]!;
    expect(emea.clauses).toEqual([
      { condition: '(icp.tier == "A") or (lead.employees >= 1000)', holds: true },
      { condition: 'lead.region in ["emea", "apac"]', holds: false },
    ]);
    expect(emea.reads).toEqual({ 'icp.tier': 'B', 'lead.employees': 2400, 'lead.region': 'na' });
    expect(ex.rules[0]!.reads).toEqual({ 'account.customer': false, 'account.owner': null });
  });

  it('renders a readable trace', () => {
    const text = renderExplanation(explain(engine, 'routing', facts)).join('\n');
    expect(text).toContain('routing rules, rules/routing.yaml, hit policy first, revision ');
    expect(text).toMatch(/✓ route-enterprise-na +rules\/routing\.yaml:\d+ +matched, decides/);
    expect(text).toMatch(/~ route-overflow +rules\/routing\.yaml:\d+ +matched, not applied: an earlier rule decided/);
    expect(text).toContain('    ✗ lead.region in ["emea", "apac"]');
    expect(text).toContain('    read: icp.tier = "B", lead.employees = 2400, lead.region = "na"');
    expect(text).toContain('outcome: {"strategy":"queue","queue":"enterprise-na","fallbackQueue":"sales-overflow","reason":"enterprise Americas","outOfHours":"hold","maxHold":"12h"}');
  });

  it('renders conditions compactly', () => {
    expect(renderCondition({ and: [{ '<=': [200, { var: 'lead.employees' }, 999] }, { '!': { missing: ['lead.email'] } }] })).toBe('(200 <= lead.employees <= 999) and not missing("lead.email")');
    expect(renderCondition({ in: [{ domain_of: [{ var: 'lead.email' }] }, ['a', 'b', 'c', 'd', 'e', 'f', 'g']] })).toBe('domain_of(lead.email) in ["a", "b", "c", "d", "e", … +2]');
    expect(renderCondition({ var: ['lead.x', 0] })).toBe('lead.x ?? 0');
  });
});
