import { describe, expect, it } from 'vitest';
import { attract } from '../../../src/metrics/attract.ts';
import { delight } from '../../../src/metrics/delight.ts';
import { engage } from '../../../src/metrics/engage.ts';
import { feedback } from '../../../src/metrics/feedback.ts';
import { computeMetrics, type FlywheelMetrics } from '../../../src/metrics/flywheel.ts';
import { friction } from '../../../src/metrics/friction.ts';
import { handoffs } from '../../../src/metrics/handoffs.ts';
import { parsePeriod, type Period } from '../../../src/metrics/period.ts';
import { formatMetricsReport } from '../../../src/metrics/report.ts';
import { emptyLedgerPerTest } from '../ledger/helpers/emptyLedger.ts';
import { ev, flywheelFixture } from './flywheelFixture.ts';

// The fixture and the story of each lead and account are in flywheelFixture.ts.
const MARCH: Period = parsePeriod('2027-03-01', '2027-04-01');
const SPEND = { webinar: 2_500, 'demo-request': 3_000, 'paid-search': 1_000 };

const ledger = emptyLedgerPerTest();

async function march(): Promise<FlywheelMetrics> {
  await ledger.record(flywheelFixture());
  return computeMetrics(ledger, MARCH, { spendByChannel: SPEND });
}

