import { describe, expect, it } from 'vitest';
import { humanDuration, leadSummary } from '../../../src/cli/leadSummary.ts';
import type { LeadState } from '../../../workflows/lead/types.ts';

const decision = (kind: string, matched: string[]) => ({ at: '2026-11-23T09:00:00Z', kind, matched, outcome: null, revision: 'abc1234', inputs: {} });

const state = {
  leadId: 'L-7',
  stage: 'Engage',
  status: 'working',
  lead: {},
  leadUpdatedAt: '2026-11-23T09:00:00Z',
  tier: 'A',
  owner: 'anna-schmidt',
  pool: null,
  queue: 'enterprise-emea',
  breachedReps: [],
  reassignments: 1,
  sla: {
    handoff: 'marketing-to-sales',
    rule: 'sla-tier-a',
    target: '2h',
    startedAt: '2026-11-23T09:00:00Z',
    warnAt: '2026-11-23T10:30:00Z',
    deadline: '2026-11-23T11:00:00Z',
    calendar: 'emea',
    escalation: { notify: ['manager'], reassign: true, maxReassignments: 2, then: null },
    decision: decision('sla', ['sla-tier-a']),
    status: 'met',
    metAt: '2026-11-23T10:20:00Z',
    timeToFirstTouchMs: 80 * 60_000,
  },
  handoffAt: '2026-11-23T09:00:00Z',
  firstMeetingAt: null,
  timeToFirstMeetingMs: null,
  opportunity: { id: 'O-1', amount: 48000, currency: 'EUR', createdAt: '2026-11-24T09:00:00Z' },
  closedReason: null,
  recycleAt: null,
  rulesRevision: 'abc1234',
  decisions: [1, 2, 3, 4, 5, 6].map((n) => decision(`kind-${n}`, n === 6 ? [] : [`rule-${n}`])),
  ignored: [{ eventId: 'e9', type: 'lead.touched', at: '2026-11-23T09:05:00Z', reason: 'touch by noah-fischer, who does not own the lead' }],
  seen: [],
  early: [],
  runs: 1,
} as unknown as LeadState;

describe('flywheel lead show summary', () => {
  it('shows stage, owner, tier, SLA, first touch, opportunity, the last decisions and ignored events', () => {
    const text = leadSummary(state, 'lead:L-7').join('\n');
    expect(text).toContain('Lead L-7  (workflow lead:L-7)');
    expect(text).toContain('Engage / working');
    expect(text).toContain('anna-schmidt  queue enterprise-emea  reassigned 1x');
    expect(text).toMatch(/Tier\s+A/);
    expect(text).toContain('met: target 2h on calendar emea (rule sla-tier-a)');
    expect(text).toContain('warn 2026-11-23T10:30:00Z, deadline 2026-11-23T11:00:00Z');
    expect(text).toContain('1h 20m after hand-off');
    expect(text).toContain('O-1  48000 EUR');
    expect(text).toContain('Decisions (last 5 of 6)');
    expect(text).not.toContain('rule-1');
    expect(text).toContain('matched rule-5  @ abc1234');
    expect(text).toContain('no rule matched');
    expect(text).toContain('lead.touched e9: touch by noah-fischer');
  });

  it('formats durations to two units', () => {
    expect([humanDuration(0), humanDuration(45_000), humanDuration(3 * 86_400_000 + 4 * 3_600_000 + 59_000), humanDuration(-90_000)]).toEqual(['0s', '45s', '3d 4h', '-1m 30s']);
  });
});
