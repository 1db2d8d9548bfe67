import { describe, expect, it } from 'vitest';
import { createClosedRecordActivities } from '../../../activities/closedRecords.ts';
import type { Ledger, LedgerEvent } from '../../../src/ledger/types.ts';
import { emptyLedgerPerTest } from './helpers/emptyLedger.ts';

const ledger = emptyLedgerPerTest();
const { findClosedRecord } = createClosedRecordActivities({ ledger: ledger as Ledger });

const snapshot = { tier: 'B', lead: { email: 'maria.lopez@gmail.com' }, seenDigests: [7929297801672961] };
function closed(key: string, at: string, over: Partial<LedgerEvent> = {}, data: Record<string, unknown> = {}): LedgerEvent {
  return {
    key,
    type: 'lead.closed',
    occurredAt: at,
    leadId: 'lead-1',
    owner: 'jonas-becker',
    data: { status: 'disqualified', reason: 'personal e-mail address and no company domain', owner: 'jonas-becker', tier: 'B', reopenable: true, snapshot, ...data },
    ...over,
  };
}
const reopened = (key: string, at: string): LedgerEvent => ({ key, type: 'lead.reopened', occurredAt: at, leadId: 'lead-1', data: { by: 'lead.updated' } });

describe('findClosedRecord', () => {
  it('is null for a lead or account that never closed', async () => {
    await ledger.record([{ key: 'other-1', type: 'stage.changed', occurredAt: '2026-03-02T09:30:00Z', leadId: 'lead-1', stage: 'Attract' }]);
    expect(await findClosedRecord({ entity: 'lead', id: 'lead-1' })).toBeNull();
    expect(await findClosedRecord({ entity: 'account', id: 'acct-1' })).toBeNull();
  });

  it('reads the closed record from the row the workflow wrote', async () => {
    await ledger.record([closed('c-1', '2026-03-02T09:30:00Z')]);
    expect(await findClosedRecord({ entity: 'lead', id: 'lead-1' })).toEqual({
      status: 'disqualified',
      reason: 'personal e-mail address and no company domain',
      owner: 'jonas-becker',
      closedAt: '2026-03-02T09:30:00.000Z',
      reopenable: true,
      snapshot,
    });
    expect(await findClosedRecord({ entity: 'lead', id: 'lead-2' })).toBeNull();
  });

  it('follows the latest row: closed, re-opened, closed again', async () => {
    await ledger.record([closed('c-1', '2026-03-02T09:30:00Z'), reopened('r-1', '2026-03-20T08:00:00Z')]);
    expect(await findClosedRecord({ entity: 'lead', id: 'lead-1' })).toBeNull();
    await ledger.record([closed('c-2', '2026-04-01T12:00:00+02:00', {}, { status: 'won', reason: null, reopenable: false })]);
    expect(await findClosedRecord({ entity: 'lead', id: 'lead-1' })).toMatchObject({ status: 'won', reason: null, reopenable: false, closedAt: '2026-04-01T10:00:00.000Z' });
  });

  it('orders by when it happened, not when it was written; at the same instant the later write wins', async () => {
    // A late-written row for an earlier close does not hide the re-opening after it.
    await ledger.record([reopened('r-1', '2026-03-20T08:00:00Z')]);
    await ledger.record([closed('c-1', '2026-03-02T09:30:00Z')]);
    expect(await findClosedRecord({ entity: 'lead', id: 'lead-1' })).toBeNull();
    await ledger.record([closed('c-2', '2026-03-20T08:00:00Z', {}, { status: 'lost' })]);
    expect(await findClosedRecord({ entity: 'lead', id: 'lead-1' })).toMatchObject({ status: 'lost' });
  });

  it('reads an account from account.closed rows only', async () => {
    await ledger.record([
      closed('lead-row', '2026-03-02T09:30:00Z', { leadId: 'acct-1' }),
      {
        key: 'a-1',
        type: 'account.closed',
        occurredAt: '2026-05-01T00:00:00Z',
        accountId: 'acct-1',
        owner: 'sofia-rossi',
        data: { status: 'churned', reason: 'contract ended', owner: 'sofia-rossi', reopenable: false, snapshot: { arr: 48000 } },
      },
    ]);
    expect(await findClosedRecord({ entity: 'account', id: 'acct-1' })).toEqual({
      status: 'churned',
      reason: 'contract ended',
      owner: 'sofia-rossi',
      closedAt: '2026-05-01T00:00:00.000Z',
      reopenable: false,
      snapshot: { arr: 48000 },
    });
  });

  it('turns malformed data into neutral values instead of failing', async () => {
    await ledger.record([{ key: 'c-bad', type: 'lead.closed', occurredAt: '2026-03-02T09:30:00Z', leadId: 'lead-1', owner: 'maya-brooks', data: { status: 7, reopenable: 'yes', snapshot: [1, 2] } }]);
    expect(await findClosedRecord({ entity: 'lead', id: 'lead-1' })).toEqual({
      status: 'closed',
      reason: null,
      owner: 'maya-brooks',
      closedAt: '2026-03-02T09:30:00.000Z',
      reopenable: false,
      snapshot: {},
    });
  });
});
