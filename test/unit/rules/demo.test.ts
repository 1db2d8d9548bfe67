import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { loadConfig } from '../../../src/config/load.ts';
import { durationMs, MS_PER_DAY, parseDuration } from '../../../src/rules/durations.ts';
import { engineFrom, rulesConfig } from '../../../src/rules/load.ts';
import { runRuleTests } from '../../../src/rules/testing/run.ts';
import type { Facts } from '../../../src/rules/types.ts';
import { validateRulesDir } from '../../../src/rules/validate/index.ts';
import { config as realConfig, repoRoot, runRules } from './helpers.ts';

const demoRules = path.join(repoRoot, 'demo', 'rules');
const demoConfigFile = path.join(repoRoot, 'demo', 'config', 'flywheel.yaml');
const demo = loadConfig(demoConfigFile);
const validation = validateRulesDir(demoRules, { config: demo.config });
const engine = engineFrom(validation);

describe('the demo config', () => {
  it('is the organisation of config/flywheel.yaml', () => {
    const real = realConfig();
    const ids = (xs: { id: string }[] | undefined) => (xs ?? []).map((x) => x.id);
    expect(demo.config.organisation).toEqual(real.organisation);
    expect(ids(demo.config.teams)).toEqual(ids(real.teams));
    expect(ids(demo.config.reps)).toEqual(ids(real.reps));
    expect(demo.config.queues).toEqual(real.queues);
    expect(demo.config.server).toEqual(real.server);
    expect(demo.config.temporal).toEqual(real.temporal);
  });

  it('opens every team and rep around the clock, with no out-of-office', () => {
    const always = demo.config.calendars.find((c) => c.id === 'always')!;
    const allDay = ['00:00-24:00'];
    expect(always).toMatchObject({ timezone: 'UTC', hours: { mon: allDay, tue: allDay, wed: allDay, thu: allDay, fri: allDay, sat: allDay, sun: allDay } });
    expect(always.holidays ?? []).toEqual([]);
    expect(demo.config.teams.every((t) => t.calendar === 'always')).toBe(true);
    expect(demo.config.reps.every((r) => r.calendar === 'always' && !r.outOfOffice?.length)).toBe(true);
  });

  it('is found for demo/rules beside it, and points the runtime at demo/rules', () => {
    expect(rulesConfig(demoRules, { configFile: demoConfigFile })).toEqual(demo.config);
    expect(path.resolve(demo.root, demo.config.rules?.dir ?? 'rules')).toBe(demoRules);
  });
});

