import { describe, expect, it } from 'vitest';
import { LedgerValidationError } from '../../../src/ledger/errors.ts';
import { isIsoTime, validateEvents } from '../../../src/ledger/validate.ts';
import { LIMITS, longestLedgerKey } from '../../../src/limits.ts';
import { event } from './helpers/fixtures.ts';

function problems(input: unknown): string[] {
  try {
    validateEvents(input);
  } catch (e) {
    expect(e).toBeInstanceOf(LedgerValidationError);
    return (e as LedgerValidationError).problems;
  }
  return [];
}

describe('validateEvents', () => {
  it('accepts a minimal and a complete event', () => {
    const full = event('deal:42:won', {
      type: 'deal.won',
      accountId: 'acc-9',
      workflowId: 'lead:1',
      team: 'sales-emea',
      amount: 48000,
      arrDelta: 48000.5,
      currency: 'EUR',
      rulesRevision: 'abc123',
      data: { source: 'crm', nested: { ok: true } },
    });
    expect(validateEvents([{ key: 'k', type: 'sla.met', occurredAt: '2026-03-01T09:30:00.123+01:00' }, full])).toHaveLength(2);
  });

  it('names every problem with the event index and key, and refuses the whole batch', () => {
    const found = problems([event('ok'), { ...event('bad'), type: 'stage.chnged', occurredAt: '2026-03-01 09:30', amount: Number.NaN }, { key: '' }]);
    expect(found).toContainEqual(expect.stringMatching(/^event #1 \(key "bad"\): type "stage.chnged" is not a ledger event type \(known: stage.changed, /));
    expect(found).toContainEqual('event #1 (key "bad"): occurredAt "2026-03-01 09:30" is not an ISO 8601 time with a time zone, e.g. 2026-03-01T09:30:00Z');
    expect(found).toContainEqual('event #1 (key "bad"): amount must be a finite number, got number NaN');
    expect(found).toContainEqual('event #2: key must be a non-empty string');
    expect(found.some((p) => p.startsWith('event #0'))).toBe(false);
  });

  it('refuses blank keys, unknown properties, bad currencies, out-of-range amounts and non-JSON data', () => {
    expect(problems([event('  ')])).toEqual(['event #0 (key "  "): key must be a non-empty string']);
    expect(problems([{ ...event('a'), leadID: 'x' }])).toEqual(['event #0 (key "a"): unknown property "leadID"']);
    expect(problems([event('a', { currency: 'eur' })])[0]).toMatch(/currency "eur" must be an ISO 4217 code/);
    expect(problems([event('a', { arrDelta: 1e16 })])[0]).toMatch(/arrDelta 10000000000000000 is out of range/);
    expect(problems([event('a', { data: [] as never })])[0]).toMatch(/data must be a plain object, got an array/);
    expect(problems([event('a', { data: { n: 1n } })])[0]).toMatch(/data is not JSON-serialisable/);
    expect(problems([event('a', { owner: 42 as never })])[0]).toMatch(/owner must be a string, got number 42/);
    expect(problems([event('a', { data: new Map() as never })])[0]).toMatch(/data must be a plain object, got a Map/);
    expect(problems([event('x'.repeat(LIMITS.ledgerKeyLength + 1))])[0]).toMatch(new RegExp(`key is ${LIMITS.ledgerKeyLength + 1} characters long; the limit is ${LIMITS.ledgerKeyLength}`));
    expect(problems([event('a', { amount: LIMITS.amountExclusive })])[0]).toMatch(/amount 10000000000000000 is out of range/);
  });

  it('refuses what PostgreSQL text and jsonb refuse: NUL, lone surrogates, deep nesting', () => {
    expect(problems([event('a', { data: { title: 'CTO\u0000' } })])).toEqual(['event #0 (key "a"): data/title contains a NUL character (U+0000)']);
    expect(problems([event('a', { owner: 'ann\ud800' })])).toEqual(['event #0 (key "a"): owner contains a lone UTF-16 surrogate (not valid Unicode)']);
    expect(problems([event('a\u0000b')])[0]).toMatch(/key contains a NUL character/);
    let deep: Record<string, unknown> = {};
    for (let i = 0; i < 10_000; i++) deep = { a: deep };
    expect(problems([event('a', { data: deep })])).toEqual([`event #0 (key "a"): data${'/a'.repeat(LIMITS.ledgerDataDepth)} is nested more than ${LIMITS.ledgerDataDepth} levels deep`]);
  });

  it('takes a key as long as the workflows compose from the longest input the API accepts', () => {
    expect(problems([event('k'.repeat(longestLedgerKey()))])).toEqual([]);
  });

  it('refuses something that is not an array of objects', () => {
    expect(problems({ key: 'a' })).toEqual(['expected an array of events, got an object']);
    expect(problems([null, 'x'])).toEqual(['event #0: expected an object, got null', 'event #1: expected an object, got "x"']);
  });

  it('gives one readable message for one problem and a list for several', () => {
    expect(() => validateEvents([event('a', { type: 'nope' as never })])).toThrow(/^invalid ledger event: event #0 \(key "a"\): type "nope"/);
    expect(() => validateEvents([event('a', { type: 'nope' as never }), event('b', { type: 'nope' as never })])).toThrow(/^2 invalid ledger events:\n {2}- event #0/);
  });
});

describe('isIsoTime', () => {
  it.each(['2026-03-01T09:30:00Z', '2026-03-01T09:30Z', '2026-03-01T09:30:00.123456+05:30', '2024-02-29T00:00:00-0800'])('accepts %s', (t) => {
    expect(isIsoTime(t)).toBe(true);
  });
  it.each(['2026-03-01T09:30:00', '2026-03-01', '2026-02-30T00:00:00Z', '2026-13-01T00:00:00Z', '2026-03-01T24:00:00Z', 'yesterday', ''])('refuses %s', (t) => {
    expect(isIsoTime(t)).toBe(false);
  });
});
