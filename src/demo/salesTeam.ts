import type { Segment } from './leads.ts';
import { STREAMS } from './customers.ts';
import { rng, type Rng } from './random.ts';

/**
 * How the sales team treats one lead, drawn once per lead from the seed so a run's story is reproducible:
 * most owners touch within the SLA, some only after the warning, some never (the SLA breaches, the lead is
 * escalated and reassigned); a reassigned owner usually reacts fast. Touched leads book meetings, some become
 * opportunities, and those are won or lost.
 */
export interface SalesPlan {
  /** The first owner (or the pool): before the warning, between warning and deadline, never, or only after the breach. */
  first: 'prompt' | 'late' | 'never' | 'after-breach';
  /** An owner who got the lead by reassignment or overflow. */
  reassigned: 'prompt' | 'never';
  /** The owner of a lead that came back from recycling after a lost deal. */
  recycled: 'prompt' | 'never';
  /** Where in its slot (before the warning, or between warning and deadline) the touch lands, 0..1. */
  touchAt: number;
  meeting: boolean;
  opportunity: boolean;
  outcome: 'won' | 'lost';
  lostReason: string;
  /** Deal size in EUR by company size. */
  amount: number;
  /** Gaps between touch, meeting, opportunity and close, as fractions of the run's window. */
  steps: [number, number, number];
  channel: 'email' | 'phone' | 'linkedin';
  goals: string[];
  successCriteria: string[];
}

/** Reasons as a CRM records them; demo/rules/recycling.yaml keys on competitor, budget and timing. */
const LOST_REASONS: readonly (readonly [string, number])[] = [
  ['Lost to a competitor (Contoso Analytics)', 30],
  ['No budget this year', 20],
  ['Bad timing: re-organisation in the data team', 20],
  ['Decided to build in-house', 15],
  ['No decision: champion left', 15],
];

const GOALS = ['one revenue dashboard for the board', 'self-service analytics for sales managers', 'replace spreadsheet reporting', 'embedded dashboards for customers', 'a governed metrics layer'];
const CRITERIA = [
  'weekly active users above 60 % of licences',
  'month-end close reporting in under a day',
  'ten core dashboards migrated',
  'executive pipeline review runs on Northwind',
  'data freshness under one hour',
];

export function salesPlan(seed: number, no: number, segment: Segment): SalesPlan {
  const r = rng(seed, no, 2);
  return {
    first: r.weighted([
      ['prompt', 55],
      ['late', 17],
      ['never', 20],
      ['after-breach', 8],
    ]),
    reassigned: r.chance(0.85) ? 'prompt' : 'never',
    recycled: r.chance(0.7) ? 'prompt' : 'never',
    touchAt: r.next(),
    meeting: r.chance(0.6),
    opportunity: r.chance(0.65),
    outcome: r.chance(0.55) ? 'won' : 'lost',
    lostReason: r.weighted(LOST_REASONS),
    amount: amountFor(segment, r),
    steps: [r.float(0.03, 0.09), r.float(0.03, 0.09), r.float(0.04, 0.1)],
    channel: r.weighted([
      ['email', 5],
      ['phone', 4],
      ['linkedin', 1],
    ]),
    goals: [r.pick(GOALS), r.pick(GOALS)].filter((g, i, a) => a.indexOf(g) === i),
    successCriteria: [r.pick(CRITERIA), r.pick(CRITERIA)].filter((g, i, a) => a.indexOf(g) === i),
  };
}

/**
 * A lead a customer referred arrives warm: its owner calls it promptly (sometimes only after the warning), it
 * nearly always gets a meeting, and it closes more often and faster than a campaign lead.
 */
export function referralPlan(seed: number, no: number, segment: Segment): SalesPlan {
  const r = rng(seed, no, STREAMS.referralSales);
  return {
    ...salesPlan(seed, no, segment),
    first: r.chance(0.85) ? 'prompt' : 'late',
    meeting: r.chance(0.95),
    opportunity: r.chance(0.85),
    outcome: r.chance(0.75) ? 'won' : 'lost',
    steps: [r.float(0.03, 0.05), r.float(0.03, 0.05), r.float(0.03, 0.06)],
  };
}

function amountFor(segment: Segment, r: Rng): number {
  const [min, max] = segment === 'smb' ? [6_000, 24_000] : segment === 'mid-market' ? [24_000, 90_000] : [90_000, 420_000];
  return Math.round(r.float(min, max) / 500) * 500;
}

export interface Clock {
  startedAt: number;
  warnAt: number;
  deadline: number;
}

/**
 * When the owner of a clock touches the lead (epoch ms), or null for never. An owner who gets to it only after the
 * breach finds the lead reassigned, unless the SLA does not reassign (the pool), where the touch still claims it.
 */
export function touchTime(plan: SalesPlan, behaviour: SalesPlan['first'], clock: Clock): number | null {
  const { startedAt, warnAt, deadline } = clock;
  switch (behaviour) {
    case 'prompt':
      return startedAt + (0.1 + 0.5 * plan.touchAt) * (warnAt - startedAt);
    case 'late':
      // Clear of both ends: the warning should have fired, and the breach timer must not win the race.
      return warnAt + (0.2 + 0.6 * plan.touchAt) * (deadline - warnAt);
    case 'after-breach':
      return deadline + 1000 + 2000 * plan.touchAt;
    case 'never':
      return null;
  }
}