describe('computeMetrics on the March 2027 fixture', () => {
  it('reports the period as ISO date-times', async () => {
    expect((await march()).period).toEqual({ from: '2027-03-01T00:00:00.000Z', to: '2027-04-01T00:00:00.000Z' });
  });

  it('attract', async () => {
    /*
     * leads: first decision in March: L1 L2 L3 L4 L6 L7 = 6 (L5 Feb, L9 Jan, L8 at `to`, L10/L11 have no decision)
     * of those MQL before `to`: L1 L2 L4 L6 = 4 -> leadToMqlRate 4/6 = 0.6667
     * mqls: MQL decisions in March: L1 L2 L4 L6 L9 = 5 (L5's was in Feb, L8's at `to`)
     * qualifiedPipeline: deal.created in March: 20,000 (L1) + 10,000 (L2) + 30,000 (L4) + 2,500.50 (L10) = 62,500.50
     *   (L5's is in Feb, L6's in April)
     * costPerPipelineDollar: webinar 2,500 / 10,000 = 0.25, demo-request 3,000 / 20,000 = 0.15, paid-search: no pipeline
     * marketingSourcedShare: won ARR 24,000 (demo-request) + 36,000 (outbound) + 6,000 (referral) = 66,000;
     *   marketing 24,000 -> 0.363636 -> 0.3636
     * icpMatchRate: inbound leads with an icp decision in March: L1 A, L2 B (latest of D, B), L3 D, L6 B (no source
     *   counts as inbound), L7 A; L4 is outbound, L8 at `to`. Matches 4 of 5 = 0.8
     */
    expect((await march()).attract).toEqual({
      leads: 6,
      mqls: 5,
      leadToMqlRate: 0.6667,
      qualifiedPipeline: 62_500.5,
      pipelineBySource: { 'demo-request': 20_000, outbound: 30_000, unknown: 2_500.5, webinar: 10_000 },
      costPerPipelineDollar: { 'demo-request': 0.15, 'paid-search': null, webinar: 0.25 },
      marketingSourcedShare: 0.3636,
      icpMatchRate: 0.8,
    });
  });

  it('engage', async () => {
    /*
     * opportunities: the 4 deal.created in March (L1 L2 L4 L10)
     * mqlToOpportunityRate: of the 5 March MQLs, L1 L2 L4 have a deal before `to` (L6's is in April) = 3/5 = 0.6
     * leadToOpportunityRate: of the 6 March leads, L1 L2 L4 = 3/6 = 0.5 (L10 is not a March lead)
     * won: L1 L4 L5 = 3; lost: L2, L11 = 2; winRate 3/5 = 0.6
     * winRateByTier: A: L1 won = 1; B: L5 won, L2 lost (tier from its deal.created) = 0.5;
     *   C: L4 won, L11 lost (tier from its lead.assigned) = 0.5
     * bookings 24,000 + 36,000 + 6,000 = 66,000; averageDealSize 66,000 / 3 = 22,000
     * salesCycleDays (deal.created -> close, same time of day): L1 03-05 -> 03-15 = 10, L2 03-06 -> 03-20 = 14,
     *   L4 03-08 -> 03-28 = 20, L5 02-15 -> 03-10 = 23; L11 has no deal.created. median (14 + 20) / 2 = 17, mean 67/4 = 16.75
     * timeToFirstMeetingHours: L1 2, L2 5, L4 min(8, 12) = 8 (L5's 100 h meeting is in Feb): median 5
     */
    expect((await march()).engage).toEqual({
      opportunities: 4,
      mqlToOpportunityRate: 0.6,
      leadToOpportunityRate: 0.5,
      won: 3,
      lost: 2,
      winRate: 0.6,
      winRateByTier: { A: 1, B: 0.5, C: 0.5 },
      bookings: 66_000,
      averageDealSize: 22_000,
      salesCycleDays: { median: 17, mean: 16.75 },
      timeToFirstMeetingHours: { median: 5 },
    });
  });

  it('delight', async () => {
    /*
     * cohort (ARR > 0 at 03-01): A 10,000, B 20,000, C 5,000, D 8,000, E 3,000, F 4,000 = 50,000 (6 accounts)
     * at 04-01: A 12,000, B 0, C 4,000, D 0, E 0, F 4,000 = 20,000; churned B D E = 3
     * expansion 2,000 (A), contraction 1,000 (C), churn 20,000 + 8,000 + 3,000 = 31,000;
     *   50,000 + 2,000 - 1,000 - 31,000 = 20,000
     * NRR 20,000 / 50,000 = 0.4; GRR kept 10,000 + 4,000 + 4,000 = 18,000 / 50,000 = 0.36
     * newBusiness: ACC1 24,000 + ACC2 36,000 + ACC3 6,000 = 66,000
     * churnRate 3/6 = 0.5; expansionShare 2,000 / 50,000 = 0.04
     * healthDistribution (latest before `to`): A yellow, B red, C green, E red (03-27), ACC3 green; ACC1's is in April
     *   -> green 2, yellow 1, red 2
     * customers (ARR > 0 at `to`): A C F ACC1 ACC2 ACC3 = 6
     */
    expect((await march()).delight).toEqual({
      retention: {
        from: MARCH.from,
        to: MARCH.to,
        cohortAccounts: 6,
        churnedAccounts: 3,
        startingArr: 50_000,
        endingArr: 20_000,
        expansion: 2_000,
        contraction: 1_000,
        churn: 31_000,
        newBusiness: 66_000,
        nrr: 0.4,
        grr: 0.36,
      },
      churnRate: 0.5,
      expansionShare: 0.04,
      healthDistribution: { green: 2, yellow: 1, red: 2 },
      customers: 6,
    });
  });

  it('handoffs', async () => {
    /*
     * sla.met / sla.breached in March (sla.started ignored; ACC-D's 2026 breach and ACC3's at `to` are outside):
     *   marketing-to-sales  week 03-01  emea/ana   L1 met 03-02, L2 breached 03-04   1 / 2 = 0.5
     *   marketing-to-sales  week 03-01  no owner   L9 met 03-03                       1
     *   marketing-to-sales  week 03-08  na/ben     L4 met 03-08, L6 met 03-10         1
     *   sales-to-cs         week 03-15  cs/cara    ACC1 met 03-17                     1
     *   sales-to-cs         week 03-29  cs/cara    ACC2 breached 03-31T23:59:59       0
     * compliance: marketing-to-sales 4/5 = 0.8; sales-to-cs 1/2 = 0.5
     * incompleteHandoffs: ACC2, ACC-G (handed off in Feb) = 2 (ACC-D's is in 2026)
     * incompleteRate: handed off in March ACC1 ACC2 ACC3, of which incomplete ACC2 = 1/3 = 0.3333
     * paused: marketing-to-sales L2 (2 h + 1 h, one clock) and L4 (0.5 h) = 2 clocks, 3.5 h (L6's resume has no
     *   pausedMs); sales-to-cs ACC1 27 h = 1 clock (ACC3's resume is at `to`)
     * held: L11 8 h + L4 1.5 h = 2 leads, 9.5 h (L8's is at `to`)
     */
    expect((await march()).handoffs).toEqual({
      sla: [
        { handoff: 'marketing-to-sales', week: '2027-03-01', team: 'emea', owner: 'ana', met: 1, breached: 1, compliance: 0.5 },
        { handoff: 'marketing-to-sales', week: '2027-03-01', team: null, owner: null, met: 1, breached: 0, compliance: 1 },
        { handoff: 'marketing-to-sales', week: '2027-03-08', team: 'na', owner: 'ben', met: 2, breached: 0, compliance: 1 },
        { handoff: 'sales-to-cs', week: '2027-03-15', team: 'cs', owner: 'cara', met: 1, breached: 0, compliance: 1 },
        { handoff: 'sales-to-cs', week: '2027-03-29', team: 'cs', owner: 'cara', met: 0, breached: 1, compliance: 0 },
      ],
      compliance: { 'marketing-to-sales': 0.8, 'sales-to-cs': 0.5 },
      paused: { 'marketing-to-sales': { clocks: 2, hours: 3.5 }, 'sales-to-cs': { clocks: 1, hours: 27 } },
      held: { leads: 2, hours: 9.5 },
      incompleteHandoffs: 2,
      incompleteRate: 0.3333,
    });
  });

  it('friction', async () => {
    /*
     * dwell, counted when the lead leaves the stage in March:
     *   Attract: L1 12 h, L2 02-28 -> 03-01T06 = 30 h, L4 6 h, L6 8 d = 192 h, L9 01-05 -> 03-03 = 57 d = 1,368 h
     *            (L5 left Attract in Feb) -> [6, 12, 30, 192, 1368], median 30, n 5
     *   Engage:  L1 03-02T12 -> 03-15T12 = 312 h, L2 03-01T06 -> 03-20T06 = 456 h, L4 03-06T06 -> 03-28T06 = 528 h,
     *            L5 02-11 -> 03-10 = 27 d = 648 h -> median (456 + 528) / 2 = 492, n 4
     * stalledLeads (last change before 2027-03-18T00:00, not Closed/Delight): L3 Attract 03-05 (its April change is
     *   after `to`), L9 Engage 03-03 = 2. L6 changed exactly at 03-18T00:00: 14 days, not older.
     * churnStartsAt: B -> health:yellow (02-20; before red and overdue), D -> handoff-incomplete (2026-09-02, before
     *   the kickoff breach), E -> none (its red score came after the churn)
     */
    expect((await march()).friction).toEqual({
      dwellHours: { Attract: { median: 30, n: 5 }, Engage: { median: 492, n: 4 } },
      stalledLeads: 2,
      churnStartsAt: [
        { signal: 'handoff-incomplete', accounts: 1 },
        { signal: 'health:yellow', accounts: 1 },
        { signal: 'none', accounts: 1 },
      ],
    });
  });

  it('feedback', async () => {
    /*
     * retentionByTier (cohort by tier of the first deal.won):
     *   A: ACC-A 10,000 -> 12,000 (kept 10,000), ACC-E 3,000 -> 0: 10,000 / 13,000 = 0.769230 -> 0.7692
     *   B: ACC-B 20,000 -> 0, ACC-C 5,000 -> 4,000: 4,000 / 25,000 = 0.16
     *   C: ACC-D 8,000 -> 0 = 0;  unknown: ACC-F 4,000 -> 4,000 = 1
     * winRateBySource (deals closed in March): demo-request L1 won, outbound L4 won, referral L5 won,
     *   webinar L2 lost (source of its deal.created), paid-search L11 lost (source of its lead.assigned)
     */
    expect((await march()).feedback).toEqual({
      retentionByTier: { A: { accounts: 2, grr: 0.7692 }, B: { accounts: 2, grr: 0.16 }, C: { accounts: 1, grr: 0 }, unknown: { accounts: 1, grr: 1 } },
      winRateBySource: {
        'demo-request': { won: 1, lost: 0, winRate: 1 },
        outbound: { won: 1, lost: 0, winRate: 1 },
        'paid-search': { won: 0, lost: 1, winRate: 0 },
        referral: { won: 1, lost: 0, winRate: 1 },
        webinar: { won: 0, lost: 1, winRate: 0 },
      },
    });
  });

  it('gives each section the same figures when it is computed on its own', async () => {
    const all = await march();
    expect(await attract(ledger, MARCH, { spendByChannel: SPEND })).toEqual(all.attract);
    expect(await engage(ledger, MARCH)).toEqual(all.engage);
    expect(await delight(ledger, MARCH)).toEqual(all.delight);
    expect(await handoffs(ledger, MARCH)).toEqual(all.handoffs);
    expect(await friction(ledger, MARCH)).toEqual(all.friction);
    expect(await feedback(ledger, MARCH)).toEqual(all.feedback);
  });

  it('formats a readable report, one block per section', async () => {
    const lines = formatMetricsReport(await march());
    expect(lines[0]).toBe('Flywheel metrics  2027-03-01T00:00:00.000Z to 2027-04-01T00:00:00.000Z (end excluded)');
    expect(lines.filter((l) => /^[A-Z]/.test(l)).slice(1)).toEqual(['Attract', 'Engage', 'Delight', 'Hand-offs', 'Friction', 'Feedback']);
    expect(lines).toContain('  qualified pipeline         62,500.50');
    expect(lines).toContain('  cost per pipeline dollar   demo-request 0.15, paid-search n/a, webinar 0.25');
    expect(lines).toContain('  NRR / GRR                  40.0% / 36.0%');
    expect(lines).toContain('    sales-to-cs         2027-03-29  cs           cara             met 0, breached 1, 0.0%');
    expect(lines).toContain('  churn started at           handoff-incomplete 1, health:yellow 1, none 1');
    expect(lines).toContain('  paused (business h)        marketing-to-sales 3.5 (2 clocks), sales-to-cs 27 (1 clocks)');
    expect(lines).toContain('  held before routing        2 leads, 9.5 h');
  });

  it('has no cost per pipeline dollar without spend', async () => {
    await ledger.record(flywheelFixture());
    expect((await computeMetrics(ledger, MARCH)).attract.costPerPipelineDollar).toEqual({});
  });
});

