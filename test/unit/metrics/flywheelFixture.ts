import type { LedgerEvent, LedgerEventType } from '../../../src/ledger/types.ts';

/*
 * A hand-built ledger for March 2027 (period [2027-03-01, 2027-04-01); 2027-03-01 is a Monday), used by
 * flywheel.test.ts. Every expected figure there is computed by hand from these rows, in comments next to it.
 *
 * Leads (first decision.recorded = when the lead arrived):
 *   L1  arrives 03-02, icp A, demo-request, MQL 03-02; meeting after 2 h; deal.created 03-05 20,000; won 03-15 ARR 24,000 (ACC1)
 *   L2  arrives 03-04, icp D then B, webinar, MQL 03-04; meeting after 5 h; deal.created 03-06 10,000; lost 03-20
 *   L3  arrives 03-05, icp D, webinar, nurture
 *   L4  arrives 03-06, icp C, outbound, MQL 03-06; meetings after 8 h and 12 h; deal.created 03-08 30,000; won 03-28 ARR 36,000 (ACC2)
 *   L5  arrives 02-10, MQL 02-10, deal.created 02-15 5,000 (referral, B), meeting in Feb; won 03-10 ARR 6,000 (ACC3)
 *   L6  arrives 03-10, icp B without a source, MQL 03-10; deal.created 04-02 (after the period)
 *   L7  arrives 03-31T23:00, icp A, paid-search, disqualified
 *   L8  arrives 04-01T00:00: at `to`, next period's
 *   L9  arrived 01-05, re-qualified MQL 03-03, no deal
 *   L10 no decision rows (imported); deal.created 03-12 2,500.50 without a source
 *   L11 lead.assigned 03-01 (paid-search, C), no deal.created; lost 03-25
 *
 * Accounts (ARR at 03-01 -> flows in March -> ARR at 04-01):
 *   ACC-A tier A  10,000 -> +2,000 expansion 03-10          -> 12,000   health green (02), yellow (03-12)
 *   ACC-B tier B  20,000 -> churn 03-20                     ->      0   health yellow 02-20, red 03-01; renewal.overdue 03-15
 *   ACC-C tier B   5,000 -> -1,000 contraction 03-05        ->  4,000   health green 03-02
 *   ACC-D tier C   8,000 -> churn 03-25                     ->      0   handoff.incomplete 2026-09-02, kickoff sla.breached 2026-09-10
 *   ACC-E tier A   3,000 -> churn 03-26                     ->      0   health red 03-27 (after its churn)
 *   ACC-F no tier  4,000                                     ->  4,000
 *   ACC1 24,000 (03-15), ACC2 36,000 (03-28), ACC3 6,000 (03-10): new business; ACC3 health green 03-20, ACC1 green 04-02
 *   hand-offs recorded in March: ACC1, ACC2, ACC3; handoff.incomplete in March: ACC2, ACC-G (handed off in Feb)
 *
 * Pauses (sla.resumed with data.pausedMs, business ms) and holds (data.heldMs on lead.assigned / lead.reassigned):
 *   L2 first-touch clock 0 paused twice on 03-04: 2 h + 1 h; L4 clock 1 paused 0.5 h (03-07); L6 a resume without
 *   pausedMs (ignored); ACC1 kickoff paused 27 h (03-16); ACC3 kickoff resumed 04-01T00:00 (at `to`, 9 h).
 *   L11 assigned 03-01 after 8 h held; L4 reassigned 03-07 after 1.5 h held; L8 assigned 04-01 after 2 h held (at `to`).
 */
let seq = 0;
export function ev(type: LedgerEventType, occurredAt: string, over: Partial<LedgerEvent> = {}): LedgerEvent {
  return { key: `fx-${seq++}`, type, occurredAt, ...over };
}
const decision = (leadId: string, at: string, kind: string, outcome: Record<string, unknown>, source?: string): LedgerEvent =>
  ev('decision.recorded', at, { leadId, data: { kind, outcome, ...(source === undefined ? {} : { source }) } });
const dq = (leadId: string, at: string) => decision(leadId, at, 'data-quality', { ok: true });
const icp = (leadId: string, at: string, tier: string, source?: string) => decision(leadId, at, 'icp', { tier }, source);
const qual = (leadId: string, at: string, status: string, source?: string) => decision(leadId, at, 'qualification', { status }, source);
const stage = (leadId: string, at: string, s: string) => ev('stage.changed', at, { leadId, stage: s });
const meeting = (leadId: string, at: string, hours: number) => ev('meeting.booked', at, { leadId, data: { timeToFirstMeetingMs: hours * 3_600_000 } });
const created = (leadId: string, at: string, amount: number, source?: string, tier?: string) =>
  ev('deal.created', at, { leadId, amount, data: { opportunityId: `opp-${leadId}`, ...(source ? { source } : {}), ...(tier ? { tier } : {}) } });
