import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { loadConfig } from '../../../src/config/load.ts';
import { fromWallTime, toWallTime } from '../../../src/calendar/zonedTime.ts';
import { loadRules } from '../../../src/rules/load.ts';
import { decideHandoffClock } from '../../../src/sla/handoffClock.ts';

const config = loadConfig(fileURLToPath(new URL('../../../config/flywheel.yaml', import.meta.url))).config;
const engine = loadRules(fileURLToPath(new URL('../../../rules', import.meta.url)), { config });
const BERLIN = 'Europe/Berlin';
const berlin = (iso: string) => {
  const w = toWallTime(Date.parse(iso), BERLIN);
  return `${w.year}-${String(w.month).padStart(2, '0')}-${String(w.day).padStart(2, '0')} ${String(w.hour).padStart(2, '0')}:${String(w.minute).padStart(2, '0')}`;
};

describe('the sales -> CS kickoff clock', () => {
  it('counts five working days on the CSM calendar (EMEA 08:00-17:00), warning at 80 %', () => {
    // Friday 16:30: 0.5 h left that day. 5 working days = 45 business hours; 80 % = 36 h.
    // Deadline: 0.5 + 9 (Mon) + 9 + 9 + 9 (Thu) = 36.5, then 8.5 h into Friday 22 January = 16:30.
    // Warning: 0.5 + 9 + 9 + 9 (Wed) = 27.5, then 8.5 h into Thursday 21 January = 16:30.
    const startedAt = new Date(fromWallTime({ year: 2027, month: 1, day: 15, hour: 16, minute: 30 }, BERLIN)).toISOString();
    const { clock, decision } = decideHandoffClock(engine, config, {
      handoff: 'sales-to-cs',
      facts: { account: { arr: 48_000, region: 'emea' }, icp: { tier: 'B' } },
      owner: 'emma-janssen',
      queue: 'cs-onboarding',
      startedAt,
      reassignments: 0,
    });
    expect(decision.matched).toEqual(['sla-stc-default']);
    expect(clock).toMatchObject({ handoff: 'sales-to-cs', target: '5d', calendar: 'emea', escalation: { reassign: true, maxReassignments: 1, then: 'overflow' } });
    expect(berlin(clock.warnAt)).toBe('2027-01-21 16:30');
    expect(berlin(clock.deadline)).toBe('2027-01-22 16:30');
  });

  it('takes an enterprise customer on the rule calendar and notifies the head of CS', () => {
    const { clock, decision } = decideHandoffClock(engine, config, {
      handoff: 'sales-to-cs',
      facts: { account: { arr: 150_000, region: 'emea' } },
      owner: 'sofia-rossi',
      queue: 'cs-overflow',
      startedAt: '2027-01-18T08:00:00Z',
      reassignments: 0,
    });
    expect(decision.matched).toEqual(['sla-stc-enterprise']);
    expect(clock.escalation.notify).toEqual(['manager', 'sofia-rossi']);
    // Monday 09:00 Berlin + 2 working days (18 h): 8 h left on Monday, 9 h on Tuesday, the last hour Wednesday 08:00-09:00.
    expect(berlin(clock.deadline)).toBe('2027-01-20 09:00');
  });
});
