import { describe, expect, it } from 'vitest';
import type { LedgerEvent } from '../../../src/ledger/types.ts';
import { readOperationsInput } from '../../../src/server/ops/read.ts';
import { clockKey, type ClockRowEvent } from '../../../src/sla/clockKeys.ts';
import { accountWorkflowId } from '../../../workflows/definitions.ts';
import { emptyLedgerPerTest } from '../ledger/helpers/emptyLedger.ts';

const NOW = Date.parse('2026-03-02T12:00:00Z'); // 13:00 in Berlin
const HOUR = 3_600_000;
const at = (msFromNow: number) => new Date(NOW + msFromNow).toISOString();

/** A kickoff clock row as the account workflow and its activity write it (account id, no lead, the shared key builder). */
function kickoffRow(accountId: string, clock: number, event: ClockRowEvent, type: LedgerEvent['type'], ago: number, data: Record<string, unknown> = {}): LedgerEvent {
  return {
    key: clockKey('account', accountId, clock, event),
    type,
    occurredAt: at(-ago),
    accountId,
    workflowId: accountWorkflowId(accountId),
    owner: 'emma-janssen',
    data: { handoff: 'sales-to-cs', rule: 'sla-stc-default', deadline: at(48 * HOUR), ...data },
  };
}

describe('readOperationsInput: the accounts’ CS kickoff clocks', () => {
  const ledger = emptyLedgerPerTest(['ledger_events']);

  it('reads each account’s open kickoff clock at its latest row, leaves met, breached and cancelled clocks out, and lists breaches of today of both hand-offs', async () => {
    await ledger.record([
      kickoffRow('acc-run', 0, 'started', 'sla.started', 5 * HOUR, { queue: 'cs-onboarding' }),
      kickoffRow('acc-warn', 0, 'started', 'sla.started', 40 * HOUR),
      kickoffRow('acc-warn', 0, 'warned', 'sla.warned', HOUR, { deadline: at(HOUR / 2) }),
      kickoffRow('acc-pause', 0, 'started', 'sla.started', 6 * HOUR),
      kickoffRow('acc-pause', 0, 'paused:0', 'sla.paused', 2 * HOUR, { reason: 'customer-request', until: at(72 * HOUR) }),
      kickoffRow('acc-back', 0, 'started', 'sla.started', 30 * HOUR),
      kickoffRow('acc-back', 0, 'warned', 'sla.warned', 20 * HOUR),
      kickoffRow('acc-back', 0, 'paused:0', 'sla.paused', 19 * HOUR, { reason: 'awaiting-customer', until: null }),
      kickoffRow('acc-back', 0, 'resumed:0', 'sla.resumed', 3 * HOUR, { deadline: at(10 * HOUR), pausedMs: 4 * HOUR }),
      kickoffRow('acc-met', 0, 'started', 'sla.started', 9 * HOUR),
      kickoffRow('acc-met', 0, 'met', 'sla.met', HOUR),
      kickoffRow('acc-gone', 0, 'started', 'sla.started', 9 * HOUR),
      kickoffRow('acc-gone', 0, 'cancelled', 'sla.cancelled', HOUR, { reason: 'churned' }),
      // Breached at 12:30 Berlin today, then reassigned: the second clock runs under the new CSM.
      kickoffRow('acc-breach', 0, 'started', 'sla.started', 50 * HOUR),
      kickoffRow('acc-breach', 0, 'breached', 'sla.breached', 30 * 60_000, { deadline: at(-30 * 60_000), owner: 'emma-janssen' }),
      { ...kickoffRow('acc-breach', 1, 'started', 'sla.started', 29 * 60_000, { deadline: at(40 * HOUR) }), owner: 'lucas-meyer' },
      // A lead's first-touch breach today, and a lead row that also names an account: neither is a kickoff clock.
      {
        key: 'lead:l-1:sla:0:breached',
        type: 'sla.breached',
        occurredAt: at(-HOUR),
        leadId: 'l-1',
        accountId: 'acc-x',
        workflowId: 'lead:l-1',
        owner: 'noah',
        data: { rule: 'sla-b', deadline: at(-HOUR) },
      },
      { key: 'lead:l-1:sla:1:started', type: 'sla.started', occurredAt: at(-HOUR), leadId: 'l-1', accountId: 'acc-x', workflowId: 'lead:l-1', data: { deadline: at(3 * HOUR) } },
      // Yesterday's breach is not today's.
      kickoffRow('acc-old', 0, 'breached', 'sla.breached', 24 * HOUR),
      { key: 'account:acc-run:health:1', type: 'health.scored', occurredAt: at(-HOUR), accountId: 'acc-run', data: { score: 80 } },
    ]);
    const read = await readOperationsInput({ ledger, timezone: 'Europe/Berlin' }, NOW);
    const kickoffs = read.clocks.filter((c) => c.handoff === 'sales-to-cs').sort((a, b) => a.accountId!.localeCompare(b.accountId!));
    expect(kickoffs.map((c) => [c.accountId, c.leadId, c.type, c.owner, c.warned, c.workflowId])).toEqual([
      ['acc-back', null, 'sla.resumed', 'emma-janssen', true, 'account:acc-back'],
      ['acc-breach', null, 'sla.started', 'lucas-meyer', false, 'account:acc-breach'],
      ['acc-pause', null, 'sla.paused', 'emma-janssen', false, 'account:acc-pause'],
      ['acc-run', null, 'sla.started', 'emma-janssen', false, 'account:acc-run'],
      ['acc-warn', null, 'sla.warned', 'emma-janssen', true, 'account:acc-warn'],
    ]);
    expect(kickoffs.find((c) => c.accountId === 'acc-run')).toMatchObject({ pool: 'cs-onboarding', rule: 'sla-stc-default', tier: null });
    expect(kickoffs.find((c) => c.accountId === 'acc-back')!.deadline).toBe(at(10 * HOUR));
    expect(kickoffs.find((c) => c.accountId === 'acc-pause')).toMatchObject({ pausedReason: 'customer-request', pausedUntil: at(72 * HOUR) });
    // No lead has an open assignment here, so the lead board is empty: the lead's clock row is not taken for an account's.
    expect(read.clocks.filter((c) => c.handoff === 'marketing-to-sales')).toEqual([]);
    expect(read.breachesToday.map((b) => [b.handoff, b.leadId, b.accountId, b.owner, b.workflowId])).toEqual([
      ['sales-to-cs', null, 'acc-breach', 'emma-janssen', 'account:acc-breach'],
      ['marketing-to-sales', 'l-1', null, 'noah', 'lead:l-1'],
    ]);
  });
});
