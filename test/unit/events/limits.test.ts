import { describe, expect, it } from 'vitest';
import { EVENT_SCHEMA_NAMES } from '../../../src/server/openapi.ts';
import { readEventSchema } from '../../../src/events/schemaFiles.ts';
import { validateBatch, validateEvent } from '../../../src/events/validate.ts';
import { LIMITS, longestLedgerKey, MAX_PARAM_LENGTH } from '../../../src/limits.ts';

const base = { specversion: '1.0', id: 'evt-1', source: '/crm/test', subject: 'L-1', time: '2026-11-20T15:30:00Z' };
const created = (data: Record<string, unknown>, extra: Record<string, unknown> = {}) => ({ ...base, type: 'lead.created', data, ...extra });
const nested = (levels: number): Record<string, unknown> => {
  let v: Record<string, unknown> = { leaf: true };
  for (let i = 1; i < levels; i++) v = { a: v };
  return v;
};
const lines = (value: unknown) => validateEvent(value).map((e) => `${e.pointer}: ${e.detail}`);

describe('what the pipeline cannot carry is refused at the door, naming the field', () => {
  it('refuses a NUL in data, in an extra field, in a property name and in the subject', () => {
    expect(lines(created({ title: 'CTO\u0000' }))).toEqual(['/data/title: contains a NUL character (U+0000)']);
    expect(lines({ ...base, type: 'meeting.booked', data: { meetingId: 'm1', notes: { room: 'a\u0000b' } } })).toEqual(['/data/notes/room: contains a NUL character (U+0000)']);
    expect(lines(created({ 'we\u0000ird': 1 }))).toEqual(['/data/we\u0000ird: property name contains a NUL character (U+0000)']);
    expect(lines(created({}, { subject: 'L-\u00001' }))).toContain('/subject: contains a NUL character (U+0000)');
  });

  it('refuses lone UTF-16 surrogates and keeps valid pairs', () => {
    expect(lines(created({}, { subject: 'L-\ud800' }))).toEqual(['/subject: contains a lone UTF-16 surrogate (not valid Unicode)']);
    expect(lines(created({ title: 'x\udc00' }))).toEqual(['/data/title: contains a lone UTF-16 surrogate (not valid Unicode)']);
    expect(validateEvent(created({ title: 'rocket \ud83d\ude80' }, { subject: `L-${'\ud83d\ude80'.repeat(LIMITS.idLength - 2)}` }))).toEqual([]);
  });

  it('refuses data nested deeper than the limit, cheaply, and takes it at the limit', () => {
    expect(validateEvent(created(nested(LIMITS.dataDepth)))).toEqual([]);
    const tooDeep = lines(created(nested(LIMITS.dataDepth + 1)));
    expect(tooDeep).toEqual([`/data${'/a'.repeat(LIMITS.dataDepth)}: is nested more than ${LIMITS.dataDepth} levels deep`]);
    const started = performance.now();
    expect(lines(created(nested(10_000)))).toHaveLength(1);
    expect(performance.now() - started).toBeLessThan(1_000);
  });

  it('refuses amounts the ledger cannot store, non-finite numbers and over-long strings', () => {
    const opp = { ...base, type: 'opportunity.created', data: { opportunityId: 'o1', amount: 1e17 } };
    expect(validateEvent(opp).map((e) => e.pointer)).toEqual(['/data/amount']);
    expect(validateEvent({ ...opp, data: { opportunityId: 'o1', amount: LIMITS.amountExclusive - 2 } })).toEqual([]);
    const won = { ...base, type: 'opportunity.won', data: { opportunityId: 'o1', accountId: 'A-1', arr: 1e16 } };
    expect(validateEvent(won).map((e) => e.pointer)).toEqual(['/data/arr']);
    expect(validateEvent({ ...base, subject: 'A-1', type: 'account.expanded', data: { amount: 2e16 } }).map((e) => e.pointer)).toEqual(['/data/amount']);
    expect(lines(created(JSON.parse('{"score": 1e400}')))).toEqual(['/data/score: must be a finite number']);
    expect(lines(created({ notes: 'x'.repeat(LIMITS.stringLength + 1) }))).toEqual([`/data/notes: must NOT have more than ${LIMITS.stringLength} characters`]);
  });

  it('limits the ids that name records and ledger keys', () => {
    expect(validateEvent(created({}, { subject: 'L'.repeat(LIMITS.idLength + 1) })).map((e) => e.pointer)).toEqual(['/subject']);
    expect(validateEvent(created({}, { subject: 'L-\u0007' })).map((e) => e.pointer)).toEqual(['/subject']);
    expect(validateEvent(created({}, { source: `/crm/${'s'.repeat(LIMITS.sourceLength)}` })).map((e) => e.pointer)).toEqual(['/source']);
    const opp = { ...base, type: 'opportunity.created', data: { opportunityId: 'o'.repeat(LIMITS.idLength + 1), amount: 1 } };
    expect(validateEvent(opp).map((e) => e.pointer)).toEqual(['/data/opportunityId']);
  });

  it('names the event of a batch by its index', () => {
    expect(validateBatch([created({}), created({ title: '\u0000' })]).map((e) => e.pointer)).toEqual(['/1/data/title']);
  });
});

describe('one source of limits', () => {
  it('fills every schema limit from src/limits.ts, so the published files carry the numbers', () => {
    for (const name of EVENT_SCHEMA_NAMES) expect({ name, unresolved: JSON.stringify(readEventSchema(name)).includes('$limits.') }).toEqual({ name, unresolved: false });
    const opp = readEventSchema('opportunity.created') as { properties: { amount: { exclusiveMaximum: number } } };
    expect(opp.properties.amount.exclusiveMaximum).toBe(LIMITS.amountExclusive);
    const ce = readEventSchema('cloudevent') as { properties: { subject: { maxLength: number } } };
    expect(ce.properties.subject.maxLength).toBe(LIMITS.idLength);
  });

  it('keeps every composed ledger key and every id in a URL within the limits downstream', () => {
    expect(longestLedgerKey()).toBeLessThanOrEqual(LIMITS.ledgerKeyLength);
    // An id at its limit, every character percent-encoded as four UTF-8 bytes, fits the route parameter limit.
    expect(encodeURIComponent('\ud83d\ude80'.repeat(LIMITS.idLength)).length).toBeLessThanOrEqual(MAX_PARAM_LENGTH);
  });
});
