import { describe, expect, it } from 'vitest';
import type { Diagnostic } from '../../../src/diagnostics/diagnostic.ts';
import { validateRulesDir } from '../../../src/rules/validate/index.ts';
import { config, exampleRules, ruleSet, validate } from './helpers.ts';

const summary = (ds: Diagnostic[]) => ds.map((d) => `${d.severity} ${d.code} ${d.line} ${d.ruleId ?? '-'}`);
const routing = (body: string) => validate({ 'routing.yaml': ruleSet('routing', 'first', body) });
const rule = (id: string, when: string, then = '{ strategy: queue, queue: mid-market }') => `  - id: ${id}\n    description: ${id}\n    when: ${when}\n    then: ${then}\n`;
const ALL = rule('route-rest', 'true', '{ strategy: queue, queue: sales-overflow }');

describe('the example rules', () => {
  it('are valid without a single warning', () => {
    const v = validateRulesDir(exampleRules, { config: config() });
    expect(v.diagnostics).toEqual([]);
    expect(v.sets.map((s) => s.kind).sort()).toEqual(['cs-routing', 'data-quality', 'disqualification', 'handoff', 'health', 'icp', 'qualification', 'recycling', 'renewal', 'routing', 'sla']);
    expect(v.suites).toHaveLength(11);
  });
});

describe('hit policy and order', () => {
  it('warns about rules after a catch-all, with the same condition, or with a superset of conditions', () => {
    const emea = '{ "==": [{ var: lead.region }, emea] }';
    const ds = routing(
      rule('a', emea) +
        rule('b', `{ and: [${emea}, { ">=": [{ var: lead.employees }, 1000] }] }`) +
        rule('c', `{ "==": [{ var: [lead.region] }, emea] }`) +
        ALL +
        rule('d', '{ "==": [{ var: lead.region }, na] }'),
    );
    // d is unreachable, which is reported; the set still has its catch-all, so no "no-catch-all" error.
    expect(summary(ds)).toEqual(['warning shadowed 11 b', 'warning shadowed 15 c', 'warning shadowed 23 d']);
    expect(ds[0]!.message).toMatch(/rule "a" \(.*routing\.yaml:5\) comes first and matches whenever this one does/);
    expect(ds[1]!.message).toMatch(/has the same condition/);
    expect(ds[2]!.message).toMatch(/the catch-all rule "route-rest"/);
  });

  it('requires a final catch-all or noMatch in a first set', () => {
    expect(summary(routing(rule('a', '{ "==": [{ var: lead.region }, emea] }')))).toEqual(['error no-catch-all 5 a']);
    const withNoMatch = validate({ 'routing.yaml': `kind: routing\nversion: 1\nhitPolicy: first\nnoMatch: { reason: nobody }\nrules:\n${rule('a', 'false')}` });
    expect(summary(withNoMatch)).toEqual(['warning never-matches 8 a']);
  });

  it('warns when noMatch can never be used', () => {
    const ds = validate({ 'routing.yaml': `kind: routing\nversion: 1\nhitPolicy: first\nnoMatch: { reason: nobody }\nrules:\n${ALL}` });
    expect(summary(ds)).toEqual(['warning unused-no-match 4 -']);
  });

  it('rejects a hit policy the kind does not have', () => {
    const ds = validate({ 'routing.yaml': ruleSet('routing', 'collect', ALL) });
    expect(ds.map((d) => [d.code, d.line, d.message])).toEqual([['schema-const', 3, 'must be "first"']]);
  });
});

