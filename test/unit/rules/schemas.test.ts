import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { DURATION_PATTERN, durationMinutes, durationMs, formatDuration, isZeroDuration, MS_PER_DAY, parseDuration, parsePercent, WARN_AT_PATTERN } from '../../../src/rules/durations.ts';
import { KIND_SPECS, KINDS } from '../../../src/rules/kinds.ts';
import { readSchema } from '../../../src/rules/schemas.ts';
import { exampleRules } from './helpers.ts';

type Schema = { definitions: Record<string, unknown>; properties: Record<string, { const?: unknown }> };
const schemas = Object.fromEntries(KINDS.map((k) => [k, readSchema(k) as unknown as Schema]));

describe('published schemas', () => {
  it('state each kind and its fixed hit policy', () => {
    for (const k of KINDS) {
      expect(schemas[k]!.properties.kind!.const).toBe(k);
      expect(schemas[k]!.properties.hitPolicy!.const).toBe(KIND_SPECS[k].hitPolicy);
    }
  });

  it('share identical common definitions (they are copies, so editors need no cross-file $ref)', () => {
    for (const name of ['ruleId', 'condition', 'duration', 'slug', 'factPath', 'recipients', 'rule', 'noMatch']) {
      const copies = KINDS.filter((k) => name in schemas[k]!.definitions).map((k) => JSON.stringify(schemas[k]!.definitions[name]));
      expect(copies.length, name).toBeGreaterThan(0);
      expect(new Set(copies).size, name).toBe(1);
    }
    expect(Object.keys(schemas.routing!.definitions)).toEqual(['ruleId', 'condition', 'duration', 'recipients', 'rule', 'noMatch', 'outcome']);
  });

  it('use the duration grammar of durations.ts', () => {
    expect((schemas.sla!.definitions.duration as { pattern: string }).pattern).toBe(DURATION_PATTERN);
    const sla = readFileSync(new URL('../../../src/rules/schemas/sla.schema.json', import.meta.url), 'utf8');
    expect(sla).toContain(JSON.stringify(WARN_AT_PATTERN));
  });

  it('give every kind with a duration field the shared duration definition', () => {
    const withDurations = KINDS.filter((k) => KIND_SPECS[k].durations.length > 0 || (KIND_SPECS[k].setDurations ?? []).length > 0);
    expect(withDurations).toEqual(['routing', 'sla', 'health', 'recycling', 'renewal']);
    for (const k of withDurations) expect((schemas[k]!.definitions.duration as { pattern?: string } | undefined)?.pattern, k).toBe(DURATION_PATTERN);
    // Any other copy of the grammar (warnAt embeds it) must be the current one too.
    const old = '(?:(\\\\d+)m)?|';
    for (const k of KINDS) expect(readFileSync(new URL(`../../../src/rules/schemas/${k}.schema.json`, import.meta.url), 'utf8'), k).not.toContain(old);
  });

  it('declare the recycling outcome and the deal facts', () => {
    const outcome = schemas.recycling!.definitions.outcome as { required: string[]; properties: Record<string, { $ref?: string }> };
    expect(outcome.required).toEqual(['cooldown']);
    expect(Object.keys(outcome.properties)).toEqual(['cooldown', 'reason']);
    expect(outcome.properties.cooldown!.$ref).toBe('#/definitions/duration');
    const facts = readSchema('facts') as { properties: Record<string, unknown>; definitions: { deal: { properties: Record<string, { $ref: string }> } } };
    expect(facts.properties.deal).toEqual({ $ref: '#/definitions/deal' });
    expect(Object.fromEntries(Object.entries(facts.definitions.deal.properties).map(([k, v]) => [k, v.$ref]))).toEqual({
      lostReason: '#/definitions/text',
      amount: '#/definitions/number',
      stage: '#/definitions/text',
      arr: '#/definitions/number',
      opportunityId: '#/definitions/text',
    });
    const tests = readSchema('rule-tests') as { properties: { kind: { enum: string[] } } };
    expect(tests.properties.kind.enum).toEqual([...KINDS]);
  });

  it('declare the customer lifecycle outcomes and facts', () => {
    type Outcome = { required: string[]; properties: Record<string, { $ref?: string; items?: { $ref?: string } }> };
    const outcome = (k: string) => schemas[k]!.definitions.outcome as Outcome;
    expect(outcome('handoff').required).toEqual(['handoff', 'requiredFields']);
    expect(outcome('handoff').properties.requiredFields!.items!.$ref).toBe('#/definitions/factPath');
    expect(outcome('handoff').properties.notify!.$ref).toBe('#/definitions/recipients');
    // CS routing has routing's shape without the lead hold policy (and its duration and recipients); the shared
    // definitions are compared above.
    const hold = new Set(['outOfHours', 'followTheSun', 'maxHold', 'holdNotify', 'duration', 'recipients']);
    expect(Object.keys(schemas['cs-routing']!.definitions)).toEqual(Object.keys(schemas.routing!.definitions).filter((k) => !hold.has(k)));
    expect(Object.keys(outcome('cs-routing').properties)).toEqual(Object.keys(outcome('routing').properties).filter((k) => !hold.has(k)));
    expect(outcome('renewal').required).toEqual(['reminders', 'notify']);
    expect(outcome('renewal').properties.reminders!.items!.$ref).toBe('#/definitions/duration');
    type Props = Record<string, { properties: Record<string, { enum?: unknown[]; $ref?: string }> }>;
    const defs = (readSchema('facts') as { definitions: Props }).definitions;
    expect(defs.lead!.properties.source!.enum).toEqual(expect.arrayContaining(['referral', 'partner-referral']));
    expect(defs.account!.properties.contractEnd!.$ref).toBe('#/definitions/date');
    expect(Object.keys(defs.handoff!.properties)).toEqual([
      'type',
      'startedAt',
      'reassignments',
      'champion',
      'goals',
      'successCriteria',
      'contractStart',
      'contractEnd',
      'executiveSponsor',
      'implementationPlan',
      'opportunityId',
    ]);
  });

  it('are referenced from every example rule and test file for yaml-language-server', () => {
    const files = [
      ...readdirSync(exampleRules)
        .filter((f) => f.endsWith('.yaml'))
        .map((f) => path.join(exampleRules, f)),
      ...readdirSync(path.join(exampleRules, 'tests')).map((f) => path.join(exampleRules, 'tests', f)),
    ];
    expect(files.length).toBe(22);
    for (const file of files) {
      const text = readFileSync(file, 'utf8');
      const ref = /^# yaml-language-server: \$schema=(\S+)$/m.exec(text)?.[1];
      expect(ref, file).toBeDefined();
      const schema = JSON.parse(readFileSync(path.resolve(path.dirname(file), ref!), 'utf8')) as { $id: string };
      const kind = /^kind: (\S+)$/m.exec(text)![1]!;
      expect(schema.$id, file).toMatch(file.includes('/tests/') ? /rule-tests\.schema\.json$/ : new RegExp(`/${kind}\\.schema\\.json$`));
    }
  });
});

