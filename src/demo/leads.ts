import {
  COMPETITOR_DOMAINS,
  companyName,
  COUNTRIES,
  FREE_MAIL,
  INDUSTRIES,
  INTENT_TOPICS,
  NAME_STEMS,
  OTHER_TECH,
  PEOPLE,
  phoneFor,
  REGIONS,
  slug,
  SOURCES,
  TITLES,
  UNIVERSITIES,
  WAREHOUSES,
  type Region,
} from './names.ts';
import { rng, type Rng } from './random.ts';

export type Segment = 'smb' | 'mid-market' | 'enterprise';
/** What the generator meant the lead to be; the rules decide what it becomes. */
export type LeadKind = 'fit' | 'competitor' | 'student' | 'personal-email' | 'incomplete';

export interface DemoLead {
  no: number;
  /** The CRM id: the events' subject and the workflow id `lead:<id>`. */
  id: string;
  /** The customer account a won deal creates (workflow `account:<id>`). */
  accountId: string;
  kind: LeadKind;
  segment: Segment;
  region: Region;
  person: { first: string; last: string; title: string };
  data: Record<string, unknown>;
  /** A later lead.updated: enrichment filling in what the form left out, or new engagement. */
  update?: { data: Record<string, unknown>; why: 'enrichment' | 'engagement' };
  /** The CRM's activity sync races ahead: a touch arrives before the lead's lead.created. */
  touchBeforeCreate: boolean;
}

export const leadId = (no: number) => `L-${1000 + no}`;

/** Lead `no` (1-based) of the mix for `seed`: the same seed and number always give the same lead. */
export function generateLead(seed: number, no: number): DemoLead {
  const r = rng(seed, no, 1);
  const kind = r.weighted<LeadKind>([
    ['fit', 82],
    ['competitor', 4],
    ['student', 3],
    ['personal-email', 3],
    ['incomplete', 8],
  ]);
  const region = r.weighted(REGIONS);
  const country = r.weighted(COUNTRIES[region]);
  const segment = r.weighted<Segment>([
    ['smb', 40],
    ['mid-market', 35],
    ['enterprise', 25],
  ]);
  const industry = r.weighted(INDUSTRIES);
  const first = r.pick(PEOPLE[region].first);
  const last = r.pick(PEOPLE[region].last);
  const title = r.weighted(TITLES);
  const { company, domain } = companyName(r.pick(NAME_STEMS), industry, country, r.pick);
  const source = r.weighted(SOURCES);
  const data: Record<string, unknown> = {
    email: `${slug(first)}.${slug(last)}@${domain}`,
    firstName: first,
    lastName: last,
    title,
    company,
    domain,
    country,
    employees: employeesFor(segment, r),
    industry,
    technologies: technologies(segment, r),
    intent: intent(r),
    source,
    ...engagement(source, r),
  };
  if (r.chance(0.75)) data.phone = phoneFor(country, r.int(1_000_000, 9_999_999));
  if (segment === 'enterprise' && r.chance(0.4)) data.annualRevenue = Math.round(Number(data.employees) * r.float(120_000, 380_000));

  const lead: DemoLead = { no, id: leadId(no), accountId: `ACC-${no}`, kind, segment, region, person: { first, last, title }, data, touchBeforeCreate: false };
  switch (kind) {
    case 'competitor': {
      const d = r.pick(COMPETITOR_DOMAINS);
      Object.assign(data, { domain: d, email: `${slug(first)}.${slug(last)}@${d}`, company: competitorName(d), industry: 'software', source: r.pick(['product-signup', 'content', 'webinar']) });
      break;
    }
    case 'student': {
      const u = r.pick(UNIVERSITIES);
      Object.assign(data, { email: `${slug(first)}.${slug(last)}@${u}`, domain: u, company: universityName(u), title: 'Student', source: r.pick(['product-signup', 'webinar', 'content']) });
      delete data.employees;
      delete data.phone;
      break;
    }
    case 'personal-email': {
      const m = r.pick(FREE_MAIL);
      data.email = `${slug(first)}${r.int(1, 99)}@${m}`;
      // Web forms often copy the address's domain into "company domain", or leave it empty.
      if (r.chance(0.5)) data.domain = m;
      else delete data.domain;
      break;
    }
    case 'incomplete': {
      const missing = r.weighted<'company' | 'country' | 'email' | 'employees'>([
        ['company', 3],
        ['country', 3],
        ['email', 1],
        ['employees', 3],
      ]);
      const value = data[missing];
      delete data[missing];
      // Enrichment usually finds what the form left out a few seconds later; an e-mail it cannot invent.
      if (missing !== 'email' && r.chance(0.6)) lead.update = { data: { [missing]: value }, why: 'enrichment' };
      break;
    }
    case 'fit': {
      // Content and ad leads sometimes come back for the pricing page, which can turn nurture into an MQL.
      if (['content', 'webinar', 'paid-search'].includes(source) && r.chance(0.2)) {
        lead.update = { data: { engagement: { score: r.int(45, 80), pricingPageVisits: r.int(2, 4) } }, why: 'engagement' };
      }
      lead.touchBeforeCreate = ['demo-request', 'contact-sales'].includes(source) && r.chance(0.08);
      break;
    }
  }
  return lead;
}

function employeesFor(segment: Segment, r: Rng): number {
  if (segment === 'smb') return r.int(8, 199);
  if (segment === 'mid-market') return r.int(200, 999);
  // Log-uniform from 1,000 to 60,000: many large companies, a few very large ones.
  return Math.round(1000 * Math.exp(r.float(0, Math.log(60))));
}

function technologies(segment: Segment, r: Rng): string[] {
  const warehouse = r.chance(segment === 'enterprise' ? 0.55 : segment === 'mid-market' ? 0.4 : 0.2);
  const tech = new Set<string>(warehouse ? [r.pick(WAREHOUSES)] : []);
  for (let i = r.int(0, 2); i > 0; i--) tech.add(r.pick(OTHER_TECH));
  return [...tech];
}

function intent(r: Rng): Record<string, unknown> {
  const score = r.int(5, 95);
  const topics = [r.pick(INTENT_TOPICS)];
  return score >= 75 && r.chance(0.35) ? { score, topics, surge: true } : { score, topics };
}

function engagement(source: string, r: Rng): Record<string, unknown> {
  if (source === 'demo-request') return { engagement: { demoRequested: true } };
  if (['content', 'webinar', 'paid-search'].includes(source)) {
    return {
      engagement: {
        score: r.int(15, 90),
        pricingPageVisits: r.weighted([
          [0, 50],
          [1, 25],
          [2, 15],
          [3, 10],
        ]),
      },
    };
  }
  return {};
}

const competitorName = (domain: string) =>
  `${domain
    .split('.')[0]!
    .split('-')
    .map((w) => w[0]!.toUpperCase() + w.slice(1))
    .join(' ')} Ltd`;
const universityName = (domain: string) =>
  domain
    .split('.')[0]!
    .split('-')
    .map((w) => w[0]!.toUpperCase() + w.slice(1))
    .join(' ');