const won = (leadId: string | undefined, accountId: string, at: string, arr: number, source?: string, tier?: string) =>
  ev('deal.won', at, { ...(leadId ? { leadId } : {}), accountId, amount: arr, arrDelta: arr, data: { ...(source ? { source } : {}), ...(tier ? { tier } : {}) } });
const arr = (accountId: string, at: string, kind: string, delta: number) => ev('arr.changed', at, { accountId, arrDelta: delta, data: { kind } });
const health = (accountId: string, at: string, band: string) => ev('health.scored', at, { accountId, data: { band, score: band === 'green' ? 80 : 40 } });
const sla = (type: 'sla.met' | 'sla.breached' | 'sla.started', at: string, who: { leadId?: string; accountId?: string; owner?: string; team?: string }) =>
  ev(type, at, { ...who, ...(who.leadId ? {} : { data: { handoff: 'sales-to-cs' } }) });
const HOUR = 3_600_000;
// Keyed like src/sla/clockKeys.ts: <entity>:<id>:sla:<clock>:resumed:<n>.
const resumed = (at: string, who: { leadId?: string; accountId?: string; owner?: string }, clock: number, n: number, pausedHours: number) =>
  ev('sla.resumed', at, {
    ...who,
    key: who.leadId ? `lead:${who.leadId}:sla:${clock}:resumed:${n}` : `account:${who.accountId}:sla:${clock}:resumed:${n}`,
    data: { handoff: who.leadId ? 'marketing-to-sales' : 'sales-to-cs', pausedMs: pausedHours * HOUR },
  });

