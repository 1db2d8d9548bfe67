import { readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { DiagnosticsError } from '../../../src/diagnostics/diagnostic.ts';
import { RulesCache } from '../../../src/rules/cache.ts';
import type { CompiledSet } from '../../../src/rules/compile.ts';
import { FactsError } from '../../../src/rules/engine.ts';
import { decideSet, RuleEvaluationError } from '../../../src/rules/evaluate.ts';
import { loadRules } from '../../../src/rules/load.ts';
import { config, exampleRules, ruleSet, tempDir } from './helpers.ts';

const engine = loadRules(exampleRules, { config: config() });

describe('decide', () => {
  it('returns the first matching outcome, the rule id, the revision and what it read', () => {
    const d = engine.decide('routing', { lead: { region: 'emea', employees: 2500 }, icp: { tier: 'A' }, account: null });
    expect(d).toEqual({
      kind: 'routing',
      outcome: { strategy: 'queue', queue: 'enterprise-emea', fallbackQueue: 'sales-overflow', reason: 'enterprise EMEA/APAC', outOfHours: 'hold', maxHold: '12h' },
      matched: ['route-enterprise-emea'],
      revision: engine.revision,
      inputs: { 'account.customer': null, 'account.openOpportunity': null, 'icp.tier': 'A', 'lead.region': 'emea' },
    });
    expect(d.revision.id).toMatch(/^(\w{12}|uncommitted|nogit)\+[0-9a-f]{8}(-dirty)?$/);
  });

  it('returns the declared noMatch when no rule of a first set matches', () => {
    const d = engine.decide('sla', { handoff: {} });
    expect(d.outcome).toBeNull();
    expect(d.matched).toEqual([]);
    expect(d.noMatch).toBe('no SLA is defined for this hand-off');
  });

  it('collects every match and aggregates them per kind', () => {
    const dq = engine.decide('disqualification', { lead: { email: 'sam@gmail.com', title: 'MSc Student', country: 'DE' } });
    expect(dq.matched).toEqual(['dq-student', 'dq-personal-email']);
    expect(dq.outcome).toEqual({
      disqualified: true,
      reasons: [
        { code: 'student', reason: 'student or academic address', rule: 'dq-student' },
        { code: 'personal-email', reason: 'personal e-mail address and no company domain', reopenable: true, rule: 'dq-personal-email' },
      ],
    });
    const quality = engine.decide('data-quality', { lead: { email: 'a@b.example', company: 'B', country: 'FR' } });
    expect(quality.outcome).toEqual({ blocking: false, issues: [expect.objectContaining({ rule: 'dq-missing-employees', severity: 'warn' })] });
  });

  it('scores health, clamps the score and picks the band playbook', () => {
    const red = engine.decide('health', { health: { activeSeatRatio: 0.2, daysSinceLastLogin: 30, championLeft: true } });
    expect(red.outcome).toMatchObject({ score: 10, band: 'red', playbook: { id: 'churn-risk-save' } });
    expect(red.outcome.signals.map((s) => s.points)).toEqual([-20, -20, -20]);
    const capped = engine.decide('health', { health: { activeSeatRatio: 0.95, executiveSponsor: true, nps: { score: 70, responses: 9 }, featureAdoption: { integrations: 4 } } });
    expect(capped.outcome).toMatchObject({ score: 100, band: 'green', playbook: null });
  });

  it('decides the recycling cooldown of a lost deal from its reason, then the tier', () => {
    const lead = { email: 'kim.berg@acme.example', region: 'emea' };
    const competitor = engine.decide('recycling', { lead, icp: { tier: 'A' }, deal: { lostReason: 'Lost to Competitor', amount: 48000, stage: 'negotiation' } });
    expect(competitor).toMatchObject({ kind: 'recycling', outcome: { cooldown: '90d', reason: 'lost to a competitor' }, matched: ['recycle-lost-to-competitor'] });
    expect(competitor.inputs).toEqual({ 'deal.lostReason': 'Lost to Competitor' });
    const tierA = engine.decide('recycling', { lead, icp: { tier: 'A' }, deal: { lostReason: null } });
    expect(tierA.outcome).toEqual({ cooldown: '30d', reason: 'tier A account' });
    expect(tierA.inputs).toEqual({ 'deal.lostReason': null, 'icp.tier': 'A' });
    const cooldown: string | undefined = engine.decide('recycling', { deal: {} }).outcome?.cooldown;
    expect(cooldown).toBe('90d');
  });

  it('collects hand-off requirements: each field once, from the first rule that names it; recipients in rule order', () => {
    const handoff = { type: 'sales-to-cs', champion: 'Jana Weber', goals: ['self-serve dashboards'] };
    const enterprise = engine.decide('handoff', { handoff, account: { arr: 250000 } });
    expect(enterprise.matched).toEqual(['handoff-stc-base', 'handoff-stc-enterprise']);
    expect(enterprise.outcome.required.map((r) => `${r.field} ${r.rule}`)).toEqual([
      'handoff.champion handoff-stc-base',
      'handoff.goals handoff-stc-base',
      'handoff.successCriteria handoff-stc-base',
      'handoff.contractStart handoff-stc-base',
      'handoff.contractEnd handoff-stc-base',
      'account.arr handoff-stc-base',
      'handoff.executiveSponsor handoff-stc-enterprise',
      'handoff.implementationPlan handoff-stc-enterprise',
    ]);
    expect(enterprise.outcome.required.at(-1)).toEqual({ field: 'handoff.implementationPlan', rule: 'handoff-stc-enterprise', reason: 'enterprise onboarding needs a sponsor and a plan' });
    expect(enterprise.outcome.notify).toEqual(['owner', 'manager', 'sofia-rossi']);
    expect(engine.decide('handoff', { handoff: { type: 'marketing-to-sales' } }).outcome).toEqual({ required: [], notify: [] });
  });

  it('names a field and a recipient once when several hand-off rules ask for them', () => {
    const body = (id: string, fields: string, notify: string, reason = '') =>
      `  - id: ${id}\n    description: ${id}\n    when: { "==": [{ var: handoff.type }, sales-to-cs] }\n    then: { handoff: sales-to-cs, requiredFields: [${fields}], notify: [${notify}]${reason} }\n`;
    const dir = tempDir({
      'handoff.yaml': ruleSet('handoff', 'collect', body('a', 'handoff.champion, account.arr', 'owner', ', reason: base') + body('b', 'account.arr, handoff.goals', 'manager, owner')),
    });
    const d = loadRules(dir, { config: config() }).decide('handoff', { handoff: { type: 'sales-to-cs' } });
    expect(d.outcome).toEqual({
      required: [
        { field: 'handoff.champion', rule: 'a', reason: 'base' },
        { field: 'account.arr', rule: 'a', reason: 'base' },
        { field: 'handoff.goals', rule: 'b' },
      ],
      notify: ['owner', 'manager'],
    });
  });

  it('decides the CS owner of a new customer and the renewal reminders', () => {
    const owned = engine.decide('cs-routing', { account: { csOwner: 'emma-janssen', arr: 300000 } });
    expect(owned).toMatchObject({ outcome: { strategy: 'account-owner', fallbackQueue: 'cs-onboarding' }, matched: ['cs-existing-owner'] });
    const queue = engine.decide('cs-routing', { account: { arr: 250000 } }).outcome;
    expect(queue?.strategy === 'queue' ? queue.queue : null).toBe('cs-overflow');
    const reminders: string[] | undefined = engine.decide('renewal', { account: { arr: 20000, healthBand: 'red' } }).outcome?.reminders;
    expect(reminders).toEqual(['120d', '90d', '60d', '30d', '14d']);
    expect(engine.decide('renewal', { account: { arr: 20000 }, health: { activeSeatRatio: null } }).outcome).toEqual({
      reminders: ['90d', '60d', '30d'],
      notify: ['owner'],
      reason: 'standard renewal',
    });
  });

  it('hands out frozen outcomes, so a caller cannot change the next decision', () => {
    const d = engine.decide('icp', { lead: { employees: 5 } });
    expect(Object.isFrozen(d.outcome)).toBe(true);
    expect(() => {
      (d.outcome as { tier: string }).tier = 'A';
    }).toThrow(TypeError);
    expect(engine.decide('icp', { lead: { employees: 5 } }).outcome).toEqual({ tier: 'D', reason: 'outside the ideal customer profile' });
  });

  it('does not see inherited properties of the facts', () => {
    const facts = { lead: Object.create({ employees: 5000 }) as Record<string, unknown>, icp: { tier: 'B' } };
    facts.lead!.region = 'emea';
    expect(engine.decide('routing', facts).matched).toEqual(['route-overflow']);
  });

  it('throws for a kind the folder does not define', () => {
    const only = loadRules(tempDir({ 'icp.yaml': ruleSet('icp', 'first', '  - id: d\n    description: d\n    when: true\n    then: { tier: D }\n') }), { config: config() });
    expect(() => only.decide('routing', {})).toThrow(/no routing rules in/);
  });

  it('checks facts against the facts schema when asked to', () => {
    const strict = loadRules(exampleRules, { config: config(), checkFacts: true });
    expect(() => strict.decide('routing', { lead: { employess: 10 } })).toThrow(FactsError);
    expect(() => strict.decide('routing', { lead: { employess: 10 } })).toThrow(/undeclared fact "employess"/);
    expect(strict.decide('routing', { lead: { employees: 10, region: 'emea' } }).matched).toEqual(['route-smb']);
  });

  it('refuses to load an invalid folder, listing every error', () => {
    const dir = tempDir({
      'routing.yaml': ruleSet('routing', 'first', '  - id: a\n    description: a\n    when: { "==": [{ var: lead.regon }, x] }\n    then: { strategy: queue, queue: nowhere }\n'),
    });
    try {
      loadRules(dir, { config: config() });
      expect.unreachable('loadRules should throw');
    } catch (e) {
      expect(e).toBeInstanceOf(DiagnosticsError);
      expect((e as DiagnosticsError).diagnostics.map((d) => d.code)).toEqual(['no-catch-all', 'undeclared-fact', 'unknown-queue']);
    }
  });

  it('names the rule and revision when a condition throws', () => {
    const set: CompiledSet<'icp'> = {
      kind: 'icp',
      file: 'rules/icp.yaml',
      hitPolicy: 'first',
      rules: [{ id: 'broken', description: '', when: { nope: [] }, then: { tier: 'A' }, line: 9, column: 5 }],
    };
    expect(() => decideSet(set, {}, engine.revision)).toThrow(RuleEvaluationError);
    expect(() => decideSet(set, {}, engine.revision)).toThrow(/rules\/icp\.yaml:9: \[rule broken\] evaluation failed \(revision .+\): Unrecognized operation nope/);
  });
});

describe('RulesCache', () => {
  const routing = (queue: string) => ruleSet('routing', 'first', `  - id: r\n    description: r\n    when: true\n    then: { strategy: queue, queue: ${queue} }\n`);

  it('keeps one engine while nothing changes and reloads when a rule file changes', () => {
    const dir = tempDir({ 'routing.yaml': routing('mid-market') });
    let now = 0;
    const cache = new RulesCache(dir, { config: config(), recheckMs: 1000, now: () => now });
    const first = cache.get();
    expect(cache.decide('routing', {}).outcome).toMatchObject({ queue: 'mid-market' });
    writeFileSync(path.join(dir, 'routing.yaml'), routing('smb-pool'));
    expect(cache.get()).toBe(first); // within recheckMs
    now = 1500;
    const second = cache.get();
    expect(second).not.toBe(first);
    expect(second.revision.contentHash).not.toBe(first.revision.contentHash);
    expect(cache.decide('routing', {}).outcome).toMatchObject({ queue: 'smb-pool' });
    now = 3000;
    expect(cache.get()).toBe(second); // rechecked, unchanged
  });

  it('keeps deciding with the last valid rules on an invalid change and takes the fix', () => {
    const dir = tempDir({ 'routing.yaml': routing('mid-market') });
    const cache = new RulesCache(dir, { config: config(), recheckMs: 0, logger: { warn: () => undefined, info: () => undefined } });
    cache.get();
    writeFileSync(path.join(dir, 'routing.yaml'), routing('nowhere'));
    expect(cache.decide('routing', {}).outcome).toMatchObject({ queue: 'mid-market' });
    expect(cache.health().diagnostics.map((d) => d.message)).toEqual([expect.stringMatching(/unknown queue "nowhere"/)]);
    writeFileSync(path.join(dir, 'routing.yaml'), routing('smb-pool'));
    expect(cache.decide('routing', {}).outcome).toMatchObject({ queue: 'smb-pool' });
    expect(readFileSync(path.join(dir, 'routing.yaml'), 'utf8')).toContain('smb-pool');
  });
});