describe('conditions', () => {
  it('rejects literals that can never equal the fact', () => {
    const ds = routing(rule('a', '{ and: [{ "==": [{ var: lead.region }, europe] }, { in: [{ var: lead.country }, [DE, de]] }, { "===": [{ var: lead.employees }, "100"] }] }') + ALL);
    expect(summary(ds)).toEqual(['error impossible-value 7 a', 'error impossible-value 7 a', 'warning type-mismatch 7 a']);
    expect(ds[0]!.message).toBe('lead.region is one of "emea", "na", "latam", "apac", null; "europe" never matches');
    expect(ds[1]!.message).toMatch(/lead\.country must match .*"de" never matches/);
  });

  it('rejects multi-key objects, wrong arity, computed and whole-facts paths', () => {
    const ds = routing(rule('a', '{ and: [{ ">": [1, 0], "<": [1, 2] }, { "==": [1] }, { var: { cat: [lead., region] } }, { var: "" }, { missing: { merge: [[lead.email]] } }] }') + ALL);
    expect(ds.map((d) => d.code)).toEqual(['not-an-operation', 'arity', 'computed-path', 'whole-facts', 'computed-path']);
    expect(ds.every((d) => d.ruleId === 'a' && d.line === 7)).toBe(true);
  });

  it('checks paths inside map/filter/some against the element schema, and reduce scopes', () => {
    const ok = routing(
      rule('a', '{ and: [{ some: [{ var: lead.technologies }, { "==": [{ var: "" }, dbt] }] }, { ">": [{ reduce: [{ var: lead.intent.topics }, { "+": [{ var: accumulator }, 1] }, 0] }, 2] }] }') +
        ALL,
    );
    expect(ok).toEqual([]);
    const bad = routing(rule('a', '{ and: [{ some: [{ var: lead.technologies }, { "==": [{ var: name }, dbt] }] }, { reduce: [{ var: lead.technologies }, { var: total }, 0] }] }') + ALL);
    expect(bad.map((d) => d.message)).toEqual([
      '"name" is not declared on the elements of lead.technologies (each is a string)',
      'inside "reduce" a path starts with "current" or "accumulator", got "total"',
    ]);
  });

  it('keeps each kind to the facts it may read', () => {
    const ds = validate({
      'icp.yaml': ruleSet(
        'icp',
        'first',
        `  - id: icp-a\n    description: self reference\n    when: { "==": [{ var: icp.tier }, A] }\n    then: { tier: A }\n  - id: icp-d\n    description: rest\n    when: true\n    then: { tier: D }\n`,
      ),
    });
    expect(ds.map((d) => [d.code, d.ruleId, d.message])).toEqual([['fact-not-available', 'icp-a', 'icp rules cannot read "icp.tier": they may read lead, account, now']]);
  });

  it('suggests the same field under another parent', () => {
    const ds = routing(rule('a', '{ "==": [{ var: lead.tier }, A] }') + ALL);
    expect(ds[0]!.message).toBe('undeclared fact "lead.tier" (did you mean "icp.tier"?)');
  });
});

