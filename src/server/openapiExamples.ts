/**
 * One realistic request body per event type, for the OpenAPI document (components.examples). Typed over the catalogue:
 * a new event type does not build until it has an example here, and test/unit/server/openapiExamples.test.ts checks
 * each one with the validator POST /v1/events uses.
 */
import { EVENT_TYPES, type CrmEvent, type EventType } from '../events/catalog.ts';

const SOURCE = '/crm/hubspot/portal-4711';
const LEAD = 'L-20394';
const ACCOUNT = 'ACC-shopco';

const at = (type: EventType, subject: string, time: string, data: Record<string, unknown>): CrmEvent => ({
  specversion: '1.0',
  id: `evt-${type.replace(/[._]/g, '-')}-0001`,
  source: SOURCE,
  type,
  subject,
  time,
  datacontenttype: 'application/json',
  data,
});

const lead = {
  email: 'jana.weber@shopco.example',
  firstName: 'Jana',
  lastName: 'Weber',
  title: 'Head of Analytics',
  company: 'ShopCo GmbH',
  domain: 'shopco.example',
  country: 'DE',
  employees: 450,
  industry: 'ecommerce',
  source: 'demo-request',
  intent: { score: 72, topics: ['self-service analytics'] },
};

export const EVENT_EXAMPLES: { readonly [T in EventType]: CrmEvent } = {
  'lead.created': at('lead.created', LEAD, '2027-01-04T09:12:00Z', lead),
  'lead.updated': at('lead.updated', LEAD, '2027-01-04T10:03:00Z', { title: 'VP Analytics', employees: 480 }),
  'lead.touched': at('lead.touched', LEAD, '2027-01-04T11:30:00Z', { by: 'anna-schmidt', channel: 'phone' }),
  'meeting.booked': at('meeting.booked', LEAD, '2027-01-05T14:00:00Z', { meetingId: 'mtg-8812', scheduledFor: '2027-01-08T15:00:00Z', by: 'anna-schmidt' }),
  'opportunity.created': at('opportunity.created', LEAD, '2027-01-08T16:20:00Z', { opportunityId: 'opp-5531', amount: 48000, currency: 'EUR', stage: 'discovery' }),
  'opportunity.won': at('opportunity.won', LEAD, '2027-02-19T12:00:00Z', {
    opportunityId: 'opp-5531',
    accountId: ACCOUNT,
    amount: 48000,
    arr: 48000,
    currency: 'EUR',
    handoff: {
      champion: 'Jana Weber',
      goals: ['self-serve dashboards', 'weekly revenue report'],
      successCriteria: ['20 weekly active analysts by day 60'],
      contractStart: '2027-03-01',
      contractEnd: '2028-02-29',
      executiveSponsor: 'CFO',
    },
  }),
  'opportunity.lost': at('opportunity.lost', LEAD, '2027-02-19T12:00:00Z', { opportunityId: 'opp-5531', reason: 'budget' }),
  'lead.imported': at('lead.imported', 'L-18807', '2027-01-02T08:00:00Z', {
    ...lead,
    email: 'tom.berger@nordlicht.example',
    firstName: 'Tom',
    lastName: 'Berger',
    company: 'Nordlicht AG',
    domain: 'nordlicht.example',
    stage: 'Engage',
    status: 'working',
    owner: 'anna-schmidt',
    tier: 'B',
    handoffAt: '2026-12-28T10:00:00Z',
    sla: { start: true },
    importedFrom: 'file/leads.csv:12',
  }),
  'account.kickoff_held': at('account.kickoff_held', ACCOUNT, '2027-02-24T10:00:00Z', { heldBy: 'emma-janssen', attendees: ['Jana Weber', 'emma-janssen'], notes: 'Goals confirmed' }),
  'account.health_reported': at('account.health_reported', ACCOUNT, '2027-05-03T06:00:00Z', {
    seatsPurchased: 40,
    seatsActive: 12,
    activeSeatRatio: 0.3,
    weeklyActiveUsersTrend: -0.25,
    daysSinceLastLogin: 20,
    nps: { score: -10, responses: 4 },
    supportTickets: { open: 3, p1Last30d: 1, escalated: false },
    invoiceOverdueDays: 0,
  }),
  'account.renewed': at('account.renewed', ACCOUNT, '2028-02-10T09:00:00Z', { arr: 54000, contractStart: '2028-03-01', contractEnd: '2029-02-28', currency: 'EUR' }),
  'account.expanded': at('account.expanded', ACCOUNT, '2027-09-01T09:00:00Z', { amount: 12000, reason: '10 more seats', currency: 'EUR' }),
  'account.contracted': at('account.contracted', ACCOUNT, '2027-11-01T09:00:00Z', { amount: 5000, reason: 'fewer seats', currency: 'EUR' }),
  'account.churned': at('account.churned', ACCOUNT, '2028-02-29T17:00:00Z', { reason: 'no-adoption', details: 'Dashboards never replaced the spreadsheets' }),
  'lead.sla_paused': at('lead.sla_paused', LEAD, '2027-01-04T12:00:00Z', { reason: 'customer-request', until: '2027-01-11T08:00:00Z', by: 'anna-schmidt' }),
  'lead.sla_resumed': at('lead.sla_resumed', LEAD, '2027-01-07T09:00:00Z', { by: 'anna-schmidt', reason: 'prospect back from holiday' }),
  'account.kickoff_paused': at('account.kickoff_paused', ACCOUNT, '2027-02-20T09:00:00Z', { reason: 'awaiting customer', by: 'emma-janssen' }),
  'account.kickoff_resumed': at('account.kickoff_resumed', ACCOUNT, '2027-02-22T09:00:00Z', { by: 'emma-janssen', reason: 'customer confirmed the new date' }),
  'referral.submitted': at('referral.submitted', ACCOUNT, '2027-06-15T13:45:00Z', {
    leadId: 'L-ref-datahaus',
    contact: { email: 'kai.berg@datahaus.example', firstName: 'Kai', lastName: 'Berg', title: 'CFO' },
    company: { name: 'Datahaus AG', domain: 'datahaus.example', country: 'DE', employees: 380, industry: 'software' },
    note: 'Met at our user group',
  }),
  'account.imported': at('account.imported', 'ACC-nordlicht', '2027-01-02T08:00:00Z', {
    name: 'Nordlicht AG',
    domain: 'nordlicht.example',
    region: 'emea',
    tier: 'B',
    arr: 36000,
    currency: 'EUR',
    contractStart: '2026-07-01',
    contractEnd: '2027-06-30',
    csOwner: 'emma-janssen',
    salesOwner: 'anna-schmidt',
    health: { score: 78, band: 'green' },
    importedFrom: 'file/accounts.csv:4',
  }),
};

const ref = (name: string) => ({ $ref: `#/components/examples/${name}` });

/** components.examples: one Example Object per event type, named by the type. */
export function eventExampleComponents(): Record<string, { summary: string; value: unknown }> {
  return Object.fromEntries(Object.entries(EVENT_EXAMPLES).map(([type, value]) => [type, { summary: `${type} (a ${EVENT_TYPES[type as EventType].entity} event)`, value }]));
}

/** The `examples` of a single-event media type: every event type, by reference. */
export const singleEventExamples = () => Object.fromEntries(Object.keys(EVENT_EXAMPLES).map((type) => [type, ref(type)]));

/** A batch as a CRM sends one after a sales call: the touch, then the meeting it led to. */
export const batchExamples = () => ({
  'touch-then-meeting': { summary: 'A first touch and the meeting it booked, in order', value: [EVENT_EXAMPLES['lead.touched'], EVENT_EXAMPLES['meeting.booked']] },
});
