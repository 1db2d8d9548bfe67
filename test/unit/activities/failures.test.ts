import { ApplicationFailure } from '@temporalio/common';
import { describe, expect, it } from 'vitest';
import { classify, failFast } from '../../../activities/failures.ts';
import { refusedRow } from '../../../activities/ledger.ts';
import { LedgerValidationError } from '../../../src/ledger/errors.ts';
import { WebhookRejectedError } from '../../../src/webhooks/sender.ts';
import { webhookUrl } from '../../../src/worker/activityDeps.ts';

describe('which activity failures are final', () => {
  it('makes bad data, bad rules and a refused CRM request non-retryable, and leaves outages retryable', () => {
    expect(classify(new LedgerValidationError(['amount out of range']))).toBe('InvalidData');
    expect(classify(Object.assign(new Error('invalid byte sequence for encoding "UTF8": 0x00'), { code: '22021' }))).toBe('InvalidData');
    expect(classify(Object.assign(new Error('duplicate key'), { code: '23505' }))).toBe('InvalidData');
    expect(classify(Object.assign(new Error('x'), { name: 'RuleEvaluationError' }))).toBe('RulesError');
    expect(classify(new WebhookRejectedError('refused', 400))).toBe('CrmRejected');
    expect(classify(Object.assign(new Error('connection refused'), { code: 'ECONNREFUSED' }))).toBeNull();
    expect(classify(Object.assign(new Error('too many connections'), { code: '53300' }))).toBeNull();
    expect(classify(new Error('CRM webhook answered 503'))).toBeNull();
  });

  it('throws a final failure as a non-retryable ApplicationFailure named by its kind, other errors unchanged', async () => {
    const bad = failFast(async () => {
      throw new LedgerValidationError(['amount out of range']);
    });
    const err = await bad().catch((e: unknown) => e);
    expect(err).toBeInstanceOf(ApplicationFailure);
    expect(err).toMatchObject({ type: 'InvalidData', nonRetryable: true });
    const down = new Error('ECONNRESET');
    await expect(failFast(async () => Promise.reject(down))()).rejects.toBe(down);
  });

  it('stands a refused ledger row in with a failure row that carries none of its bad data', () => {
    const row = refusedRow(
      { key: 'lead:L\u00001:deal:x', type: 'deal.created', occurredAt: 'not a time', leadId: 'L\u00001', amount: 1e17, data: { title: 'a\u0000b' } },
      new Error('amount 1e17 is out of range\u0000'),
    );
    expect(row).toMatchObject({ type: 'lead.failed', leadId: 'L\\01', data: { what: 'ledger row refused', refusedType: 'deal.created', cause: 'amount 1e17 is out of range\\0' } });
    expect(JSON.stringify(row)).not.toContain('\\u0000');
    expect(row).not.toHaveProperty('amount');
    expect(Date.parse(row.occurredAt)).not.toBeNaN();
  });
});

describe('a production worker and the dev-only CRM sink', () => {
  it('sends nothing to the stand-in CRM that only `flywheel dev` serves, and keeps a real CRM url', () => {
    expect(webhookUrl('http://127.0.0.1:8787/v1/dev/crm-sink', true)).toBeUndefined();
    expect(webhookUrl('http://127.0.0.1:8787/v1/dev/crm-sink', false)).toBe('http://127.0.0.1:8787/v1/dev/crm-sink');
    expect(webhookUrl('https://crm.example/hooks/flywheel', true)).toBe('https://crm.example/hooks/flywheel');
  });
});
