import { describe, expect, it } from 'vitest';
import { accountSummary } from '../../../src/cli/accountSummary.ts';
import { initialAccountState } from '../../../workflows/account/state.ts';
import type { AccountState } from '../../../workflows/account/types.ts';

const decision = (kind: string, matched: string[]) => ({ at: '2027-01-15T09:00:00Z', kind, matched, outcome: null, revision: 'abc1234', inputs: {} });

function customer(): AccountState {
  return {
    ...initialAccountState('ACC-7'),
    status: 'onboarding',
    name: 'ShopCo GmbH',
    tier: 'B',
    arr: 48_000,
    currency: 'EUR',
    salesOwner: 'noah-fischer',
    csOwner: 'emma-janssen',
    csQueue: 'cs-onboarding',
    onboarding: { owner: 'emma-janssen', until: '2027-02-14T09:00:00Z', completed: false },
    wonAt: '2027-01-15T09:00:00Z',
    kickoffHeldAt: '2027-01-16T11:30:00Z',
    kickoff: {
      handoff: 'sales-to-cs',
      rule: 'sla-stc-default',
      target: '5d',
      startedAt: '2027-01-15T09:00:00Z',
      warnAt: '2027-01-20T09:00:00Z',
      deadline: '2027-01-22T09:00:00Z',
      calendar: 'emea',
      escalation: { notify: ['manager'], reassign: true, maxReassignments: 1, then: 'overflow' },
      status: 'met',
      metAt: '2027-01-16T11:30:00Z',
    },
    contract: { start: '2027-01-15', end: '2028-01-14' },
    renewal: {
      contractEnd: '2028-01-14',
      dueAt: '2028-01-14T23:00:00.000Z',
      reminders: [
        { offset: '90d', at: '2027-10-16T07:00:00.000Z' },
        { offset: '60d', at: '2027-11-15T08:00:00.000Z' },
      ],
      passed: [],
      notify: ['owner'],
      rule: 'renewal-default',
      sent: ['90d'],
      overdue: false,
    },
    health: { score: 35, band: 'red', signals: ['seat-utilisation-low', 'dormant'], at: '2027-03-01T00:00:00Z', playbook: 'churn-risk-save' },
    handoffs: [{ opportunityId: 'OPP-1', leadId: 'L-1', at: '2027-01-15T09:00:00Z', arr: 48_000, missing: ['handoff.champion'] }],
    referrals: [{ leadId: 'ref-1', eventId: 'e1', submittedAt: '2027-02-01T10:00:00Z', company: 'Datahaus AG', status: 'won', arr: 36_000, wonAt: '2027-04-01T10:00:00Z' }],
    referredArr: 36_000,
    decisions: [decision('handoff', ['handoff-stc-base']), decision('cs-routing', ['cs-onboarding-default'])],
  };
}

describe('flywheel account show', () => {
  it('summarises what an operator asks about a customer', () => {
    const text = accountSummary(customer(), 'account:ACC-7').join('\n');
    expect(text).toContain('Account ACC-7 (ShopCo GmbH)  (workflow account:ACC-7)');
    expect(text).toContain('Delight / onboarding');
    expect(text).toContain('48,000 EUR  tier B');
    expect(text).toContain('emma-janssen  queue cs-onboarding');
    expect(text).toContain('First 30 days  emma-janssen until 2027-02-14T09:00:00Z');
    expect(text).toContain('met: target 5d on calendar emea, deadline 2027-01-22T09:00:00Z (rule sla-stc-default), held 1d 2h after the win');
    expect(text).toContain('reminders sent 1/2, next 60d before the end, at 2027-11-15T08:00:00.000Z (rule renewal-default)');
    expect(text).toContain('red (35)');
    expect(text).toContain('playbook churn-risk-save');
    expect(text).toContain('incomplete: OPP-1 missing handoff.champion');
    expect(text).toContain('1 submitted, 1 won, 36,000 EUR ARR credited');
    expect(text).toContain('matched cs-onboarding-default');
  });

  it('reads a fresh account defensively', () => {
    const text = accountSummary(initialAccountState('ACC-8'), 'account:ACC-8').join('\n');
    expect(text).toContain('Delight / awaiting-handoff');
    expect(text).toContain('no report yet');
    expect(text).toContain('0 deal(s), complete');
  });
});
