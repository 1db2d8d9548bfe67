import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { createResumeClock } from '../../../activities/clock.ts';
import { loadConfig } from '../../../src/config/load.ts';
import { fromWallTime, toWallTime } from '../../../src/calendar/zonedTime.ts';
import { calendarFor } from '../../../src/routing/candidates.ts';
import { loadRules } from '../../../src/rules/load.ts';
import { decideHandoffClock } from '../../../src/sla/handoffClock.ts';
import { mayPause, pauseReasonKey, resumeShift } from '../../../src/sla/pause.ts';

const loaded = loadConfig(fileURLToPath(new URL('../../../config/flywheel.yaml', import.meta.url)));
const config = loaded.config;
const engine = loadRules(fileURLToPath(new URL('../../../rules', import.meta.url)), { config });
const emea = calendarFor(config, 'emea');
const BERLIN = 'Europe/Berlin';
const at = (year: number, month: number, day: number, hour: number, minute = 0) => fromWallTime({ year, month, day, hour, minute }, BERLIN);
const iso = (ms: number) => new Date(ms).toISOString();
const berlin = (text: string) => {
  const w = toWallTime(Date.parse(text), BERLIN);
  return `${w.year}-${String(w.month).padStart(2, '0')}-${String(w.day).padStart(2, '0')} ${String(w.hour).padStart(2, '0')}:${String(w.minute).padStart(2, '0')}`;
};
const HOUR = 3_600_000;

// A kickoff started Friday 15 January 2027 16:30 Berlin: five EMEA working days (08:00-17:00), due Friday 22 16:30,
// warning at 80 % on Thursday 21 16:30 (see handoffClock.test.ts for the arithmetic).
function kickoff() {
  return decideHandoffClock(engine, config, {
    handoff: 'sales-to-cs',
    facts: { account: { arr: 48_000, region: 'emea' }, icp: { tier: 'B' } },
    owner: 'emma-janssen',
    queue: 'cs-onboarding',
    startedAt: iso(at(2027, 1, 15, 16, 30)),
    reassignments: 0,
  }).clock;
}

describe('resumeShift on the shipped EMEA calendar', () => {
  it('moves a kickoff paused for three business days three business days later, across the weekend', () => {
    const clock = kickoff();
    expect(berlin(clock.deadline)).toBe('2027-01-22 16:30');
    // Paused Monday 18 10:00, resumed Thursday 21 10:00: Monday, Tuesday, Wednesday = 3 x 9 business hours.
    const r = resumeShift(emea, { ...clock, status: 'running' }, at(2027, 1, 18, 10), at(2027, 1, 21, 10));
    expect(r.pausedBusinessMs).toBe(27 * HOUR);
    // Friday 22 16:30 + Monday, Tuesday, Wednesday.
    expect(berlin(r.deadline)).toBe('2027-01-27 16:30');
    expect(berlin(r.warnAt)).toBe('2027-01-26 16:30');
  });

  it('keeps the warning of a clock that had already warned, also when it is read from the pause', () => {
    const clock = kickoff();
    const pausedAt = at(2027, 1, 22, 9);
    const resumedAt = at(2027, 1, 25, 9);
    const warned = resumeShift(emea, { ...clock, status: 'warned' }, pausedAt, resumedAt);
    expect(warned.warnAt).toBe(clock.warnAt);
    const paused = resumeShift(emea, { ...clock, status: 'paused', paused: { resumeTo: 'warned' } }, pausedAt, resumedAt);
    expect(paused).toEqual(warned);
    // Friday 09:00 to Monday 09:00 is one working day of 9 hours: Friday 16:30 due becomes Monday 16:30.
    expect(warned.pausedBusinessMs).toBe(9 * HOUR);
    expect(berlin(warned.deadline)).toBe('2027-01-25 16:30');
  });

  it('moves nothing for a pause that lies outside business hours', () => {
    const clock = kickoff();
    const r = resumeShift(emea, { ...clock, status: 'running' }, at(2027, 1, 16, 10), at(2027, 1, 17, 20));
    expect(r).toEqual({ warnAt: clock.warnAt, deadline: clock.deadline, pausedBusinessMs: 0 });
  });

  it('skips holidays both in the paused time and in the time that is left', () => {
    // Due Wednesday 23 December 2026 12:00; paused Tuesday 22 12:00, resumed Monday 28 12:00. Paused business
    // time: Tue 5 h + Wed 9 h (24-26 are holidays, 27 a Sunday) + Mon 4 h = 18 h. 9 hours were left:
    // Monday 28 12:00 + 5 h (to 17:00) + 4 h of Tuesday 29 = 12:00.
    const clock = { warnAt: iso(at(2026, 12, 22, 15)), deadline: iso(at(2026, 12, 23, 12)), status: 'running' as const };
    const r = resumeShift(emea, clock, at(2026, 12, 22, 12), at(2026, 12, 28, 12));
    expect(r.pausedBusinessMs).toBe(18 * HOUR);
    expect(berlin(r.deadline)).toBe('2026-12-29 12:00');
    expect(berlin(r.warnAt)).toBe('2026-12-28 15:00');
  });
});

describe('the resumeClock activity', () => {
  it('computes the shift on the calendar the clock names', async () => {
    const resumeClock = createResumeClock({ config: loaded });
    const { handoff: _h, ...clock } = kickoff();
    const r = await resumeClock({ clock: { ...clock, status: 'paused', paused: { resumeTo: 'running' } }, pausedAt: iso(at(2027, 1, 18, 10)), resumedAt: iso(at(2027, 1, 21, 10)) });
    expect(r).toEqual({ warnAt: iso(at(2027, 1, 26, 16, 30)), deadline: iso(at(2027, 1, 27, 16, 30)), pausedBusinessMs: 27 * HOUR });
  });
});

describe('which reasons pause which clock', () => {
  it("fixes the rule's pause reasons on the clock, and none where the rule allows no pause", () => {
    expect(kickoff().pause).toEqual({ reasons: ['customer-request', 'awaiting-customer'], maxPause: '10d' });
    const tierA = decideHandoffClock(engine, config, {
      handoff: 'marketing-to-sales',
      facts: { icp: { tier: 'A' } },
      owner: 'anna-schmidt',
      queue: 'enterprise-emea',
      startedAt: '2027-01-18T09:00:00Z',
      reassignments: 0,
    });
    expect(tierA.decision.matched).toEqual(['sla-mts-tier-a']);
    expect(tierA.clock.pause).toEqual({ reasons: [], maxPause: null });
  });

  it("matches a CRM reason written in words or kebab-case against the rule's list", () => {
    const pause = { reasons: ['customer-request', 'awaiting-customer'], maxPause: '10d' };
    expect(pauseReasonKey('  Awaiting_Customer ')).toBe('awaiting-customer');
    expect(mayPause(pause, 'awaiting customer')).toBe(true);
    expect(mayPause(pause, 'customer-request')).toBe(true);
    expect(mayPause(pause, 'holiday')).toBe(false);
    expect(mayPause(undefined, 'customer-request')).toBe(false);
  });
});
