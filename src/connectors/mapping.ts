import type { FieldMap, FlywheelConfig } from '../config/types.ts';

/**
 * CRM record -> Flywheel facts through the configuration's field maps (`connections.<crm>.properties|fields`):
 * each entry is `fact path <- CRM property`. Fact paths are dotted (`custom.segment` becomes
 * `{ custom: { segment } }`). CRMs send every value as a string (HubSpot) or as typed JSON (Salesforce); both are
 * normalised here to what the event schemas accept, so one odd value in the CRM never makes a whole webhook batch
 * invalid (which the CRM would redeliver forever): a value that cannot be a fact is left out and named in
 * `problems`. Empty strings and nulls are absent. Pure: no I/O.
 */

/** A CRM record's property/field values as the CRM's API returns them. */
export type CrmProperties = Readonly<Record<string, unknown>>;

/** A value the mapping left out, and why (never the value itself: it may be personal data). */
export interface MappingProblem {
  fact: string;
  property: string;
  detail: string;
}

export interface Mapped {
  facts: Record<string, unknown>;
  problems: MappingProblem[];
}

export type CrmSystem = 'hubspot' | 'salesforce';

/** HubSpot object types (CRM v3 names) and Salesforce sObjects whose field maps the configuration holds. */
export type HubSpotObjectType = 'contact' | 'company' | 'deal';
export type SalesforceObjectType = 'Lead' | 'Contact' | 'Account' | 'Opportunity';

/**
 * The maps used when the configuration names none for an object type: HubSpot's and Salesforce's documented default
 * properties. A configured map replaces the default for that object type entirely (it is not merged), so what the
 * configuration says is exactly what is read.
 */
export const DEFAULT_FIELD_MAPS: {
  hubspot: Record<HubSpotObjectType, FieldMap>;
  salesforce: Record<SalesforceObjectType, FieldMap>;
} = {
  hubspot: {
    contact: {
      email: 'email',
      firstName: 'firstname',
      lastName: 'lastname',
      title: 'jobtitle',
      phone: 'phone',
      company: 'company',
      domain: 'website',
      country: 'country',
      employees: 'numberofemployees',
      industry: 'industry',
      annualRevenue: 'annualrevenue',
    },
    company: {
      company: 'name',
      domain: 'domain',
      country: 'country',
      employees: 'numberofemployees',
      industry: 'industry',
      annualRevenue: 'annualrevenue',
    },
    deal: {
      amount: 'amount',
      stage: 'dealstage',
      currency: 'deal_currency_code',
    },
  },
  salesforce: {
    Lead: {
      email: 'Email',
      firstName: 'FirstName',
      lastName: 'LastName',
      title: 'Title',
      phone: 'Phone',
      company: 'Company',
      domain: 'Website',
      country: 'Country',
      employees: 'NumberOfEmployees',
      industry: 'Industry',
      annualRevenue: 'AnnualRevenue',
      source: 'LeadSource',
    },
    Contact: {
      email: 'Email',
      firstName: 'FirstName',
      lastName: 'LastName',
      title: 'Title',
      phone: 'Phone',
      country: 'MailingCountry',
      source: 'LeadSource',
    },
    Account: {
      company: 'Name',
      domain: 'Website',
      country: 'BillingCountry',
      employees: 'NumberOfEmployees',
      industry: 'Industry',
      annualRevenue: 'AnnualRevenue',
    },
    Opportunity: {
      amount: 'Amount',
      stage: 'StageName',
    },
  },
};

/** The field map for one object type: the configured one, else the default. */
export function fieldMapFor(config: FlywheelConfig, system: 'hubspot', objectType: HubSpotObjectType): FieldMap;
export function fieldMapFor(config: FlywheelConfig, system: 'salesforce', objectType: SalesforceObjectType): FieldMap;
export function fieldMapFor(config: FlywheelConfig, system: CrmSystem, objectType: string): FieldMap {
  if (system === 'hubspot') {
    const configured = config.connections?.hubspot?.properties?.[objectType as HubSpotObjectType];
    return configured ?? DEFAULT_FIELD_MAPS.hubspot[objectType as HubSpotObjectType] ?? {};
  }
  const configured = config.connections?.salesforce?.fields?.[objectType as SalesforceObjectType];
  return configured ?? DEFAULT_FIELD_MAPS.salesforce[objectType as SalesforceObjectType] ?? {};
}