describe('durations', () => {
  it('parse compact and ISO forms into parts', () => {
    expect(parseDuration('30m')).toEqual({ days: 0, hours: 0, minutes: 30, seconds: 0 });
    expect(parseDuration('1h30m')).toEqual({ days: 0, hours: 1, minutes: 30, seconds: 0 });
    expect(parseDuration('2d')).toEqual({ days: 2, hours: 0, minutes: 0, seconds: 0 });
    expect(parseDuration('1d4h')).toEqual({ days: 1, hours: 4, minutes: 0, seconds: 0 });
    expect(parseDuration('PT4H')).toEqual({ days: 0, hours: 4, minutes: 0, seconds: 0 });
    expect(parseDuration('P1DT2H30M')).toEqual({ days: 1, hours: 2, minutes: 30, seconds: 0 });
  });

  it('parse seconds in both forms', () => {
    expect(parseDuration('45s')).toEqual({ days: 0, hours: 0, minutes: 0, seconds: 45 });
    expect(parseDuration('1m30s')).toEqual({ days: 0, hours: 0, minutes: 1, seconds: 30 });
    expect(parseDuration('2h15m10s')).toEqual({ days: 0, hours: 2, minutes: 15, seconds: 10 });
    expect(parseDuration('1d5s')).toEqual({ days: 1, hours: 0, minutes: 0, seconds: 5 });
    expect(parseDuration('90s')).toEqual({ days: 0, hours: 0, minutes: 0, seconds: 90 });
    expect(parseDuration('PT45S')).toEqual({ days: 0, hours: 0, minutes: 0, seconds: 45 });
    expect(parseDuration('PT1M30S')).toEqual({ days: 0, hours: 0, minutes: 1, seconds: 30 });
    expect(parseDuration('P1DT2H3M4S')).toEqual({ days: 1, hours: 2, minutes: 3, seconds: 4 });
    for (const s of ['45s', 'PT45S', '1m30s']) expect(new RegExp(DURATION_PATTERN).test(s), s).toBe(true);
    for (const s of ['20s', '50%', 'PT10S']) expect(new RegExp(WARN_AT_PATTERN).test(s), s).toBe(true);
  });

  it('reject everything else', () => {
    for (const bad of ['', '4', '4hr', 'h', '1m1h', '1w', '1.5h', 'P', 'PT', 'P1DT', '4 h', '-1h', 'pt4h']) expect(parseDuration(bad), bad).toBeNull();
    for (const bad of ['s', '45S', '45sec', '1s1m', '30s1h', '1.5s', 'P1S', 'PT1S1M', 'PT45s', '45 s', 'PTS']) expect(parseDuration(bad), bad).toBeNull();
  });

  it('convert and format', () => {
    expect(durationMinutes(parseDuration('1d2h')!)).toBe(1560);
    expect(durationMinutes(parseDuration('1d2h')!, 480)).toBe(600);
    expect(formatDuration(parseDuration('PT90M')!)).toBe('90m');
    expect(formatDuration(parseDuration('PT1M30S')!)).toBe('1m30s');
    expect(formatDuration(parseDuration('2h15m10s')!)).toBe('2h15m10s');
    expect(formatDuration(parseDuration('0s')!)).toBe('0m');
    expect(isZeroDuration(parseDuration('PT0S')!)).toBe(true);
    expect(isZeroDuration(parseDuration('1s')!)).toBe(false);
    expect(durationMinutes(parseDuration('1m30s')!)).toBe(1.5);
    expect(durationMinutes(parseDuration('1d45s')!, 480)).toBe(480.75);
    expect(parsePercent('75%')).toBe(0.75);
    expect(parsePercent('100%')).toBeNull();
    expect(parsePercent('0%')).toBeNull();
  });

  it('convert to milliseconds with the length of a day the consumer chooses', () => {
    expect(durationMs(parseDuration('45s')!, MS_PER_DAY)).toBe(45_000);
    expect(durationMs(parseDuration('2h15m10s')!, MS_PER_DAY)).toBe(8_110_000);
    // A cooldown: calendar days of 24 hours.
    expect(durationMs(parseDuration('90d')!, MS_PER_DAY)).toBe(90 * 86_400_000);
    // An SLA target: a day is one working day (09:00-17:00 = 8 hours).
    expect(durationMs(parseDuration('1d4h')!, 8 * 3_600_000)).toBe(12 * 3_600_000);
    expect(durationMs(parseDuration('P1DT1S')!, 0)).toBe(1_000);
    // Exact where minutes with seconds are not: 10 s is not a whole number of minutes.
    expect(durationMs(parseDuration('10s')!, MS_PER_DAY)).toBe(10_000);
  });
});