export function flywheelFixture(): LedgerEvent[] {
  return [
    // L1
    dq('L1', '2027-03-02T00:00:00Z'),
    icp('L1', '2027-03-02T00:01:00Z', 'A', 'demo-request'),
    qual('L1', '2027-03-02T00:02:00Z', 'mql', 'demo-request'),
    ev('lead.assigned', '2027-03-02T10:00:00Z', { leadId: 'L1', owner: 'ana', team: 'emea', data: { source: 'demo-request', tier: 'A' } }),
    sla('sla.started', '2027-03-02T10:00:00Z', { leadId: 'L1', owner: 'ana', team: 'emea' }),
    sla('sla.met', '2027-03-02T12:00:00Z', { leadId: 'L1', owner: 'ana', team: 'emea' }),
    meeting('L1', '2027-03-02T12:00:00Z', 2),
    created('L1', '2027-03-05T09:00:00Z', 20_000, 'demo-request', 'A'),
    won('L1', 'ACC1', '2027-03-15T09:00:00Z', 24_000, 'demo-request', 'A'),
    stage('L1', '2027-03-02T00:00:00Z', 'Attract'),
    stage('L1', '2027-03-02T12:00:00Z', 'Engage'),
    stage('L1', '2027-03-15T12:00:00Z', 'Delight'),
    // L2
    dq('L2', '2027-03-04T00:00:00Z'),
    icp('L2', '2027-03-04T00:01:00Z', 'D', 'webinar'),
    icp('L2', '2027-03-04T00:05:00Z', 'B', 'webinar'),
    qual('L2', '2027-03-04T00:06:00Z', 'mql', 'webinar'),
    sla('sla.breached', '2027-03-04T15:00:00Z', { leadId: 'L2', owner: 'ana', team: 'emea' }),
    ev('sla.paused', '2027-03-04T09:00:00Z', { leadId: 'L2', owner: 'ana', data: { handoff: 'marketing-to-sales', reason: 'callback-requested' } }),
    resumed('2027-03-04T11:00:00Z', { leadId: 'L2', owner: 'ana' }, 0, 0, 2),
    resumed('2027-03-04T13:00:00Z', { leadId: 'L2', owner: 'ana' }, 0, 1, 1),
    meeting('L2', '2027-03-05T00:00:00Z', 5),
    created('L2', '2027-03-06T09:00:00Z', 10_000, 'webinar', 'B'),
    ev('deal.lost', '2027-03-20T09:00:00Z', { leadId: 'L2', data: { reason: 'budget' } }),
    stage('L2', '2027-02-28T00:00:00Z', 'Attract'),
    stage('L2', '2027-03-01T06:00:00Z', 'Engage'),
    stage('L2', '2027-03-20T06:00:00Z', 'Closed'),
    // L3
    dq('L3', '2027-03-05T00:00:00Z'),
    icp('L3', '2027-03-05T00:01:00Z', 'D', 'webinar'),
    qual('L3', '2027-03-05T00:02:00Z', 'nurture', 'webinar'),
    stage('L3', '2027-03-05T00:00:00Z', 'Attract'),
    stage('L3', '2027-04-05T00:00:00Z', 'Engage'),
    // L4
    dq('L4', '2027-03-06T00:00:00Z'),
    icp('L4', '2027-03-06T00:01:00Z', 'C', 'outbound'),
    qual('L4', '2027-03-06T00:02:00Z', 'mql', 'outbound'),
    sla('sla.met', '2027-03-08T09:00:00Z', { leadId: 'L4', owner: 'ben', team: 'na' }),
    resumed('2027-03-07T10:00:00Z', { leadId: 'L4', owner: 'ben' }, 1, 0, 0.5),
    ev('lead.reassigned', '2027-03-07T12:00:00Z', { leadId: 'L4', owner: 'ben', team: 'na', data: { heldMs: 1.5 * HOUR } }),
    meeting('L4', '2027-03-07T00:00:00Z', 8),
    meeting('L4', '2027-03-09T00:00:00Z', 12),
    created('L4', '2027-03-08T09:00:00Z', 30_000, 'outbound', 'C'),
    won('L4', 'ACC2', '2027-03-28T09:00:00Z', 36_000, 'outbound', 'C'),
    stage('L4', '2027-03-06T00:00:00Z', 'Attract'),
    stage('L4', '2027-03-06T06:00:00Z', 'Engage'),
    stage('L4', '2027-03-28T06:00:00Z', 'Delight'),
    // L5
    dq('L5', '2027-02-10T00:00:00Z'),
    qual('L5', '2027-02-10T00:02:00Z', 'mql', 'referral'),
    meeting('L5', '2027-02-12T00:00:00Z', 100),
    created('L5', '2027-02-15T09:00:00Z', 5_000, 'referral', 'B'),
    won('L5', 'ACC3', '2027-03-10T09:00:00Z', 6_000, 'referral', 'B'),
    stage('L5', '2027-02-10T00:00:00Z', 'Attract'),
    stage('L5', '2027-02-11T00:00:00Z', 'Engage'),
    stage('L5', '2027-03-10T00:00:00Z', 'Delight'),
    // L6
    dq('L6', '2027-03-10T00:00:00Z'),
    icp('L6', '2027-03-10T00:01:00Z', 'B'),
    qual('L6', '2027-03-10T00:02:00Z', 'mql'),
    sla('sla.met', '2027-03-10T09:00:00Z', { leadId: 'L6', owner: 'ben', team: 'na' }),
    ev('sla.resumed', '2027-03-10T08:00:00Z', { leadId: 'L6', key: 'lead:L6:sla:0:resumed:0', data: { handoff: 'marketing-to-sales' } }),
    created('L6', '2027-04-02T09:00:00Z', 7_000, 'webinar', 'B'),
    stage('L6', '2027-03-10T00:00:00Z', 'Attract'),
    stage('L6', '2027-03-18T00:00:00Z', 'Engage'),
    // L7, L8
    dq('L7', '2027-03-31T23:00:00Z'),
    icp('L7', '2027-03-31T23:00:00Z', 'A', 'paid-search'),
    qual('L7', '2027-03-31T23:00:00Z', 'disqualified', 'paid-search'),
    stage('L7', '2027-03-31T23:00:00Z', 'Attract'),
    dq('L8', '2027-04-01T00:00:00Z'),
    icp('L8', '2027-04-01T00:00:00Z', 'D', 'webinar'),
    qual('L8', '2027-04-01T00:00:00Z', 'mql', 'webinar'),
    ev('lead.assigned', '2027-04-01T00:00:00Z', { leadId: 'L8', data: { source: 'webinar', tier: 'D', heldMs: 2 * HOUR } }),
    // L9
    dq('L9', '2027-01-05T00:00:00Z'),
    qual('L9', '2027-01-05T00:02:00Z', 'nurture', 'webinar'),
    qual('L9', '2027-03-03T00:00:00Z', 'mql', 'webinar'),
    sla('sla.met', '2027-03-03T10:00:00Z', { leadId: 'L9' }),
    stage('L9', '2027-01-05T00:00:00Z', 'Attract'),
    stage('L9', '2027-03-03T00:00:00Z', 'Engage'),
    // L10, L11
    created('L10', '2027-03-12T09:00:00Z', 2_500.5),
    ev('lead.assigned', '2027-03-01T09:00:00Z', { leadId: 'L11', owner: 'ben', team: 'na', data: { source: 'paid-search', tier: 'C', heldMs: 8 * HOUR } }),
    ev('deal.lost', '2027-03-25T09:00:00Z', { leadId: 'L11', data: { reason: 'no-decision' } }),

    // The retention cohort
    won(undefined, 'ACC-A', '2026-06-01T00:00:00Z', 10_000, 'webinar', 'A'),
    arr('ACC-A', '2027-03-10T00:00:00Z', 'expansion', 2_000),
    health('ACC-A', '2027-02-01T00:00:00Z', 'green'),
    health('ACC-A', '2027-03-12T00:00:00Z', 'yellow'),
    won(undefined, 'ACC-B', '2026-05-01T00:00:00Z', 20_000, 'webinar', 'B'),
    health('ACC-B', '2027-02-20T00:00:00Z', 'yellow'),
    health('ACC-B', '2027-03-01T00:00:00Z', 'red'),
    ev('renewal.overdue', '2027-03-15T00:00:00Z', { accountId: 'ACC-B' }),
    arr('ACC-B', '2027-03-20T00:00:00Z', 'churn', -20_000),
    won(undefined, 'ACC-C', '2026-08-01T00:00:00Z', 5_000, 'demo-request', 'B'),
    arr('ACC-C', '2027-03-05T00:00:00Z', 'contraction', -1_000),
    health('ACC-C', '2027-03-02T00:00:00Z', 'green'),
    won(undefined, 'ACC-D', '2026-09-01T00:00:00Z', 8_000, 'outbound', 'C'),
    ev('handoff.incomplete', '2026-09-02T00:00:00Z', { accountId: 'ACC-D', data: { missing: ['champion'] } }),
    sla('sla.breached', '2026-09-10T00:00:00Z', { accountId: 'ACC-D', owner: 'cara', team: 'cs' }),
    arr('ACC-D', '2027-03-25T00:00:00Z', 'churn', -8_000),
    won(undefined, 'ACC-E', '2026-10-01T00:00:00Z', 3_000, 'webinar', 'A'),
    arr('ACC-E', '2027-03-26T00:00:00Z', 'churn', -3_000),
    health('ACC-E', '2027-03-27T00:00:00Z', 'red'),
    won(undefined, 'ACC-F', '2026-07-01T00:00:00Z', 4_000),
    // New customers: hand-offs, kickoff clocks, health
    ev('handoff.recorded', '2027-03-15T10:00:00Z', { leadId: 'L1', accountId: 'ACC1' }),
    ev('handoff.recorded', '2027-03-28T10:00:00Z', { leadId: 'L4', accountId: 'ACC2' }),
    ev('handoff.incomplete', '2027-03-28T10:00:00Z', { accountId: 'ACC2', data: { missing: ['budget'] } }),
    ev('handoff.recorded', '2027-03-10T10:00:00Z', { leadId: 'L5', accountId: 'ACC3' }),
    ev('handoff.recorded', '2027-02-27T10:00:00Z', { accountId: 'ACC-G' }),
    ev('handoff.incomplete', '2027-03-05T10:00:00Z', { accountId: 'ACC-G', data: { missing: ['goals'] } }),
    sla('sla.met', '2027-03-17T10:00:00Z', { accountId: 'ACC1', owner: 'cara', team: 'cs' }),
    resumed('2027-03-16T10:00:00Z', { accountId: 'ACC1', owner: 'cara' }, 0, 0, 27),
    resumed('2027-04-01T00:00:00Z', { accountId: 'ACC3', owner: 'cara' }, 0, 0, 9),
    sla('sla.breached', '2027-03-31T23:59:59Z', { accountId: 'ACC2', owner: 'cara', team: 'cs' }),
    sla('sla.breached', '2027-04-01T00:00:00Z', { accountId: 'ACC3', owner: 'cara', team: 'cs' }),
    health('ACC3', '2027-03-20T00:00:00Z', 'green'),
    health('ACC1', '2027-04-02T00:00:00Z', 'green'),
  ];
}
