import { describe, expect, it } from 'vitest';
import { loadPlan } from '../../../src/plan/load.ts';
import { addDays, addMonths } from '../../../src/calendar/civil.ts';
import { ceilWhole, reverseFunnel } from '../../../src/plan/funnel.ts';
import { smallPlan } from './fixtures.ts';

describe('reverseFunnel', () => {
  it('works the small plan backwards exactly as by hand', () => {
    const [jan, feb, mar, ...rest] = reverseFunnel(smallPlan());
    expect(rest).toEqual([]);
    /*
     * 2027-01: start 1,000,000 (startingArr); kept = 1,000,000 × 0.985 = 985,000
     *   bookings = 1,050,000 − 985,000 = 65,000
     *   opportunities = 65,000 / 20,000 / 0.25 = 13;  MQLs = 13 / 0.4 = 32.5 -> 33;  leads = 33 / 0.2 = 165
     *   opportunities by 2027-01-01 − 45 d = 2026-11-17 (− 31 d -> 2026-12-01, − 14 d -> 2026-11-17)
     *   reps = ceil(65,000 / 20,000 = 3.25) = 4 -> 2 hires beyond 2 ramped, by 2027-01-01 − 3 months = 2026-10-01
     *   customers = ceil(1,050,000 / 20,000 = 52.5) = 53;  CSMs = ceil(53 / 50) = 2 -> 1 hire
     *   cost per lead = 15,000 / 165 = 90.909... -> 90.91
     */
    expect(jan).toEqual({
      period: '2027-01',
      from: '2027-01-01',
      to: '2027-02-01',
      startingArr: 1_000_000,
      keptArr: 985_000,
      arrTarget: 1_050_000,
      bookingsNeeded: 65_000,
      opportunities: 13,
      mqls: 33,
      leads: 165,
      opportunitiesCreateBy: '2026-11-17',
      repsNeeded: 4,
      repHires: 2,
      hireBy: '2026-10-01',
      customers: 53,
      csmsNeeded: 2,
      csmHires: 1,
      spend: 15_000,
      costPerLead: 90.91,
    });
    /*
     * 2027-02: start 1,050,000 (January's target); kept = 1,050,000 × 0.985 = 1,034,250
     *   bookings = 1,100,000 − 1,034,250 = 65,750
     *   opportunities = 65,750 / 20,000 / 0.25 = 13.15 -> 14;  MQLs = 14 / 0.4 = 35;  leads = 35 / 0.2 = 175
     *   opportunities by 2027-02-01 − 45 d = 2026-12-18
     *   reps = ceil(3.2875) = 4 -> 2 hires by 2026-11-01
     *   customers = 1,100,000 / 20,000 = 55;  CSMs = ceil(1.1) = 2 -> 1 hire;  cost per lead = 15,000 / 175 = 85.71
     */
    expect(feb).toEqual({
      period: '2027-02',
      from: '2027-02-01',
      to: '2027-03-01',
      startingArr: 1_050_000,
      keptArr: 1_034_250,
      arrTarget: 1_100_000,
      bookingsNeeded: 65_750,
      opportunities: 14,
      mqls: 35,
      leads: 175,
      opportunitiesCreateBy: '2026-12-18',
      repsNeeded: 4,
      repHires: 2,
      hireBy: '2026-11-01',
      customers: 55,
      csmsNeeded: 2,
      csmHires: 1,
      spend: 15_000,
      costPerLead: 85.71,
    });
    /*
     * 2027-03: a target below what is kept: start 1,100,000, kept 1,083,500 > 1,000,000 -> bookings 0, nothing needed.
     *   opportunities by 2027-03-01 − 45 d = 2027-01-15 (February 2027 has 28 days)
     *   customers = 1,000,000 / 20,000 = 50;  CSMs = 1, no hire;  no leads -> no cost per lead
     */
    expect(mar).toEqual({
      period: '2027-03',
      from: '2027-03-01',
      to: '2027-04-01',
      startingArr: 1_100_000,
      keptArr: 1_083_500,
      arrTarget: 1_000_000,
      bookingsNeeded: 0,
      opportunities: 0,
      mqls: 0,
      leads: 0,
      opportunitiesCreateBy: '2027-01-15',
      repsNeeded: 0,
      repHires: 0,
      hireBy: null,
      customers: 50,
      csmsNeeded: 1,
      csmHires: 0,
      spend: 15_000,
      costPerLead: null,
    });
  });

  it('gives the shipped plan the hand-computed January and December', () => {
    const funnel = reverseFunnel(loadPlan('config/plan.yaml').plan);
    expect(funnel).toHaveLength(12);
    /*
     * January: kept = 4,200,000 × (1 − 0.008 + 0.012 = 1.004) = 4,216,800; bookings = 4,330,000 − 4,216,800 = 113,200
     *   opportunities = 113,200 / 24,000 / 0.22 = 21.44 -> 22; MQLs = 22 / 0.30 = 73.3 -> 74; leads = 74 / 0.18 = 411.1 -> 412
     *   by 2027-01-01 − 60 d = 2026-11-02; reps = ceil(113,200 / 25,000 = 4.53) = 5 of 8: no hire
     *   customers = ceil(4,330,000 / 24,000 = 180.4) = 181; CSMs = ceil(181 / 60 = 3.02) = 4 of 3: +1
     *   spend 42,000 + 25,000 + 18,000 + 12,000 = 97,000; per lead 97,000 / 412 = 235.44
     */
    expect(funnel[0]).toMatchObject({
      keptArr: 4_216_800,
      bookingsNeeded: 113_200,
      opportunities: 22,
      mqls: 74,
      leads: 412,
      opportunitiesCreateBy: '2026-11-02',
      repsNeeded: 5,
      repHires: 0,
      hireBy: null,
      customers: 181,
      csmsNeeded: 4,
      csmHires: 1,
      spend: 97_000,
      costPerLead: 235.44,
    });
    /*
     * December: start 6,180,000; kept = 6,180,000 × 1.004 = 6,204,720; bookings = 6,420,000 − 6,204,720 = 215,280
     *   reps = ceil(215,280 / 25,000 = 8.61) = 9 of 8: 1 hire by 2027-12-01 − 4 months = 2027-08-01
     */
    expect(funnel[11]).toMatchObject({ startingArr: 6_180_000, keptArr: 6_204_720, bookingsNeeded: 215_280, repsNeeded: 9, repHires: 1, hireBy: '2027-08-01' });
  });

  it('is pure and does not round noise up', () => {
    const plan = smallPlan();
    const copy = structuredClone(plan);
    reverseFunnel(plan);
    expect(plan).toEqual(copy);
    // 0.1 × 3 = 0.30000000000000004: still 3 whole units, not 4.
    expect(ceilWhole(0.1 * 3 * 10)).toBe(3);
    expect(ceilWhole(3.0000001)).toBe(4);
    expect(ceilWhole(-2)).toBe(0);
  });
});

describe('date arithmetic', () => {
  it('moves by days and months, clamping to the month end', () => {
    expect(addDays('2027-03-01', -45)).toBe('2027-01-15');
    expect(addDays('2028-03-01', -1)).toBe('2028-02-29');
    expect(addMonths('2027-03-31', -1)).toBe('2027-02-28');
    expect(addMonths('2028-03-31', -1)).toBe('2028-02-29');
    expect(addMonths('2027-01-15', -4)).toBe('2026-09-15');
    expect(addMonths('2027-12-31', 13)).toBe('2029-01-31');
    expect(addMonths('2027-12-01', 0)).toBe('2027-12-01');
    expect(() => addDays('2027-02-30', 1)).toThrow('not a date: 2027-02-30');
  });
});