describe('outcomes', () => {
  const sla = (then: string, when = '{ "==": [{ var: handoff.type }, marketing-to-sales] }') =>
    validate({ 'sla.yaml': `kind: sla\nversion: 1\nhitPolicy: first\nnoMatch: { reason: none }\nrules:\n  - id: s\n    description: s\n    when: ${when}\n    then: ${then}\n` });
  const esc = '{ notify: [manager], reassign: true, maxReassignments: 1, then: overflow }';

  it('checks calendars, reps and queues in SLA escalations', () => {
    const ds = sla(
      `{ handoff: marketing-to-sales, target: 4h, warnAt: 75%, calendar: emae, escalation: { notify: [manager, sales-emea, jonas-beker], reassign: true, maxReassignments: 1, then: cs-overfow } }`,
    );
    expect(ds.map((d) => d.message)).toEqual([
      'unknown calendar "emae" (did you mean "emea"?)',
      'unknown rep or team "jonas-beker" (did you mean "jonas-becker"?)',
      'unknown queue "cs-overfow" (did you mean "cs-overflow"?)',
    ]);
  });

  it('checks that the SLA outcome matches the hand-off the condition selects', () => {
    expect(sla(`{ handoff: sales-to-cs, target: 4h, warnAt: 75%, calendar: owner, escalation: ${esc} }`).map((d) => d.code)).toEqual(['handoff-mismatch']);
    const unpinned = sla(`{ handoff: sales-to-cs, target: 4h, warnAt: 75%, calendar: owner, escalation: ${esc} }`, '{ "==": [{ var: icp.tier }, A] }');
    expect(unpinned.map((d) => [d.severity, d.code, d.line])).toEqual([['warning', 'handoff-unpinned', 8]]);
  });

  it('checks durations beyond their grammar', () => {
    expect(sla(`{ handoff: marketing-to-sales, target: 4h, warnAt: 4h, calendar: owner, escalation: ${esc} }`).map((d) => d.code)).toEqual(['warn-after-target']);
    expect(sla(`{ handoff: marketing-to-sales, target: 0m, warnAt: 75%, calendar: owner, escalation: ${esc} }`).map((d) => d.message)).toEqual(['"0m" is zero; a duration must be longer than that']);
    expect(sla(`{ handoff: marketing-to-sales, target: PT4H, warnAt: 3h, calendar: owner, escalation: ${esc} }`)).toEqual([]);
    expect(sla(`{ handoff: marketing-to-sales, target: 4h, warnAt: 100%, calendar: owner, escalation: ${esc} }`).map((d) => d.code)).toEqual(['bad-duration']);
    expect(sla(`{ handoff: marketing-to-sales, target: 4h, warnAt: 75%, calendar: owner, escalation: { notify: [manager], reassign: true } }`).map((d) => d.message)).toEqual([
      'missing required field "maxReassignments"',
    ]);
  });

  it('accepts seconds in SLA durations and compares warnAt with the target to the second', () => {
    expect(sla(`{ handoff: marketing-to-sales, target: 20s, warnAt: 50%, calendar: owner, escalation: ${esc} }`)).toEqual([]);
    expect(sla(`{ handoff: marketing-to-sales, target: 1m30s, warnAt: PT45S, calendar: owner, escalation: ${esc} }`)).toEqual([]);
    expect(sla(`{ handoff: marketing-to-sales, target: 30s, warnAt: 30s, calendar: owner, escalation: ${esc} }`).map((d) => d.code)).toEqual(['warn-after-target']);
    expect(sla(`{ handoff: marketing-to-sales, target: 1m, warnAt: 61s, calendar: owner, escalation: ${esc} }`).map((d) => d.code)).toEqual(['warn-after-target']);
    expect(sla(`{ handoff: marketing-to-sales, target: 0s, warnAt: 75%, calendar: owner, escalation: ${esc} }`).map((d) => d.message)).toEqual(['"0s" is zero; a duration must be longer than that']);
    expect(sla(`{ handoff: marketing-to-sales, target: 45sec, warnAt: 75%, calendar: owner, escalation: ${esc} }`).map((d) => d.message)).toEqual([
      '"45sec" is not a duration: use e.g. 45s, 30m, 4h, 2d, 1h30m or PT4H',
    ]);
  });

  it('checks recycling cooldowns and the facts recycling rules may read', () => {
    const recycling = (when: string, then: string) =>
      validate({
        'recycling.yaml': ruleSet(
          'recycling',
          'first',
          `  - id: r\n    description: r\n    when: ${when}\n    then: ${then}\n  - id: rest\n    description: rest\n    when: true\n    then: { cooldown: 90d }\n`,
        ),
      });
    expect(recycling('{ in: [competitor, { lower: [{ var: deal.lostReason }] }] }', '{ cooldown: 40s, reason: demo }')).toEqual([]);
    expect(recycling('{ ">=": [{ var: deal.amount }, 50000] }', '{ cooldown: P30D }')).toEqual([]);
    expect(recycling('{ "==": [{ var: owner.team }, sales-emea] }', '{ cooldown: 0d }').map((d) => [d.code, d.line, d.message])).toEqual([
      ['fact-not-available', 7, 'recycling rules cannot read "owner.team": they may read lead, account, icp, deal, now'],
      ['bad-duration', 8, '"0d" is zero; a duration must be longer than that'],
    ]);
    expect(recycling('{ "==": [{ var: deal.lostReson }, timing] }', '{ cooldown: 3 months }').map((d) => [d.code, d.message])).toEqual([
      ['undeclared-fact', 'undeclared fact "deal.lostReson" (did you mean "deal.lostReason"?)'],
      ['bad-duration', '"3 months" is not a duration: use e.g. 45s, 30m, 4h, 2d, 1h30m or PT4H'],
    ]);
    const noCooldown = recycling('{ "==": [{ var: icp.tier }, A] }', '{ reason: forever }');
    expect(noCooldown.map((d) => [d.code, d.line, d.message])).toEqual([['schema-required', 8, 'missing required field "cooldown"']]);
  });

  it('keeps the deal facts to the recycling rules', () => {
    const ds = routing(rule('a', '{ "==": [{ var: deal.lostReason }, timing] }') + ALL);
    expect(ds.map((d) => [d.code, d.message])).toEqual([['fact-not-available', 'routing rules cannot read "deal.lostReason": they may read lead, account, icp, owner, now']]);
  });

  it('checks facts paths named in outcomes', () => {
    const ds = validate({
      'qualification.yaml': ruleSet('qualification', 'first', `  - id: q\n    description: q\n    when: true\n    then: { status: mql, requiredFields: [lead.email, lead.phonenumber, health.nps] }\n`),
    });
    expect(ds.map((d) => [d.code, d.line, d.message])).toEqual([
      ['undeclared-fact', 8, 'undeclared fact "lead.phonenumber" (did you mean "lead.phone"?)'],
      ['fact-not-available', 8, '"health.nps" is not a fact qualification rules see: they may read lead, account, icp, now'],
    ]);
  });

  it('checks the health scoring section and its playbooks', () => {
    const ds = validate({
      'health.yaml': `kind: health\nversion: 1\nhitPolicy: collect\nscoring:\n  base: 70\n  bands: { green: 40, yellow: 60 }\n  playbooks:\n    red: { id: save, assignTo: cs-overfow, within: 2x }\nrules:\n  - id: h\n    description: h\n    when: true\n    then: { signal: s, points: 0 }\n`,
    });
    expect(summary(ds)).toEqual(['error bad-scoring 6 -', 'error unknown-queue 8 -', 'error bad-duration 8 -', 'warning zero-points 13 h']);
  });

  it('requires a queue for the queue strategy and a fallback for the account owner', () => {
    const ds = routing(rule('a', 'true', '{ strategy: queue }') + rule('b', 'true', '{ strategy: account-owner }'));
    expect(ds.filter((d) => d.severity === 'error').map((d) => [d.ruleId, d.message])).toEqual([
      ['a', 'missing required field "queue"'],
      ['b', 'missing required field "fallbackQueue"'],
    ]);
  });
});

