import { describe, expect, it } from 'vitest';
import type { Diagnostic } from '../../../src/diagnostics/diagnostic.ts';
import { formatDiagnostic } from '../../../src/diagnostics/diagnostic.ts';
import { ruleSet, validate } from './helpers.ts';

const catchAll = `  - id: route-rest
    description: catch-all
    when: true
    then: { strategy: queue, queue: sales-overflow }
`;

/** The one error a broken file should produce, located by file, line and rule id. */
function only(ds: Diagnostic[], code: string): Diagnostic {
  const errors = ds.filter((d) => d.severity === 'error');
  expect(errors.map((d) => d.code)).toEqual([code]);
  return errors[0]!;
}

// Each case breaks one thing on a known line (line 1 is `kind:`); rules 1..N start at line 5.
describe('rules validate rejects, naming file:line and rule id', () => {
  it('bad YAML', () => {
    const d = only(
      validate({
        'routing.yaml': ruleSet(
          'routing',
          'first',
          `  - id: route-a
    description: the flow mapping is never closed
    when: { "==": [{ var: lead.region }, na]
    then: { strategy: queue, queue: mid-market }
${catchAll}`,
        ),
      }),
      'yaml-syntax',
    );
    expect(d).toMatchObject({ line: 8, ruleId: 'route-a' });
    expect(d.file).toMatch(/routing\.yaml$/);
    expect(formatDiagnostic(d)).toMatch(/routing\.yaml:8:5: \[rule route-a\] invalid YAML/);
  });

  it('unknown field', () => {
    const d = only(
      validate({
        'routing.yaml': ruleSet(
          'routing',
          'first',
          `  - id: route-a
    description: priority is not a field
    priority: 3
    when: true
    then: { strategy: queue, queue: mid-market }
`,
        ),
      }),
      'schema-additionalProperties',
    );
    expect(d).toMatchObject({ line: 7, column: 5, ruleId: 'route-a', message: 'unknown field "priority"' });
  });

  it('unknown operator', () => {
    const d = only(
      validate({
        'routing.yaml': ruleSet(
          'routing',
          'first',
          `  - id: route-a
    description: contains is not JSON-logic
    when: { contains: [{ var: lead.technologies }, dbt] }
    then: { strategy: queue, queue: mid-market }
${catchAll}`,
        ),
      }),
      'unknown-operator',
    );
    expect(d).toMatchObject({ line: 7, column: 13, ruleId: 'route-a' });
    expect(d.message).toBe('unknown operator "contains"');
  });

  it('the forbidden operators log and method', () => {
    const ds = validate({
      'routing.yaml': ruleSet(
        'routing',
        'first',
        `  - id: route-a
    description: side effects
    when: { and: [{ log: [1] }, { method: [{ var: lead.email }, toUpperCase] }] }
    then: { strategy: queue, queue: mid-market }
${catchAll}`,
      ),
    }).filter((d) => d.code === 'unknown-operator');
    expect(ds.map((d) => [d.line, d.ruleId, d.message])).toEqual([
      [7, 'route-a', 'operator "log" is not allowed in rules: it writes to the console'],
      [7, 'route-a', 'operator "method" is not allowed in rules: it calls arbitrary methods on data'],
    ]);
  });

  it('undeclared var path, with a suggestion', () => {
    const d = only(
      validate({
        'routing.yaml': ruleSet(
          'routing',
          'first',
          `  - id: route-big
    description: typo in the path
    when: { ">=": [{ var: lead.employess }, 1000] }
    then: { strategy: queue, queue: enterprise-emea }
${catchAll}`,
        ),
      }),
      'undeclared-fact',
    );
    expect(d).toMatchObject({ line: 7, ruleId: 'route-big', message: 'undeclared fact "lead.employess" (did you mean "lead.employees"?)' });
  });

  it('__proto__ path', () => {
    const d = only(
      validate({
        'routing.yaml': ruleSet(
          'routing',
          'first',
          `  - id: route-a
    description: prototype walk
    when: { "==": [{ var: lead.__proto__.polluted }, true] }
    then: { strategy: queue, queue: mid-market }
${catchAll}`,
        ),
      }),
      'prototype-path',
    );
    expect(d).toMatchObject({ line: 7, ruleId: 'route-a' });
    expect(d.message).toContain('"__proto__"');
  });

  it('constructor and prototype as keys anywhere in the file', () => {
    const ds = validate({
      'routing.yaml': ruleSet(
        'routing',
        'first',
        `  - id: route-a
    description: prototype keys
    when: { constructor: [1] }
    then: { strategy: queue, queue: mid-market, prototype: x }
${catchAll}`,
      ),
    }).filter((d) => d.severity === 'error');
    expect(ds.map((d) => [d.code, d.line, d.ruleId])).toEqual([
      ['prototype-key', 7, 'route-a'],
      ['prototype-key', 8, 'route-a'],
    ]);
  });

  it('duplicate id, also across files', () => {
    const d = only(
      validate({
        'icp.yaml': ruleSet(
          'icp',
          'first',
          `  - id: shared-id
    description: first
    when: true
    then: { tier: D }
`,
        ),
        'routing.yaml': ruleSet(
          'routing',
          'first',
          `  - id: route-a
    description: fine
    when: { "==": [{ var: lead.region }, emea] }
    then: { strategy: queue, queue: mid-market }
  - id: shared-id
    description: clashes with icp.yaml
    when: true
    then: { strategy: queue, queue: sales-overflow }
`,
        ),
      }),
      'duplicate-id',
    );
    expect(d).toMatchObject({ line: 9, ruleId: 'shared-id' });
    expect(d.file).toMatch(/routing\.yaml$/);
    expect(d.message).toMatch(/first defined at .*icp\.yaml:5/);
  });

  it('unknown queue, with a suggestion', () => {
    const d = only(
      validate({
        'routing.yaml': ruleSet(
          'routing',
          'first',
          `  - id: enterprise-emea
    description: typo in the queue
    when: { "==": [{ var: lead.region }, emea] }
    then: { strategy: queue, queue: enterprise-emae }
${catchAll}`,
        ),
      }),
      'unknown-queue',
    );
    expect(formatDiagnostic(d)).toMatch(/routing\.yaml:8:37: \[rule enterprise-emea\] rules\[0\]\.then\.queue: unknown queue "enterprise-emae" \(did you mean "enterprise-emea"\?\)$/);
  });

  it('bad duration', () => {
    const d = only(
      validate({
        'sla.yaml': `kind: sla
version: 1
hitPolicy: first
noMatch: { reason: none }
rules:
  - id: sla-a
    description: 4hr is not a duration
    when: { "==": [{ var: handoff.type }, marketing-to-sales] }
    then:
      handoff: marketing-to-sales
      target: 4hr
      warnAt: 75%
      calendar: owner
      escalation: { notify: [manager], reassign: false }
`,
      }),
      'bad-duration',
    );
    expect(d).toMatchObject({ line: 11, column: 15, ruleId: 'sla-a' });
    expect(d.message).toMatch(/^"4hr" is not a duration/);
  });
});
