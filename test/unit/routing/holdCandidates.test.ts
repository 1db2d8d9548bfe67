import { describe, expect, it } from 'vitest';
import { loadConfig } from '../../../src/config/load.ts';
import type { FlywheelConfig, RepConfig } from '../../../src/config/types.ts';
import { queueMembers } from '../../../src/routing/candidates.ts';
import { candidateAt, holdCandidates, maxHoldAt, nextRouteAt } from '../../../src/routing/holdCandidates.ts';
import { at, BERLIN, NEW_YORK } from '../calendar/helpers.ts';

// The shipped calendars: emea Mon-Fri 08:00-17:00 Berlin, na Mon-Fri 09:00-17:30 New York, with holidays.
const shipped = loadConfig('config/flywheel.yaml').config;
const iso = (t: number) => new Date(t).toISOString();
const rep = (id: string) => shipped.reps.find((r) => r.id === id)!;
const queue = (id: string) => shipped.queues!.find((q) => q.id === id)!;
const none = new Map<string, number>();
const nobody = new Set<string>();

/** The shipped config with one rep changed (a fresh object, so cached calendars and leave stay correct). */
function withRep(id: string, change: Partial<RepConfig>): FlywheelConfig {
  return { ...shipped, reps: shipped.reps.map((r) => (r.id === id ? { ...r, ...change } : r)) };
}

describe('when a held lead can be taken', () => {
  it('on Saturday 10:00 Berlin, every enterprise EMEA rep can take it at Monday 08:00 Berlin', () => {
    const saturday = at(BERLIN, '2026-11-21 10:00');
    const cands = holdCandidates(shipped, 'enterprise-emea', queueMembers(shipped, queue('enterprise-emea')), saturday, none, nobody);
    expect(cands).toEqual(
      ['anna-schmidt', 'lukas-meyer', 'claire-dubois'].map((id) => ({ rep: id, queue: 'enterprise-emea', reason: 'outside-hours', availableAt: iso(at(BERLIN, '2026-11-23 08:00')) })),
    );
    expect(nextRouteAt(cands)).toBe(iso(at(BERLIN, '2026-11-23 08:00')));
  });

  it('takes the earliest opening across calendars (New York opens after Berlin on Monday)', () => {
    const saturday = at(BERLIN, '2026-11-21 10:00');
    const cands = holdCandidates(shipped, 'sales-overflow', queueMembers(shipped, queue('sales-overflow')), saturday, none, nobody);
    expect(cands.map((c) => [c.rep, c.availableAt])).toEqual([
      ['jonas-becker', iso(at(BERLIN, '2026-11-23 08:00'))],
      ['maya-brooks', iso(at(NEW_YORK, '2026-11-23 09:00'))],
    ]);
    expect(nextRouteAt(cands)).toBe(iso(at(BERLIN, '2026-11-23 08:00')));
  });

  it('a rep on date-only leave is back at the first opening after its last day (past a holiday)', () => {
    // Lukas is on leave 2026-12-21 .. 2027-01-03 inclusive; 2027-01-04 is a Monday.
    const c = candidateAt(shipped, 'enterprise-emea', rep('lukas-meyer'), at(BERLIN, '2026-12-28 10:00'), none, nobody);
    expect(c).toEqual({ rep: 'lukas-meyer', queue: 'enterprise-emea', reason: 'out-of-office', availableAt: iso(at(BERLIN, '2027-01-04 08:00')) });
  });

  it('a rep on leave until a date-time is back at that instant when the calendar is open then', () => {
    const cfg = withRep('anna-schmidt', { outOfOffice: [{ from: '2026-11-23', to: '2026-11-24T12:30' }] });
    const c = candidateAt(
      cfg,
      'enterprise-emea',
      cfg.reps.find((r) => r.id === 'anna-schmidt')!,
      at(BERLIN, '2026-11-23 10:00'),
      none,
      nobody,
    );
    expect(c).toMatchObject({ reason: 'out-of-office', availableAt: iso(at(BERLIN, '2026-11-24 12:30')) });
  });

  it('leave that ends after hours resolves to the next opening', () => {
    const cfg = withRep('anna-schmidt', { outOfOffice: [{ from: '2026-11-23', to: '2026-11-24T19:00' }] });
    const c = candidateAt(
      cfg,
      'enterprise-emea',
      cfg.reps.find((r) => r.id === 'anna-schmidt')!,
      at(BERLIN, '2026-11-23 10:00'),
      none,
      nobody,
    );
    expect(c).toMatchObject({ reason: 'out-of-office', availableAt: iso(at(BERLIN, '2026-11-25 08:00')) });
  });

  it('outside hours with leave starting at the next opening: back after the leave', () => {
    const cfg = withRep('anna-schmidt', { outOfOffice: [{ from: '2026-11-23', to: '2026-11-23' }] });
    const c = candidateAt(
      cfg,
      'enterprise-emea',
      cfg.reps.find((r) => r.id === 'anna-schmidt')!,
      at(BERLIN, '2026-11-21 10:00'),
      none,
      nobody,
    );
    expect(c).toMatchObject({ reason: 'outside-hours', availableAt: iso(at(BERLIN, '2026-11-24 08:00')) });
  });

  it('at capacity, inactive and excluded reps have no foreseeable time (null), even in working hours', () => {
    const monday = at(BERLIN, '2026-11-23 10:00');
    const full = new Map([['anna-schmidt', 40]]);
    expect(candidateAt(shipped, 'enterprise-emea', rep('anna-schmidt'), monday, full, nobody)).toEqual({ rep: 'anna-schmidt', queue: 'enterprise-emea', reason: 'at-capacity', availableAt: null });
    // At capacity wins over outside hours: the opening alone would not let her take it.
    expect(candidateAt(shipped, 'enterprise-emea', rep('anna-schmidt'), at(BERLIN, '2026-11-21 10:00'), full, nobody)?.availableAt).toBeNull();
    expect(candidateAt(shipped, 'enterprise-emea', rep('anna-schmidt'), monday, none, new Set(['anna-schmidt']))?.reason).toBe('excluded');
    const cfg = withRep('claire-dubois', { active: false });
    expect(
      candidateAt(
        cfg,
        'enterprise-emea',
        cfg.reps.find((r) => r.id === 'claire-dubois')!,
        monday,
        none,
        nobody,
      ),
    ).toMatchObject({ reason: 'inactive', availableAt: null });
    expect(candidateAt(shipped, 'enterprise-emea', rep('claire-dubois'), monday, none, nobody)).toBeNull();
    expect(nextRouteAt([{ rep: 'anna-schmidt', queue: 'enterprise-emea', reason: 'at-capacity', availableAt: null }])).toBeNull();
  });

  it('the maximum hold is wall-clock time from when the lead was first held', () => {
    expect(maxHoldAt('2026-11-21T09:00:00.000Z', '12h')).toBe('2026-11-21T21:00:00.000Z');
    expect(maxHoldAt('2026-11-21T09:00:00.000Z', '2d')).toBe('2026-11-23T09:00:00.000Z');
    expect(maxHoldAt('2026-11-21T09:00:00.000Z', undefined)).toBeNull();
  });
});