describe('computeMetrics edge cases', () => {
  it('is all zeros, empty groups and null ratios on an empty ledger', async () => {
    const m = await computeMetrics(ledger, MARCH, { spendByChannel: { webinar: 100 } });
    expect(m.attract).toEqual({
      leads: 0,
      mqls: 0,
      leadToMqlRate: null,
      qualifiedPipeline: 0,
      pipelineBySource: {},
      costPerPipelineDollar: { webinar: null },
      marketingSourcedShare: null,
      icpMatchRate: null,
    });
    expect(m.engage).toEqual({
      opportunities: 0,
      mqlToOpportunityRate: null,
      leadToOpportunityRate: null,
      won: 0,
      lost: 0,
      winRate: null,
      winRateByTier: {},
      bookings: 0,
      averageDealSize: null,
      salesCycleDays: { median: null, mean: null },
      timeToFirstMeetingHours: { median: null },
    });
    expect(m.delight).toMatchObject({ churnRate: null, expansionShare: null, healthDistribution: { green: 0, yellow: 0, red: 0 }, customers: 0 });
    expect(m.handoffs).toEqual({
      sla: [],
      compliance: { 'marketing-to-sales': null, 'sales-to-cs': null },
      paused: { 'marketing-to-sales': { clocks: 0, hours: 0 }, 'sales-to-cs': { clocks: 0, hours: 0 } },
      held: { leads: 0, hours: 0 },
      incompleteHandoffs: 0,
      incompleteRate: null,
    });
    expect(m.friction).toEqual({ dwellHours: {}, stalledLeads: 0, churnStartsAt: [] });
    expect(m.feedback).toEqual({ retentionByTier: {}, winRateBySource: {} });
  });

  it('is half-open: a row exactly at `from` counts, one exactly at `to` does not', async () => {
    await ledger.record([
      ev('decision.recorded', '2027-03-01T00:00:00Z', { leadId: 'in', data: { kind: 'qualification', outcome: { status: 'mql' } } }),
      ev('decision.recorded', '2027-04-01T00:00:00Z', { leadId: 'out', data: { kind: 'qualification', outcome: { status: 'mql' } } }),
      ev('deal.created', '2027-03-01T00:00:00Z', { leadId: 'in', amount: 100, data: { source: 'webinar' } }),
      ev('deal.created', '2027-04-01T00:00:00Z', { leadId: 'out', amount: 900, data: { source: 'webinar' } }),
      ev('sla.met', '2027-03-01T00:00:00Z', { leadId: 'in' }),
      ev('sla.breached', '2027-04-01T00:00:00Z', { leadId: 'out' }),
    ]);
    const m = await computeMetrics(ledger, MARCH);
    expect(m.attract).toMatchObject({ leads: 1, mqls: 1, leadToMqlRate: 1, qualifiedPipeline: 100, pipelineBySource: { webinar: 100 } });
    expect(m.engage).toMatchObject({ opportunities: 1, mqlToOpportunityRate: 1 });
    expect(m.handoffs.compliance).toEqual({ 'marketing-to-sales': 1, 'sales-to-cs': null });
  });

  it('puts a clock met on a Sunday in the week of the Monday before', async () => {
    await ledger.record([ev('sla.met', '2027-03-07T23:59:59Z', { leadId: 'x', owner: 'ana' })]);
    expect((await handoffs(ledger, MARCH)).sla).toEqual([{ handoff: 'marketing-to-sales', week: '2027-03-01', team: null, owner: 'ana', met: 1, breached: 0, compliance: 1 }]);
  });

  it('refuses an empty or inverted period', async () => {
    const day = new Date('2027-03-01T00:00:00Z');
    await expect(computeMetrics(ledger, { from: day, to: day })).rejects.toThrow('must be before to');
  });
});
