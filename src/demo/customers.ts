import type { DemoLead } from './leads.ts';
import { companyName, COUNTRIES, PEOPLE, phoneFor, REGIONS, slug, TITLES } from './names.ts';
import { round } from '../numbers.ts';
import { rng, type Rng } from './random.ts';

export type Band = 'green' | 'yellow' | 'red';
export type RenewalDecision = 'renew' | 'expand' | 'contract' | 'churn';

/**
 * What one new customer and its CSM do, drawn once per won deal from the seed (like the sales plan): how long the
 * contract runs, whether sales left a gap in the hand-off, how the kickoff goes, how healthy the reports look,
 * and what the customer decides when the contract ends. Health follows the decision, so a customer who churns
 * was red first, as in life.
 */
export interface CustomerPlan {
  /** Contract length as a share of the window: short enough that most contracts end while the demo runs. */
  contract: number;
  /** When the renewal decision comes, as a share of the contract: in its last stretch, after the first reminders. */
  decideAt: number;
  /** Sales forgot the success criteria: the hand-off rules flag it as incomplete. */
  withoutSuccessCriteria: boolean;
  /** Before the warning, between warning and deadline, or never by the first CSM (breach, then the next CSM). */
  kickoff: 'prompt' | 'late' | 'slipped';
  /** Where in its slot the kickoff lands, 0..1. */
  kickoffAt: number;
  /** The bands of the one to three health reports, in order. */
  health: Band[];
  decision: RenewalDecision;
  /** ARR change at renewal as a share of ARR: up for `expand`, down for `contract`. */
  change: number;
  churnReason: string;
  /** An upsell mid-contract, as a share of ARR, or null. */
  midExpansion: number | null;
  /** Refers another company while the new partnership is fresh, around the kickoff. */
  refers: boolean;
  /** When the referral comes, as a share of the window after the win. */
  referAfter: number;
}

/** A customer's random streams (by its won lead's number), clear of the lead's own (1 to 5 plus a clock number). */
export const STREAMS = { plan: 20, referral: 21, health: 22, redelivery: 23, queue: 24, referralSales: 25 } as const;

const CHURN_REASONS: readonly (readonly [string, number])[] = [
  ['budget cut: analytics tools consolidated', 30],
  ['moved to a competitor (Contoso Analytics)', 25],
  ['low adoption: the team went back to spreadsheets', 25],
  ['acquired; moving to the parent company stack', 10],
  ['champion left and nobody took over', 10],
];

export function customerPlan(seed: number, no: number): CustomerPlan {
  const r = rng(seed, no, STREAMS.plan);
  const decision = r.weighted<RenewalDecision>([
    ['renew', 65],
    ['expand', 15],
    ['contract', 10],
    ['churn', 10],
  ]);
  return {
    contract: r.float(0.25, 0.42),
    decideAt: r.float(0.72, 0.92),
    withoutSuccessCriteria: r.chance(0.1),
    kickoff: r.weighted([
      ['prompt', 70],
      ['late', 15],
      ['slipped', 15],
    ]),
    kickoffAt: r.next(),
    health: healthPath(decision, r),
    decision,
    change: decision === 'expand' ? r.float(0.1, 0.4) : decision === 'contract' ? r.float(0.1, 0.3) : 0,
    churnReason: r.weighted(CHURN_REASONS),
    midExpansion: decision !== 'churn' && r.chance(0.15) ? r.float(0.05, 0.2) : null,
    refers: decision !== 'churn' && r.chance(0.15),
    referAfter: r.float(0.02, 0.08),
  };
}

/** Churners end red, contractions yellow or red; everyone else ends green, some after a dip the playbook fixed. */
function healthPath(decision: RenewalDecision, r: Rng): Band[] {
  const risky = decision === 'churn' || decision === 'contract';
  const earlier = Array.from({ length: r.int(0, 2) }, () =>
    r.weighted<Band>(
      risky
        ? [
            ['green', 3],
            ['yellow', 4],
            ['red', 3],
          ]
        : [
            ['green', 7],
            ['yellow', 2],
            ['red', 1],
          ],
    ),
  );
  const last: Band =
    decision === 'churn'
      ? 'red'
      : decision === 'contract'
        ? r.weighted([
            ['yellow', 7],
            ['red', 3],
          ])
        : r.chance(0.9)
          ? 'green'
          : 'yellow';
  return [...earlier, last];
}

