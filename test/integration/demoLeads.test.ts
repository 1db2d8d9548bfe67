import { describe, expect, it } from 'vitest';
import { createEvaluateLead } from '../../activities/lead/evaluateLead.ts';
import type { ActivityDeps } from '../../activities/deps.ts';
import { loadConfig } from '../../src/config/load.ts';
import { arrivalTimes } from '../../src/demo/arrivals.ts';
import { generateLead } from '../../src/demo/leads.ts';
import { salesPlan } from '../../src/demo/salesTeam.ts';
import { validateEvent } from '../../src/events/validate.ts';
import type { Ledger } from '../../src/ledger/types.ts';
import { RulesCache } from '../../src/rules/cache.ts';

const demoConfig = new URL('../../demo/config/flywheel.yaml', import.meta.url).pathname;
const demoRules = new URL('../../demo/rules', import.meta.url).pathname;

describe('the demo lead mix', () => {
  it('is the same for the same seed, differs for another, and every lead is a valid lead.created', () => {
    const a = Array.from({ length: 50 }, (_, i) => generateLead(7, i + 1));
    expect(Array.from({ length: 50 }, (_, i) => generateLead(7, i + 1))).toEqual(a);
    expect(Array.from({ length: 50 }, (_, i) => generateLead(8, i + 1))).not.toEqual(a);
    expect(salesPlan(7, 3, 'smb')).toEqual(salesPlan(7, 3, 'smb'));
    for (const l of a) {
      const event = { specversion: '1.0', id: `e-${l.no}`, source: '/crm/test', type: 'lead.created', subject: l.id, time: new Date().toISOString(), data: l.data };
      expect(validateEvent(event), l.id).toEqual([]);
    }
  });

  it('qualifies under demo/rules roughly as demo/README.md describes: most MQL, some nurture, about 10 % disqualified', async () => {
    const loaded = loadConfig(demoConfig);
    const noAccounts = { query: async () => [] } as unknown as Ledger;
    const evaluate = createEvaluateLead({ rules: new RulesCache(demoRules, { config: loaded.config }), ledger: noAccounts, config: loaded } as ActivityDeps);
    const status: Record<string, number> = {};
    const n = 300;
    for (let i = 1; i <= n; i++) {
      const l = generateLead(7, i);
      const r = await evaluate({ leadId: l.id, lead: l.data, at: new Date().toISOString() });
      status[r.status] = (status[r.status] ?? 0) + 1;
    }
    const share = (k: string) => (status[k] ?? 0) / n;
    expect(share('mql'), JSON.stringify(status)).toBeGreaterThan(0.5);
    expect(share('nurture')).toBeGreaterThan(0.15);
    expect(share('disqualified')).toBeGreaterThan(0.05);
    expect(share('disqualified')).toBeLessThan(0.15);
    expect(share('blocked-data')).toBeGreaterThan(0.02);
  });

  it('spreads arrivals over the span, in order', () => {
    const t = arrivalTimes(7, 300, 54_000);
    expect(t).toHaveLength(300);
    expect(t.every((x, i) => i === 0 || x >= t[i - 1]!)).toBe(true);
    expect(t[t.length - 1]!).toBeLessThanOrEqual(54_000);
    // Neither front- nor back-loaded: about half arrive in each half.
    expect(t.filter((x) => x < 27_000).length).toBeGreaterThan(110);
    expect(t.filter((x) => x < 27_000).length).toBeLessThan(190);
  });
});
