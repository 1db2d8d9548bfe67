import type { GrowthPlan } from '../../../src/plan/types.ts';

/**
 * A small plan whose funnel is worked out by hand in funnel.test.ts:
 * NRR per month = 1 − 0.02 + 0.005 = 0.985; spend 5,000 + 10,000 = 15,000 a month.
 */
export function smallPlan(): GrowthPlan {
  return {
    name: 'Small plan',
    currency: 'EUR',
    cadence: { schedule: '0 8 1 * *', timezone: 'Europe/Berlin' },
    approval: { approvers: ['jonas-becker'], deadline: '5d', escalateTo: ['lena-vogel'] },
    startingArr: 1_000_000,
    periods: [
      { id: '2027-01', from: '2027-01-01', to: '2027-02-01', arrTarget: 1_050_000 },
      { id: '2027-02', from: '2027-02-01', to: '2027-03-01', arrTarget: 1_100_000 },
      { id: '2027-03', from: '2027-03-01', to: '2027-04-01', arrTarget: 1_000_000 },
    ],
    assumptions: {
      acv: 20_000,
      winRate: 0.25,
      leadToMql: 0.2,
      mqlToOpportunity: 0.4,
      salesCycleDays: 45,
      monthlyGrossChurn: 0.02,
      monthlyExpansion: 0.005,
      quotaPerRepMonthly: 20_000,
      rampMonths: 3,
      accountsPerCsm: 50,
      reps: 2,
      csms: 1,
    },
    spend: [
      { channel: 'webinar', monthly: 5_000 },
      { channel: 'paid-search', monthly: 10_000 },
    ],
  };
}
