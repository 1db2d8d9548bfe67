import { describe, expect, it } from 'vitest';
import { clockKey } from '../../../src/sla/clockKeys.ts';
import { afterBreach, cancelClock, clockTimer, holdTimer, meetClock, onClockDue, pauseClock, resumeClock } from '../../../src/sla/clockMachine.ts';
import type { RunningClock } from '../../../workflows/clock.ts';

const H = 3_600_000;
const T0 = Date.parse('2027-02-01T08:00:00Z');
const iso = (ms: number) => new Date(ms).toISOString();

function clock(over: Partial<RunningClock> = {}): RunningClock {
  return {
    handoff: 'sales-to-cs',
    rule: 'sla-stc-default',
    target: '4h',
    startedAt: iso(T0),
    warnAt: iso(T0 + 3 * H),
    deadline: iso(T0 + 4 * H),
    calendar: 'emea',
    escalation: { notify: ['manager'], reassign: true, maxReassignments: 1, then: 'overflow' },
    pause: { reasons: ['customer-request'], maxPause: '10d' },
    status: 'running',
    ...over,
  };
}

describe('the hand-off clock machine', () => {
  it('warns at warnAt, then breaches at the deadline and asks for a reassignment', () => {
    const c = clock();
    expect(clockTimer(c)).toEqual({ at: T0 + 3 * H, kind: 'warn' });
    expect(onClockDue(c, T0 + 2 * H, 'emma', 0)).toEqual([]);
    expect(onClockDue(c, T0 + 3 * H, 'emma', 0)).toEqual([{ kind: 'row', type: 'sla.warned', event: 'warned', data: { handoff: 'sales-to-cs', deadline: c.deadline, rule: 'sla-stc-default' } }]);
    expect(c.status).toBe('warned');
    expect(clockTimer(c)).toEqual({ at: T0 + 4 * H, kind: 'deadline' });
    const fx = onClockDue(c, T0 + 4 * H, 'emma', 0);
    expect(fx.map((f) => f.kind)).toEqual(['row', 'escalate', 'reassign']);
    expect(fx[0]).toMatchObject({ type: 'sla.breached', event: 'breached', data: { owner: 'emma' } });
    expect(fx[1]).toEqual({ kind: 'escalate', breacher: 'emma' });
    expect(c.status).toBe('breached');
    expect(clockTimer(c)).toBeNull();
  });

  it('overflows once after the last reassignment, then leaves the record where it is', () => {
    const c = clock();
    expect(afterBreach(c, 0)).toEqual({ kind: 'reassign' });
    expect(afterBreach(c, 1)).toEqual({ kind: 'overflow', then: 'overflow' });
    expect(afterBreach(c, 2)).toBeNull();
    expect(afterBreach(clock({ escalation: { notify: [], reassign: false, maxReassignments: 0, then: null } }), 0)).toBeNull();
    expect(afterBreach(clock({ escalation: { notify: [], reassign: false, maxReassignments: 0, then: 'cs-overflow' } }), 0)).toEqual({ kind: 'overflow', then: 'cs-overflow' });
  });

  it('breaches at once when a late wake-up is already past the deadline (no warning first)', () => {
    const c = clock();
    const fx = onClockDue(c, T0 + 5 * H, null, 1);
    expect(fx.map((f) => f.kind)).toEqual(['row', 'escalate', 'overflow']);
    expect(c.status).toBe('breached');
  });

  it('meets an open clock (also a paused one) and refuses a touch from before the clock', () => {
    expect(meetClock(clock(), iso(T0 - 1))).toEqual({ refused: 'it happened before the current clock started' });
    const c = clock();
    expect(meetClock(c, iso(T0 + H), { timeToKickoffMs: H })).toEqual([
      { kind: 'row', type: 'sla.met', event: 'met', data: { handoff: 'sales-to-cs', rule: 'sla-stc-default', deadline: c.deadline, timeToKickoffMs: H } },
    ]);
    expect(c.status).toBe('met');
    expect(meetClock(c, iso(T0 + 2 * H))).toEqual({ refused: 'the SLA clock is met' });
    expect(meetClock(null, iso(T0))).toEqual({ refused: 'no SLA clock is running' });
    const p = clock();
    pauseClock(p, iso(T0 + H), 'customer-request', null);
    expect(meetClock(p, iso(T0 + 2 * H))).not.toHaveProperty('refused');
    expect(p.paused).toBeNull();
  });

  it('pauses only for the reasons the rule allows, caps the pause at maxPause, and never warns or breaches while paused', () => {
    const c = clock();
    expect(pauseClock(c, iso(T0 + H), 'holiday', null)).toEqual({ refused: 'the SLA rule sla-stc-default does not allow pausing for "holiday" (allowed: customer-request)' });
    expect(pauseClock(clock({ pause: undefined }), iso(T0 + H), 'customer-request', null)).toEqual({
      refused: 'the SLA rule sla-stc-default does not allow pausing for "customer-request" (it allows no pauses)',
    });
    const fx = pauseClock(c, iso(T0 + H), 'customer-request', iso(T0 + 30 * 24 * H));
    expect(fx).toEqual([
      { kind: 'row', type: 'sla.paused', event: 'paused:0', data: { handoff: 'sales-to-cs', reason: 'customer-request', until: iso(T0 + H + 240 * H), rule: 'sla-stc-default', deadline: c.deadline } },
    ]);
    expect(c.status).toBe('paused');
    expect(c.paused).toEqual({ at: iso(T0 + H), reason: 'customer-request', until: iso(T0 + 241 * H), resumeTo: 'running' });
    expect(clockTimer(c)).toEqual({ at: T0 + 241 * H, kind: 'resume' });
    expect(onClockDue(c, T0 + 100 * H, 'emma', 0)).toEqual([]);
    expect(pauseClock(c, iso(T0 + 2 * H), 'customer-request', null)).toEqual({ refused: 'the SLA clock is already paused (customer-request)' });
  });

  it('resumes to where it was with the deadline moved, counting paused business time and pauses', () => {
    const c = clock({ status: 'warned' });
    pauseClock(c, iso(T0 + 3.5 * H), 'customer-request', null);
    const shift = { warnAt: iso(T0 + 99 * H), deadline: iso(T0 + 100 * H), pausedBusinessMs: 27 * H };
    const fx = resumeClock(c, iso(T0 + 90 * H), shift, 'event');
    expect(fx).toEqual([
      {
        kind: 'row',
        type: 'sla.resumed',
        event: 'resumed:0',
        data: {
          handoff: 'sales-to-cs',
          reason: 'customer-request',
          pausedAt: iso(T0 + 3.5 * H),
          resumedAt: iso(T0 + 90 * H),
          pausedMs: 27 * H,
          by: 'event',
          deadline: iso(T0 + 100 * H),
          rule: 'sla-stc-default',
        },
      },
    ]);
    // A warned clock stays warned: its warning already went out, only the deadline moves.
    expect(c).toMatchObject({ status: 'warned', warnAt: iso(T0 + 3 * H), deadline: iso(T0 + 100 * H), pausedMs: 27 * H, pauses: 1, paused: null });
    expect(resumeClock(c, iso(T0 + 91 * H), shift, 'event')).toEqual({ refused: 'the SLA clock is not paused (warned)' });
    pauseClock(c, iso(T0 + 92 * H), 'customer-request', null);
    expect(resumeClock(c, iso(T0 + 93 * H), { ...shift, pausedBusinessMs: H }, 'until')).toMatchObject([{ event: 'resumed:1', data: { by: 'until' } }]);
    expect(c.pausedMs).toBe(28 * H);
  });

  it('cancels an open clock on churn and leaves a finished one alone', () => {
    const c = clock();
    expect(cancelClock(c, 'churned')).toEqual([
      { kind: 'row', type: 'sla.cancelled', event: 'cancelled', data: { handoff: 'sales-to-cs', rule: 'sla-stc-default', deadline: c.deadline, reason: 'churned' } },
    ]);
    expect(c.status).toBe('none');
    expect(cancelClock(clock({ status: 'met' }), 'churned')).toEqual([]);
  });

  it('wakes a held lead at its next route time, and at maxHold once', () => {
    const hold = {
      queue: 'enterprise-emea',
      since: iso(T0),
      candidates: [],
      nextRouteAt: iso(T0 + 48 * H),
      maxHoldAt: iso(T0 + 12 * H),
      notify: ['manager'],
      rule: 'route-enterprise-emea',
      toldAt: null,
    };
    expect(holdTimer(hold)).toEqual({ at: T0 + 12 * H, kind: 'tell' });
    expect(holdTimer({ ...hold, toldAt: iso(T0 + 12 * H) })).toEqual({ at: T0 + 48 * H, kind: 'route' });
    expect(holdTimer({ ...hold, nextRouteAt: null, toldAt: iso(T0) })).toBeNull();
  });

  it('keys every clock row in one place', () => {
    expect(clockKey('lead', 'L-1', 0, 'started')).toBe('lead:L-1:sla:0:started');
    expect(clockKey('account', 'A-1', 2, 'paused:1')).toBe('account:A-1:sla:2:paused:1');
  });
});
