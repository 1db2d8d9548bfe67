import { describe, expect, it } from 'vitest';
import { eventKey, workflowIdFor } from '../../../src/events/catalog.ts';
import { validateBatch, validateEvent } from '../../../src/events/validate.ts';

const created = {
  specversion: '1.0',
  id: 'evt-1',
  source: 'crm://hubspot/portal-42',
  type: 'lead.created',
  subject: 'L-1001',
  time: '2026-11-20T15:30:00Z',
  data: { email: 'ada@acme.example', company: 'Acme', domain: 'acme.example', country: 'DE', employees: 800, custom_field: 'kept' },
};

describe('CloudEvents validation', () => {
  it('accepts a valid event with extra lead fields and a CloudEvents extension', () => {
    expect(validateEvent({ ...created, traceparent: '00-abc' })).toEqual([]);
  });

  it('names every invalid field by JSON pointer', () => {
    const bad = { ...created, specversion: '0.3', time: 'yesterday', data: { email: 'not-an-email', employees: -1 } };
    delete (bad as Record<string, unknown>).subject;
    const pointers = validateEvent(bad)
      .map((e) => e.pointer)
      .sort();
    expect(pointers).toEqual(['/specversion', '/subject', '/time']);
    const dataErrors = validateEvent({ ...created, data: { email: 'not-an-email', employees: -1 } })
      .map((e) => e.pointer)
      .sort();
    expect(dataErrors).toEqual(['/data/email', '/data/employees']);
  });

  it('rejects unknown types and upper-case extension attributes', () => {
    expect(validateEvent({ ...created, type: 'lead.exploded' })).toEqual([{ pointer: '/type', detail: expect.stringContaining('unknown event type "lead.exploded"') }]);
    expect(validateEvent({ ...created, BadExt: 1 })[0]?.pointer).toBe('/BadExt');
  });

  it('says which events of a batch are invalid', () => {
    const touched = { ...created, id: 'evt-2', type: 'lead.touched', data: {} };
    const errors = validateBatch([created, touched, { ...created, id: '' }]);
    expect(errors.map((e) => e.pointer)).toEqual(['/1/data/by', '/2/id']);
    expect(validateBatch([])).toHaveLength(1);
  });

  it('validates account events and routes them to the account named by the subject', () => {
    const account = (type: string, data: Record<string, unknown>) => ({ ...created, type, subject: 'ACC-7', data });
    expect(validateEvent(account('account.renewed', { arr: 52000, contractEnd: '2028-01-14' }))).toEqual([]);
    expect(validateEvent(account('account.renewed', { arr: 52000, contractEnd: '2028-01-14T12:00:00Z' }))).toEqual([]);
    expect(validateEvent(account('account.renewed', { arr: -1, contractEnd: 'next year' })).sort((a, b) => a.pointer.localeCompare(b.pointer))).toEqual([
      { pointer: '/data/arr', detail: 'must be >= 0' },
      { pointer: '/data/contractEnd', detail: 'must match format "date" or must match format "date-time"' },
    ]);
    expect(validateEvent(account('account.expanded', { amount: 0 })).map((e) => e.pointer)).toEqual(['/data/amount']);
    expect(validateEvent(account('account.churned', {})).map((e) => e.pointer)).toEqual(['/data/reason']);
    expect(
      validateEvent(account('account.health_reported', { activeSeatRatio: 1.5, nps: { score: -200 } }))
        .map((e) => e.pointer)
        .sort(),
    ).toEqual(['/data/activeSeatRatio', '/data/nps/score']);
    const referral = account('referral.submitted', { contact: { email: 'nope' }, company: {}, leadId: 'has space' });
    expect(
      validateEvent(referral)
        .map((e) => e.pointer)
        .sort(),
    ).toEqual(['/data/company/name', '/data/contact/email', '/data/leadId']);
    expect(workflowIdFor({ type: 'referral.submitted', subject: 'ACC-7' })).toBe('account:ACC-7');
    expect(workflowIdFor({ type: 'account.kickoff_held', subject: 'ACC-7' })).toBe('account:ACC-7');
  });

  it('validates pause and resume events of both hand-off clocks', () => {
    const lead = (type: string, data: Record<string, unknown>) => ({ ...created, type, data });
    const account = (type: string, data: Record<string, unknown>) => ({ ...created, type, subject: 'ACC-7', data });
    expect(validateEvent(lead('lead.sla_paused', { reason: 'callback-requested', until: '2026-11-27T09:00:00Z', by: 'anna-schmidt' }))).toEqual([]);
    expect(validateEvent(account('account.kickoff_paused', { reason: 'Awaiting customer' }))).toEqual([]);
    expect(validateEvent(account('account.kickoff_resumed', {}))).toEqual([]);
    expect(validateEvent(lead('lead.sla_resumed', { by: 'anna-schmidt', reason: 'prospect called back' }))).toEqual([]);
    expect(validateEvent(lead('lead.sla_paused', {})).map((e) => e.pointer)).toEqual(['/data/reason']);
    const bad = validateEvent(account('account.kickoff_paused', { reason: 'moved; see ticket #4', until: 'next week', by: '' }));
    expect(bad.map((e) => e.pointer).sort()).toEqual(['/data/by', '/data/reason', '/data/until']);
    expect(validateEvent(lead('lead.sla_paused', { reason: 'x'.repeat(101) })).map((e) => e.pointer)).toEqual(['/data/reason']);
    expect(workflowIdFor({ type: 'account.kickoff_paused', subject: 'ACC-7' })).toBe('account:ACC-7');
    expect(workflowIdFor({ type: 'lead.sla_resumed', subject: 'L-1001' })).toBe('lead:L-1001');
  });

  it('derives the workflow id from the subject and the dedup key from source and id', () => {
    expect(workflowIdFor({ type: 'opportunity.won', subject: 'L-1001' })).toBe('lead:L-1001');
    expect(eventKey(created)).toBe('crm://hubspot/portal-42#evt-1');
  });
});
