import { describe, expect, it } from 'vitest';
import { validate } from './helpers.ts';

// SLA `pause`: the schema says the shape, kindChecks what a schema cannot (a pause with no bound).
const sla = (pause: string) =>
  validate({
    'sla.yaml':
      'kind: sla\nversion: 1\nhitPolicy: first\nnoMatch: { reason: none }\nrules:\n  - id: s\n    description: s\n' +
      '    when: { "==": [{ var: handoff.type }, sales-to-cs] }\n' +
      `    then: { handoff: sales-to-cs, target: 5d, warnAt: 80%, calendar: owner, escalation: { notify: [manager], reassign: false }, pause: ${pause} }\n`,
  });

describe('SLA pause rules', () => {
  it('accept kebab-case reasons with a maximum pause', () => {
    expect(sla('{ reasons: [customer-request, awaiting-customer], maxPause: 10d }')).toEqual([]);
  });

  it('name the line, column and rule of a bad reason, duration or field', () => {
    expect(sla('{ reasons: [Customer Request], maxPause: 10days, until: 2d }').map((d) => [d.code, d.line, d.column, d.ruleId, d.message])).toEqual([
      ['schema-pattern', 9, 148, 's', '"Customer Request" is not kebab-case (lower-case letters, digits, dashes)'],
      ['bad-duration', 9, 177, 's', '"10days" is not a duration: use e.g. 45s, 30m, 4h, 2d, 1h30m or PT4H'],
      ['schema-additionalProperties', 9, 185, 's', 'unknown field "until"'],
    ]);
    expect(sla('{ reasons: [], maxPause: 1d }').map((d) => d.code)).toEqual(['schema-minItems']);
    expect(sla('{ reasons: [a, a], maxPause: 1d }').map((d) => d.code)).toEqual(['schema-uniqueItems']);
    expect(sla('{ reasons: [customer-request], maxPause: 0d }').map((d) => d.message)).toEqual(['"0d" is zero; a duration must be longer than that']);
  });

  it('warn about a pause that only a resume event can end', () => {
    const ds = sla('{ reasons: [customer-request] }');
    expect(ds.map((d) => [d.severity, d.code, d.line, d.ruleId])).toEqual([['warning', 'unbounded-pause', 9, 's']]);
  });
});