describe('the demo rules', () => {
  it('cover every kind and are valid without a warning against the demo config', () => {
    expect(validation.diagnostics).toEqual([]);
    expect(validation.sets.map((s) => s.kind).sort()).toEqual([
      'cs-routing',
      'data-quality',
      'disqualification',
      'handoff',
      'health',
      'icp',
      'qualification',
      'recycling',
      'renewal',
      'routing',
      'sla',
    ]);
    expect(validation.suites).toHaveLength(11);
  });

  it('pass their own tests with full coverage', () => {
    const report = runRuleTests(engine, validation.suites);
    expect(report.results.filter((r) => !r.passed)).toEqual([]);
    expect(report.coverage).toMatchObject({ percent: 100, uncovered: [] });
  });

  it('pass `rules validate --strict` and `rules test --coverage-min 90` with the demo config', async () => {
    const env = { FLYWHEEL_CONFIG: demoConfigFile };
    const validated = await runRules(['rules', 'validate', demoRules, '--strict'], env);
    expect(validated).toMatchObject({ code: 0, stderr: '' });
    expect(validated.stdout).toMatch(/: 11 rule sets, \d+ rules, 11 test files: valid\n$/);
    const tested = await runRules(['rules', 'test', demoRules, '--coverage-min', '90'], env);
    expect(tested.code).toBe(0);
    expect(tested.stdout).toContain('(100%)');
  });

  it('reference the demo calendar, which the production config does not have', async () => {
    const run = await runRules(['rules', 'validate', demoRules]);
    expect(run.code).toBe(2);
    expect(run.stderr).toMatch(/unknown calendar "always"/);
  });

  it('run first-touch SLAs and recycling cooldowns in seconds', () => {
    const sla = (tier: string | null) => engine.decide('sla', { icp: { tier }, handoff: { type: 'marketing-to-sales' } }).outcome!;
    const ms = (text: string) => durationMs(parseDuration(text)!, MS_PER_DAY);
    expect(['A', 'B', 'C', null].map((t) => ms(sla(t).target))).toEqual([20_000, 30_000, 45_000, 60_000]);
    expect(sla('A')).toMatchObject({ warnAt: '50%', escalation: { notify: ['owner', 'manager'], reassign: true, maxReassignments: 2, then: 'overflow' } });
    expect(sla('B')).toMatchObject({ warnAt: '75%', escalation: { notify: ['manager'], reassign: true, maxReassignments: 1, then: 'overflow' } });
    const cooldowns = ['competitor', 'no budget', 'bad timing', 'other'].map((lostReason) => ms(engine.decide('recycling', { icp: { tier: 'B' }, deal: { lostReason } }).outcome!.cooldown));
    expect(cooldowns.every((c) => c >= 1_000 && c <= 120_000)).toBe(true);
  });

  it('remind of renewals within a contract of about a minute', () => {
    const ms = (text: string) => durationMs(parseDuration(text)!, MS_PER_DAY);
    for (const facts of [{ account: { arr: 250000 } }, { account: { arr: 20000, healthBand: 'red' } }, { account: { arr: 20000 } }]) {
      const reminders = engine.decide('renewal', facts).outcome!.reminders.map(ms);
      expect(
        reminders.every((r) => r >= 1_000 && r < 60_000),
        JSON.stringify(facts),
      ).toBe(true);
    }
    expect(engine.decide('renewal', { account: { arr: 20000 } }).outcome).toMatchObject({ reminders: ['40s', '20s'], notify: ['owner'] });
  });

  it('find a won deal complete with what the simulator sends, at any size, and give it a CS owner from the config', () => {
    const handoff = {
      type: 'sales-to-cs',
      champion: 'Sam Lead1 (Head of Data)',
      goals: ['replace spreadsheet reporting'],
      successCriteria: ['ten core dashboards migrated'],
      contractStart: '2026-11-22',
      contractEnd: '2027-11-21',
    };
    const queues = new Set((demo.config.queues ?? []).map((q) => q.id));
    for (const arr of [12_000, 60_000, 250_000]) {
      const facts = { handoff, account: { arr }, deal: { arr } };
      const missing = engine.decide('handoff', facts).outcome.required.filter((r) => {
        const [ns, field] = r.field.split('.') as [keyof typeof facts, string];
        return (facts[ns] as Record<string, unknown>)[field] === undefined;
      });
      expect(missing, String(arr)).toEqual([]);
      const owner = engine.decide('cs-routing', facts).outcome;
      expect(owner?.strategy === 'queue' && queues.has(owner.queue), String(arr)).toBe(true);
    }
    // When the simulator leaves a field out, the head of CS hears about it for an enterprise customer.
    expect(engine.decide('handoff', { handoff, account: { arr: 250_000 } }).outcome.notify).toEqual(['owner', 'manager', 'sofia-rossi']);
  });
});

/** The lead-evaluation order of the Attract stage: quality, disqualifiers, tier, then qualification. */
function attract(lead: Record<string, unknown>, now = '2026-11-22T10:00:00Z') {
  const base: Facts = { now, lead, account: { customer: false } };
  const quality = engine.decide('data-quality', base).outcome;
  const disq = engine.decide('disqualification', base).outcome;
  const tier = engine.decide('icp', base).outcome?.tier ?? null;
  const icp = { tier, disqualified: disq.disqualified, reasons: disq.reasons.map((r) => r.code) };
  const qual = engine.decide('qualification', { ...base, icp }).outcome;
  const missing = (qual?.requiredFields ?? []).filter((p) => {
    const v = lead[p.replace(/^lead\./, '')];
    return v === undefined || v === null || v === '';
  });
  const status =
    disq.disqualified || qual?.status === 'disqualified'
      ? 'disqualified'
      : quality.blocking || (qual?.status === 'mql' && missing.length > 0)
        ? 'blocked-data'
        : qual?.status === 'mql'
          ? 'mql'
          : 'nurture';
  return { status, tier, codes: icp.reasons };
}