/**
 * An account.health_reported the demo health rules score into `band` whatever else matches: green clears 70 with
 * seats in use and promoters; yellow loses 15 for declining usage (10 more when the renewal is near and seats
 * under 60 %, still yellow); red loses at least 50 for unused seats, declining usage and detractors.
 */
export function healthReport(band: Band, r: Rng): Record<string, unknown> {
  const common = { invoiceOverdueDays: 0, featureAdoption: { dashboards: r.int(3, 60), scheduledReports: r.int(0, 20), integrations: r.int(0, 3) } };
  switch (band) {
    case 'green':
      return {
        ...common,
        activeSeatRatio: round(r.float(0.8, 0.97), 2),
        weeklyActiveUsersTrend: round(r.float(0, 0.2), 2),
        daysSinceLastLogin: r.int(0, 2),
        nps: { score: r.int(50, 80), responses: r.int(3, 15) },
        supportTickets: { open: r.int(0, 5), p1Last30d: 0, escalated: false },
        championLeft: false,
        executiveSponsor: r.chance(0.5),
      };
    case 'yellow':
      return {
        ...common,
        activeSeatRatio: round(r.float(0.42, 0.58), 2),
        weeklyActiveUsersTrend: round(r.float(-0.4, -0.26), 2),
        daysSinceLastLogin: r.int(2, 9),
        nps: { score: r.int(0, 40), responses: r.int(1, 8) },
        supportTickets: { open: r.int(2, 8), p1Last30d: r.int(0, 1), escalated: false },
        championLeft: false,
        executiveSponsor: false,
      };
    case 'red':
      return {
        ...common,
        activeSeatRatio: round(r.float(0.12, 0.35), 2),
        weeklyActiveUsersTrend: round(r.float(-0.6, -0.3), 2),
        daysSinceLastLogin: r.int(5, 30),
        nps: { score: r.int(-50, -5), responses: r.int(2, 10) },
        supportTickets: { open: r.int(4, 16), p1Last30d: r.int(0, 4), escalated: r.chance(0.4) },
        invoiceOverdueDays: r.chance(0.3) ? r.int(31, 75) : 0,
        championLeft: r.chance(0.4),
        executiveSponsor: false,
      };
  }
}

/** Referred leads get their own numbers, clear of the CRM's leads (at most 5,000), for ids and random streams. */
const REFERRAL_NO = 100_000;
/** Stems no generated lead uses, so a referred company is never mistaken for an existing customer's domain. */
const REFERRAL_STEMS = ['Amberfield', 'Clearwater', 'Foxglove', 'Highmoor', 'Kingfisher', 'Moonstone', 'Oakhaven', 'Stonebridge', 'Thornbury', 'Wrenfield'];
const CORE = ['software', 'ecommerce', 'financial-services', 'retail', 'media'] as const;

/**
 * The company a customer refers: inside the profile (mid-market or small, in a core industry, so tier B or C and an
 * MQL by qual-customer-referral), with a named contact. `lead` is how the sales team knows it; `data` is the
 * referral.submitted the customer's CRM sends. The lead id is the CRM's, so the team can follow the lead.
 */
export function referral(seed: number, referrerNo: number): { lead: DemoLead; data: Record<string, unknown> } {
  const r = rng(seed, referrerNo, STREAMS.referral);
  const no = REFERRAL_NO + referrerNo;
  const region = r.weighted(REGIONS);
  const country = r.weighted(COUNTRIES[region]);
  const industry = r.pick(CORE);
  const segment = r.chance(0.7) ? ('mid-market' as const) : ('smb' as const);
  const employees = segment === 'mid-market' ? r.int(200, 999) : r.int(20, 199);
  const first = r.pick(PEOPLE[region].first);
  const last = r.pick(PEOPLE[region].last);
  const title = r.weighted(TITLES);
  const { company, domain } = companyName(r.pick(REFERRAL_STEMS), industry, country, r.pick);
  const contact = { email: `${slug(first)}.${slug(last)}@${domain}`, firstName: first, lastName: last, title, phone: phoneFor(country, r.int(1_000_000, 9_999_999)) };
  const id = `L-R${1000 + referrerNo}`;
  const lead: DemoLead = {
    no,
    id,
    accountId: `ACC-R${referrerNo}`,
    kind: 'fit',
    segment,
    region,
    person: { first, last, title },
    data: { ...contact, company, domain, country, employees, industry, source: 'referral' },
    touchBeforeCreate: false,
  };
  return { lead, data: { leadId: id, contact, company: { name: company, domain, country, employees, industry }, note: `${first} runs reporting at ${company}` } };
}