describe('customer lifecycle outcomes', () => {
  const stc = '{ "==": [{ var: handoff.type }, sales-to-cs] }';
  const handoff = (when: string, then: string) => validate({ 'handoff.yaml': ruleSet('handoff', 'collect', `  - id: h\n    description: h\n    when: ${when}\n    then: ${then}\n`) });
  const renewal = (then: string, noMatch = '') =>
    validate({ 'renewal.yaml': `kind: renewal\nversion: 1\nhitPolicy: first\n${noMatch}rules:\n  - id: r\n    description: r\n    when: true\n    then: ${then}\n` });
  const csRouting = (then: string) => validate({ 'cs-routing.yaml': ruleSet('cs-routing', 'first', `  - id: c\n    description: c\n    when: true\n    then: ${then}\n`) });

  it('pins hand-off rules to the hand-off their outcome names, like SLA rules', () => {
    expect(handoff(stc, '{ handoff: sales-to-cs, requiredFields: [handoff.champion], notify: [owner, manager] }')).toEqual([]);
    expect(handoff(stc, '{ handoff: marketing-to-sales, requiredFields: [lead.email] }').map((d) => [d.severity, d.code, d.line])).toEqual([['error', 'handoff-mismatch', 8]]);
    const unpinned = handoff('{ ">=": [{ var: account.arr }, 100000] }', '{ handoff: sales-to-cs, requiredFields: [handoff.executiveSponsor] }');
    expect(unpinned.map((d) => [d.severity, d.code, d.line, d.message])).toEqual([
      ['warning', 'handoff-unpinned', 7, 'requires fields for the sales-to-cs hand-off but does not check handoff.type, so it also applies to other hand-offs'],
    ]);
  });

  it('checks required hand-off fields against the facts and notify against the config', () => {
    const ds = handoff(stc, '{ handoff: sales-to-cs, requiredFields: [handoff.champoin, health.nps, deal.arr], notify: [owner, sofia-rosi] }');
    expect(ds.map((d) => [d.code, d.message])).toEqual([
      ['undeclared-fact', 'undeclared fact "handoff.champoin" (did you mean "handoff.champion"?)'],
      ['fact-not-available', '"health.nps" is not a fact handoff rules see: they may read lead, account, icp, handoff, deal, now'],
      ['unknown-rep-or-team', 'unknown rep or team "sofia-rosi" (did you mean "sofia-rossi"?)'],
    ]);
    expect(handoff(stc, '{ handoff: sales-to-cs }').map((d) => d.message)).toEqual(['missing required field "requiredFields"']);
  });

  it('routes customer success like sales: queues from the config, a fallback for the CS owner', () => {
    expect(csRouting('{ strategy: account-owner, fallbackQueue: cs-onboarding }')).toEqual([]);
    expect(csRouting('{ strategy: account-owner, queue: cs-overflow, fallbackQueue: cs-onboarding }').map((d) => [d.severity, d.code])).toEqual([['warning', 'ignored-field']]);
    expect(csRouting('{ strategy: queue, queue: cs-onbaording }').map((d) => d.message)).toEqual(['unknown queue "cs-onbaording" (did you mean "cs-onboarding"?)']);
    expect(csRouting('{ strategy: account-owner }').map((d) => d.message)).toEqual(['missing required field "fallbackQueue"']);
  });

  it('wants renewal reminders earliest first, each once, as durations', () => {
    expect(renewal('{ reminders: [90d, 60d, 30d], notify: [owner] }')).toEqual([]);
    expect(renewal('{ reminders: [40s, 20s, 1s], notify: [owner, customer-success] }')).toEqual([]);
    expect(renewal('{ reminders: [30d, 90d, 60d, 14d], notify: [owner] }').map((d) => [d.severity, d.code, d.message])).toEqual([
      ['warning', 'reminder-order', 'list reminders from the earliest to the last before the contract end: 90d comes before 30d'],
    ]);
    expect(renewal('{ reminders: [60d, 30d, P30D, 24h, 1d], notify: [owner] }').map((d) => [d.severity, d.code, d.message])).toEqual([
      ['error', 'duplicate-reminder', 'P30D is the same offset as 30d: the reminder would be sent twice'],
      ['error', 'duplicate-reminder', '1d is the same offset as 24h: the reminder would be sent twice'],
    ]);
    expect(renewal('{ reminders: [90d, 0d, two weeks], notify: [owner, managr] }').map((d) => d.code)).toEqual(['bad-duration', 'bad-duration', 'unknown-rep-or-team']);
    expect(renewal('{ reminders: [], notify: [owner] }').map((d) => d.code)).toEqual(['schema-minItems']);
  });

  it('checks a renewal noMatch outcome like a rule', () => {
    const ds = validate({
      'renewal.yaml':
        'kind: renewal\nversion: 1\nhitPolicy: first\nnoMatch:\n  reason: none\n  outcome: { reminders: [30d, 60d], notify: [owner] }\nrules:\n  - id: r\n    description: r\n    when: { "==": [{ var: account.healthBand }, red] }\n    then: { reminders: [90d], notify: [owner] }\n',
    });
    expect(summary(ds)).toEqual(['warning reminder-order 6 -']);
  });
});