// What a demo generator sends: lead.created fields (no engagement history), a realistic spread of sizes,
// industries, regions and sources; about 60 % MQL, 20 % nurture, 10 % disqualified, the rest incomplete.
let n = 0;
const lead = (employees: number | null, industry: string, country: string | null, region: string | null, source: string, extra: Record<string, unknown> = {}) => {
  n += 1;
  return {
    email: `person${n}@company${n}.example`,
    firstName: 'Sam',
    lastName: `Lead${n}`,
    title: 'Head of Data',
    company: `Company ${n}`,
    domain: `company${n}.example`,
    phone: '+49 30 1234567',
    employees,
    industry,
    country,
    region,
    source,
    ...extra,
  };
};
const MIX: [string, Record<string, unknown>][] = [
  // MQL: hand-raisers across tiers, regions and sizes
  ['mql', lead(2500, 'software', 'DE', 'emea', 'demo-request', { technologies: ['snowflake'] })],
  ['mql', lead(4000, 'financial-services', 'US', 'na', 'contact-sales', { technologies: ['bigquery'] })],
  ['mql', lead(1200, 'manufacturing', 'GB', 'emea', 'demo-request')],
  ['mql', lead(3000, 'government', 'SG', 'apac', 'contact-sales')],
  ['mql', lead(450, 'ecommerce', 'NL', 'emea', 'demo-request')],
  ['mql', lead(600, 'media', 'US', 'na', 'free-trial')],
  ['mql', lead(300, 'manufacturing', 'FR', 'emea', 'demo-request', { technologies: ['dbt'] })],
  ['mql', lead(250, 'healthcare', 'BR', 'latam', 'contact-sales')],
  ['mql', lead(120, 'software', 'SE', 'emea', 'demo-request')],
  ['mql', lead(60, 'retail', 'US', 'na', 'free-trial')],
  ['mql', lead(45, 'media', 'ES', 'emea', 'demo-request', { technologies: ['bigquery'] })],
  ['mql', lead(150, 'logistics', 'PL', 'emea', 'product-signup')],
  // MQL: engaged or surging, not hand-raisers
  ['mql', lead(800, 'software', 'IE', 'emea', 'webinar', { engagement: { score: 55 } })],
  ['mql', lead(2000, 'telecommunications', 'CA', 'na', 'content-download', { engagement: { pricingPageVisits: 3 } })],
  ['mql', lead(350, 'professional-services', 'DE', 'emea', 'event', { intent: { score: 85, surge: true } })],
  ['mql', lead(900, 'ecommerce', 'IT', 'emea', 'webinar', { engagement: { score: 45 } })],
  ['mql', lead(5000, 'retail', 'US', 'na', 'demo-request', { technologies: ['databricks'] })],
  ['mql', lead(220, 'financial-services', 'AU', 'apac', 'demo-request')],
  // nurture: inside or outside the profile but not (yet) engaged
  ['nurture', lead(400, 'software', 'DE', 'emea', 'content-download')],
  ['nurture', lead(12, 'professional-services', 'GB', 'emea', 'webinar')],
  ['nurture', lead(8, 'other', 'US', 'na', 'demo-request')],
  ['nurture', lead(1500, 'manufacturing', 'US', 'na', 'content-download')],
  ['nurture', lead(30, 'nonprofit', 'NL', 'emea', 'product-signup')],
  ['nurture', lead(700, 'education', 'FR', 'emea', 'event')],
  // disqualified: competitor, student, personal e-mail
  ['disqualified', lead(900, 'software', 'US', 'na', 'free-trial', { email: 'analyst@fabrikam-bi.example', domain: 'fabrikam-bi.example' })],
  ['disqualified', lead(null, 'education', 'GB', 'emea', 'content-download', { email: 'a.jones@ox.ac.uk', domain: 'ox.ac.uk', title: 'PhD Student' })],
  ['disqualified', lead(50, 'retail', 'DE', 'emea', 'demo-request', { email: 'maria.lopez.1987@gmail.com', domain: 'gmail.com' })],
  // incomplete: stops with marketing ops
  ['blocked-data', lead(500, 'software', 'DE', 'emea', 'demo-request', { company: null })],
  ['blocked-data', lead(null, 'software', 'US', 'na', 'demo-request', { intent: { score: 90, surge: true } })],
  ['blocked-data', lead(300, 'ecommerce', null, null, 'demo-request')],
];

describe('a generated demo mix', () => {
  it.each(MIX.map(([want, l], i) => [i, want, l] as const))('lead %i is %s', (_i, want, l) => {
    expect(attract(l).status).toBe(want);
  });

  it('comes out at about 60 % MQL, 20 % nurture and 10 % disqualified', () => {
    const counts: Record<string, number> = {};
    for (const [, l] of MIX) {
      const s = attract(l).status;
      counts[s] = (counts[s] ?? 0) + 1;
    }
    expect(counts).toEqual({ mql: 18, nurture: 6, disqualified: 3, 'blocked-data': 3 });
  });

  it('routes every MQL to a queue of the demo config and gives it a first-touch SLA in seconds', () => {
    const queues = new Set((demo.config.queues ?? []).map((q) => q.id));
    for (const [want, l] of MIX.filter(([w]) => w === 'mql')) {
      const { tier } = attract(l);
      const route = engine.decide('routing', { lead: l, account: { customer: false }, icp: { tier } }).outcome;
      expect(route?.strategy, want).toBe('queue');
      expect(queues.has(route?.strategy === 'queue' ? route.queue : ''), JSON.stringify(l)).toBe(true);
      const sla = engine.decide('sla', { lead: l, icp: { tier }, handoff: { type: 'marketing-to-sales' } }).outcome!;
      expect(durationMs(parseDuration(sla.target)!, MS_PER_DAY)).toBeLessThanOrEqual(60_000);
    }
  });
});