/** The CRM properties a field map reads, plus `extra` (e.g. `hubspot_owner_id`, `dealstage`), sorted and unique. */
export function propertiesToRead(map: FieldMap, extra: readonly string[] = []): string[] {
  return [...new Set([...Object.values(map), ...extra])].sort();
}

/** The facts a CRM property feeds (a property may feed several); empty when the map does not read it. */
export function factsFedBy(map: FieldMap, property: string): string[] {
  return Object.entries(map)
    .filter(([, p]) => p === property || p.toLowerCase() === property.toLowerCase())
    .map(([fact]) => fact);
}

/** Whole numbers only (a head count); anything else numeric may have decimals. */
const INTEGER_FACTS = new Set(['employees']);
const NUMBER_FACTS = new Set(['amount', 'arr', 'annualRevenue', 'intent.score', 'mrr', 'seats']);
/** Facts whose schema has a minimum of 0. */
const NON_NEGATIVE = new Set(['employees', 'amount', 'arr', 'annualRevenue', 'intent.score']);
const AMOUNT_EXCLUSIVE = 1e16;

/** Whether a fact is numeric: the mapping parses the CRM's string into a number for it. */
export function isNumericFact(fact: string): boolean {
  return INTEGER_FACTS.has(fact) || NUMBER_FACTS.has(fact);
}

/** Maps a record's properties into facts; see the module comment. */
export function mapRecord(map: FieldMap, properties: CrmProperties): Mapped {
  const facts: Record<string, unknown> = {};
  const problems: MappingProblem[] = [];
  for (const [fact, property] of Object.entries(map)) {
    const raw = lookup(properties, property);
    if (raw === undefined || raw === null) continue;
    if (typeof raw === 'string' && raw.trim() === '') continue;
    const v = normalise(fact, raw);
    if ('problem' in v) {
      problems.push({ fact, property, detail: v.problem });
      continue;
    }
    setFact(facts, fact, v.value);
  }
  return { facts, problems };
}

/** Sets a dotted fact path (`custom.segment`) in `target`, creating the objects on the way. */
export function setFact(target: Record<string, unknown>, path: string, value: unknown): void {
  const parts = path.split('.');
  let at = target;
  for (const part of parts.slice(0, -1)) {
    const next = at[part];
    if (typeof next !== 'object' || next === null || Array.isArray(next)) at[part] = {};
    at = at[part] as Record<string, unknown>;
  }
  at[parts[parts.length - 1]!] = value;
}

/** Reads a dotted fact path; undefined when any step is missing. */
export function getFact(source: Readonly<Record<string, unknown>>, path: string): unknown {
  let at: unknown = source;
  for (const part of path.split('.')) {
    if (typeof at !== 'object' || at === null || !Object.hasOwn(at, part)) return undefined;
    at = (at as Record<string, unknown>)[part];
  }
  return at;
}

/** HubSpot property names are lower-case and exact; Salesforce's API names are case-insensitive. */
function lookup(properties: CrmProperties, property: string): unknown {
  if (Object.hasOwn(properties, property)) return properties[property];
  const lower = property.toLowerCase();
  const key = Object.keys(properties).find((k) => k.toLowerCase() === lower);
  return key === undefined ? undefined : properties[key];
}

type Normalised = { value: unknown } | { problem: string };

function normalise(fact: string, raw: unknown): Normalised {
  if (isNumericFact(fact)) return number(fact, raw);
  switch (fact) {
    case 'email':
      return email(raw);
    case 'domain':
      return domain(raw);
    case 'country':
      return country(raw);
    case 'currency':
      return currency(raw);
    case 'company':
      return text(raw);
    default:
      return typeof raw === 'string' ? { value: raw } : scalar(raw);
  }
}

function scalar(raw: unknown): Normalised {
  if (typeof raw === 'number') return Number.isFinite(raw) ? { value: raw } : { problem: 'is not a finite number' };
  if (typeof raw === 'boolean') return { value: raw };
  if (Array.isArray(raw) || typeof raw === 'object') return { value: raw };
  return { value: String(raw) };
}

function text(raw: unknown): Normalised {
  const s = typeof raw === 'string' ? raw.trim() : typeof raw === 'number' ? String(raw) : null;
  return s ? { value: s } : { problem: 'is not text' };
}

