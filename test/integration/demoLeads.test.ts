import { describe, expect, it } from 'vitest';
import { createEvaluateLead } from '../../activities/lead/evaluateLead.ts';
import type { ActivityDeps } from '../../activities/deps.ts';
import { loadConfig } from '../../src/config/load.ts';
import { createScoreHealth } from '../../activities/account/health.ts';
import { arrivalTimes } from '../../src/demo/arrivals.ts';
import { customerPlan, healthReport, referral, type Band } from '../../src/demo/customers.ts';
import { generateLead } from '../../src/demo/leads.ts';
import { rng } from '../../src/demo/random.ts';
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

describe('the demo customers', () => {
  const loaded = loadConfig(demoConfig);
  const rules = new RulesCache(demoRules, { config: loaded.config });
  const noAccounts = { query: async () => [] } as unknown as Ledger;
  const event = (type: string, subject: string, data: Record<string, unknown>) => ({
    specversion: '1.0',
    id: `e-${subject}`,
    source: '/crm/test',
    type,
    subject,
    time: new Date().toISOString(),
    data,
  });

  it('are the same for the same seed and decide roughly in the mix demo/README.md describes', () => {
    expect(customerPlan(7, 12)).toEqual(customerPlan(7, 12));
    const n = 2000;
    const decisions: Record<string, number> = {};
    for (let i = 1; i <= n; i++) {
      const p = customerPlan(7, i);
      decisions[p.decision] = (decisions[p.decision] ?? 0) + 1;
      expect(p.health.length).toBeGreaterThanOrEqual(1);
      expect(p.health.length).toBeLessThanOrEqual(3);
      if (p.decision === 'churn') expect(p.health.at(-1)).toBe('red');
    }
    const share = (k: string) => (decisions[k] ?? 0) / n;
    expect(share('renew'), JSON.stringify(decisions)).toBeGreaterThan(0.55);
    for (const k of ['expand', 'contract', 'churn']) expect(share(k), k).toBeGreaterThan(0.05);
  });

  it('send health reports that the demo health rules score into the band the plan meant, even with the renewal near', async () => {
    // The decision rows are checked elsewhere; here only the bands matter, so the ledger just takes them.
    const score = createScoreHealth({ rules, ledger: { record: async (rows: unknown[]) => ({ inserted: rows.length, duplicates: 0 }) } } as unknown as ActivityDeps);
    const soon = new Date(Date.now() + 30_000).toISOString();
    const account = {
      accountId: 'ACC-1',
      name: 'Acme',
      domain: null,
      region: 'emea',
      tier: 'B',
      arr: 20_000,
      salesOwner: null,
      csOwner: 'emma-janssen',
      contract: { start: null, end: soon },
      context: {},
      healthBand: null,
    };
    for (const band of ['green', 'yellow', 'red'] as Band[]) {
      for (let i = 0; i < 40; i++) {
        const report = healthReport(band, rng(7, i, 99));
        expect(validateEvent(event('account.health_reported', 'ACC-1', report)), band).toEqual([]);
        for (const contract of [
          { start: null, end: soon },
          { start: null, end: null },
        ]) {
          const r = await score({ account: { ...account, contract }, report, at: new Date().toISOString() });
          expect(r.band, `${band} ${JSON.stringify(report)}`).toBe(band);
        }
      }
    }
  });

  it('refer companies that are valid referral.submitted events and MQLs under demo/rules', async () => {
    const evaluate = createEvaluateLead({ rules, ledger: noAccounts, config: loaded } as ActivityDeps);
    for (let no = 1; no <= 40; no++) {
      const { lead, data } = referral(7, no);
      expect(data.leadId).toBe(lead.id);
      expect(validateEvent(event('referral.submitted', `ACC-${no}`, data)), lead.id).toEqual([]);
      const r = await evaluate({ leadId: lead.id, lead: { ...lead.data, referrer: { accountId: `ACC-${no}` } }, at: new Date().toISOString() });
      expect(r.status, `${lead.id} ${JSON.stringify(lead.data)}`).toBe('mql');
    }
  });
});