describe('the folder', () => {
  it('allows one file per kind and names files after their kind', () => {
    const body = rule('a', 'true');
    const ds = validate({ 'routing.yaml': ruleSet('routing', 'first', body), 'routing-eu.yaml': ruleSet('routing', 'first', rule('b', 'true')) });
    expect(summary(ds)).toEqual(['error duplicate-kind 1 -']);
    expect(summary(validate({ 'router.yaml': ruleSet('routing', 'first', body) }))).toEqual(['warning file-name 1 -']);
  });

  it('rejects an unknown kind with a suggestion', () => {
    const ds = validate({ 'routing.yaml': ruleSet('routes', 'first', rule('a', 'true')) });
    expect(ds.map((d) => [d.code, d.line, d.message])).toEqual([
      [
        'unknown-kind',
        1,
        'unknown kind "routes" (did you mean "routing"?); expected one of icp, disqualification, qualification, data-quality, routing, sla, health, recycling, handoff, cs-routing, renewal',
      ],
    ]);
  });

  it('checks test files: their facts, their rule ids, and their kind', () => {
    const ds = validate({
      'routing.yaml': ruleSet('routing', 'first', rule('route-a', 'true')),
      'tests/routing.test.yaml': 'kind: routing\ncases:\n  - name: typo\n    facts: { lead: { employess: 10 } }\n    expect: { rule: route-b }\n',
      'icp.test.yaml': 'kind: icp\ncases:\n  - name: no icp rules\n    expect: { noMatch: true }\n',
    });
    expect(ds.map((d) => `${d.file.split('/').slice(-2).join('/')}:${d.line} ${d.code} ${d.message}`)).toEqual([
      expect.stringMatching(/icp\.test\.yaml:1 unknown-kind no rule set of kind "icp"/),
      'tests/routing.test.yaml:4 undeclared-fact undeclared fact "employess" (did you mean "employees"?)',
      'tests/routing.test.yaml:5 unknown-rule no rule "route-b" in the routing rules (did you mean "route-a"?)',
    ]);
  });
});