function number(fact: string, raw: unknown): Normalised {
  let n: number;
  if (typeof raw === 'number') n = raw;
  else if (typeof raw === 'string') {
    // HubSpot sends "1000", "1000.50"; a thousands separator or a currency sign is not a number to guess at.
    const s = raw.trim();
    if (!/^[+-]?(\d+(\.\d*)?|\.\d+)([eE][+-]?\d+)?$/.test(s)) return { problem: 'is not a number' };
    n = Number(s);
  } else return { problem: 'is not a number' };
  if (!Number.isFinite(n)) return { problem: 'is not a finite number' };
  if (INTEGER_FACTS.has(fact)) {
    if (!Number.isInteger(n)) return { problem: 'is not a whole number' };
  }
  if (NON_NEGATIVE.has(fact) && n < 0) return { problem: 'is negative' };
  if (fact === 'intent.score' && n > 100) return { problem: 'is above 100' };
  if ((fact === 'amount' || fact === 'arr' || fact === 'annualRevenue') && Math.abs(n) >= AMOUNT_EXCLUSIVE) return { problem: 'is too large an amount' };
  return { value: n };
}

// The shape ajv-formats accepts as `email` (the event schema's format), so a mapped address never fails validation.
const EMAIL = /^[a-z0-9!#$%&'*+/=?^_`{|}~-]+(?:\.[a-z0-9!#$%&'*+/=?^_`{|}~-]+)*@(?:[a-z0-9](?:[a-z0-9-]*[a-z0-9])?\.)+[a-z0-9](?:[a-z0-9-]*[a-z0-9])?$/i;

function email(raw: unknown): Normalised {
  if (typeof raw !== 'string') return { problem: 'is not an e-mail address' };
  const s = raw.trim();
  return EMAIL.test(s) ? { value: s } : { problem: 'is not an e-mail address' };
}

const DOMAIN = /^[A-Za-z0-9-]+(\.[A-Za-z0-9-]+)+$/;

/** A domain from a domain or a website (`https://www.example.com/about` -> `example.com`). */
function domain(raw: unknown): Normalised {
  if (typeof raw !== 'string') return { problem: 'is not a domain or website' };
  let s = raw.trim().toLowerCase();
  s = s.replace(/^[a-z][a-z0-9+.-]*:\/\//, '');
  s = s.split(/[/?#]/, 1)[0]!;
  s = s
    .replace(/^[^@]*@/, '')
    .replace(/:\d+$/, '')
    .replace(/\.$/, '')
    .replace(/^www\./, '');
  return DOMAIN.test(s) ? { value: s } : { problem: 'is not a domain or website' };
}

let countryNames: Map<string, string> | undefined;

/** Every region's English name (and its code) -> ISO 3166-1 alpha-2, from the runtime's ICU data. */
function countryByName(): Map<string, string> {
  if (countryNames) return countryNames;
  countryNames = new Map();
  const names = new Intl.DisplayNames(['en'], { type: 'region' });
  for (let a = 65; a <= 90; a++) {
    for (let b = 65; b <= 90; b++) {
      const code = String.fromCharCode(a, b);
      let name: string | undefined;
      try {
        name = names.of(code);
      } catch {
        continue;
      }
      if (name && name !== code) countryNames.set(name.toLowerCase(), code);
    }
  }
  for (const [alias, code] of Object.entries(COUNTRY_ALIASES)) countryNames.set(alias, code);
  return countryNames;
}

// Names CRMs commonly hold that ICU spells differently.
const COUNTRY_ALIASES: Record<string, string> = {
  usa: 'US',
  'united states of america': 'US',
  uk: 'GB',
  'great britain': 'GB',
  england: 'GB',
  deutschland: 'DE',
  'the netherlands': 'NL',
  holland: 'NL',
  'south korea': 'KR',
  'czech republic': 'CZ',
};

/** ISO 3166-1 alpha-2 from a code (`de`) or an English country name (`Germany`, HubSpot's free-text default). */
function country(raw: unknown): Normalised {
  if (typeof raw !== 'string') return { problem: 'is not a country' };
  const s = raw.trim();
  if (/^[A-Za-z]{2}$/.test(s)) return { value: s.toUpperCase() };
  const code = countryByName().get(s.toLowerCase());
  return code ? { value: code } : { problem: 'is not an ISO 3166-1 alpha-2 code or a country name' };
}

function currency(raw: unknown): Normalised {
  if (typeof raw !== 'string') return { problem: 'is not an ISO 4217 code' };
  const s = raw.trim().toUpperCase();
  return /^[A-Z]{3}$/.test(s) ? { value: s } : { problem: 'is not an ISO 4217 code' };
}
