/** Word lists for generated Northwind Metrics leads. All companies and domains are fictional (`.example`). */

export type Region = 'emea' | 'na' | 'apac' | 'latam';

/** Where leads come from, weighted roughly like a B2B analytics vendor's inbound mix. */
export const REGIONS: readonly (readonly [Region, number])[] = [
  ['emea', 50],
  ['na', 30],
  ['apac', 12],
  ['latam', 8],
];

export const COUNTRIES: Record<Region, readonly (readonly [string, number])[]> = {
  emea: [
    ['DE', 25],
    ['GB', 18],
    ['FR', 12],
    ['NL', 8],
    ['ES', 6],
    ['IT', 6],
    ['SE', 5],
    ['CH', 4],
    ['PL', 4],
    ['AT', 3],
    ['BE', 3],
    ['DK', 3],
    ['IE', 3],
    ['AE', 2],
    ['IL', 2],
    ['ZA', 2],
  ],
  na: [
    ['US', 80],
    ['CA', 20],
  ],
  apac: [
    ['AU', 30],
    ['JP', 20],
    ['SG', 20],
    ['IN', 20],
    ['NZ', 10],
  ],
  latam: [
    ['BR', 40],
    ['MX', 35],
    ['AR', 10],
    ['CL', 10],
    ['CO', 5],
  ],
};

export const PEOPLE: Record<Region, { first: readonly string[]; last: readonly string[] }> = {
  emea: {
    first: ['Jana', 'Lukas', 'Sophie', 'Matteo', 'Camille', 'Oliver', 'Freya', 'Jakub', 'Elif', 'Lars', 'Ines', 'Tom', 'Aoife', 'Niklas', 'Chiara', 'Hugo'],
    last: ['Weber', 'Schneider', 'Dupont', 'Rossi', 'Jansen', 'Smith', 'Nowak', 'Lindqvist', 'García', 'Müller', 'Byrne', 'Moreau', 'Bianchi', 'Visser', 'Hansen', 'Keller'],
  },
  na: {
    first: ['Ava', 'Ethan', 'Madison', 'Jordan', 'Priya', 'Marcus', 'Chloe', 'Ryan', 'Grace', 'Diego', 'Hannah', 'Kevin'],
    last: ['Johnson', 'Williams', 'Brown', 'Nguyen', 'Patel', 'Miller', 'Davis', 'Thompson', 'Martinez', 'Clark', 'Lewis', 'Walker'],
  },
  apac: {
    first: ['Hiroshi', 'Mei', 'Arjun', 'Chloe', 'Wei', 'Ananya', 'Liam', 'Yuki', 'Rahul', 'Sakura', 'Jack', 'Siew'],
    last: ['Tanaka', 'Tan', 'Sharma', 'Wong', 'Singh', 'Sato', 'Nguyen', 'Lim', 'Iyer', 'Kobayashi', 'Taylor', 'Chen'],
  },
  latam: {
    first: ['Mateo', 'Valentina', 'Santiago', 'Camila', 'Lucas', 'Isabela', 'Diego', 'Mariana', 'Gabriel', 'Sofía'],
    last: ['Silva', 'Santos', 'González', 'Rodríguez', 'Oliveira', 'Hernández', 'Pereira', 'López', 'Fernández', 'Costa'],
  },
};

/** Core industries (rules/icp.yaml) carry most of the weight: that is who the marketing targets. */
export const INDUSTRIES: readonly (readonly [string, number])[] = [
  ['software', 22],
  ['ecommerce', 14],
  ['financial-services', 14],
  ['retail', 10],
  ['media', 8],
  ['telecommunications', 6],
  ['manufacturing', 9],
  ['healthcare', 7],
  ['logistics', 6],
  ['public-sector', 4],
];

const INDUSTRY_WORDS: Record<string, readonly string[]> = {
  software: ['Software', 'Labs', 'Cloud', 'Systems', 'Apps'],
  ecommerce: ['Shop', 'Commerce', 'Marketplace', 'Direct'],
  'financial-services': ['Bank', 'Capital', 'Insurance', 'Payments', 'Finance'],
  retail: ['Retail', 'Stores', 'Outfitters', 'Home'],
  media: ['Media', 'Studios', 'Publishing', 'Broadcast'],
  telecommunications: ['Telecom', 'Mobile', 'Networks'],
  manufacturing: ['Industries', 'Manufacturing', 'Components', 'Works'],
  healthcare: ['Health', 'Care', 'Clinics', 'Diagnostics'],
  logistics: ['Logistics', 'Freight', 'Transport'],
  'public-sector': ['Agency', 'Services', 'Authority'],
};

export const NAME_STEMS = [
  'Blue Harbor',
  'Kestrel',
  'Northfield',
  'Brightline',
  'Silverpeak',
  'Larkspur',
  'Ironbridge',
  'Cobalt',
  'Redwood',
  'Meridian',
  'Alder',
  'Granite',
  'Juniper',
  'Falcon',
  'Riverside',
  'Summit',
  'Hollow Oak',
  'Lumen',
  'Orchard',
  'Westwind',
  'Copperleaf',
  'Starling',
  'Tidewater',
  'Evergreen',
  'Harbour Light',
  'Quill',
  'Saffron',
  'Beacon',
  'Pinecrest',
  'Halcyon',
  'Marlow',
  'Vantage',
];

const LEGAL: Record<string, string> = {
  DE: 'GmbH',
  AT: 'GmbH',
  CH: 'AG',
  GB: 'Ltd',
  IE: 'Ltd',
  FR: 'SAS',
  NL: 'B.V.',
  BE: 'NV',
  ES: 'S.L.',
  IT: 'S.p.A.',
  SE: 'AB',
  DK: 'A/S',
  PL: 'Sp. z o.o.',
  US: 'Inc.',
  CA: 'Inc.',
  AU: 'Pty Ltd',
  NZ: 'Ltd',
  SG: 'Pte. Ltd.',
  IN: 'Pvt. Ltd.',
  JP: 'K.K.',
  BR: 'Ltda.',
  MX: 'S.A. de C.V.',
};

export function companyName(stem: string, industry: string, country: string, pickWord: (words: readonly string[]) => string): { company: string; domain: string } {
  const word = pickWord(INDUSTRY_WORDS[industry] ?? ['Group']);
  const legal = LEGAL[country];
  return { company: `${stem} ${word}${legal ? ` ${legal}` : ''}`, domain: `${slug(`${stem} ${word}`)}.example` };
}

export const TITLES: readonly (readonly [string, number])[] = [
  ['Head of Data', 10],
  ['VP Analytics', 6],
  ['Director of Business Intelligence', 7],
  ['Analytics Manager', 10],
  ['Data Engineer', 10],
  ['Chief Data Officer', 3],
  ['CFO', 3],
  ['CTO', 4],
  ['Product Analyst', 8],
  ['Marketing Operations Manager', 6],
  ['Revenue Operations Lead', 5],
];

export const WAREHOUSES = ['snowflake', 'bigquery', 'databricks', 'redshift', 'synapse'] as const;
export const OTHER_TECH = ['dbt', 'looker', 'tableau', 'power-bi', 'fivetran', 'postgres', 'salesforce', 'hubspot'] as const;
export const INTENT_TOPICS = ['self-service analytics', 'embedded dashboards', 'data governance', 'semantic layer', 'revenue analytics'] as const;

export const SOURCES: readonly (readonly [string, number])[] = [
  ['demo-request', 26],
  ['contact-sales', 12],
  ['content', 17],
  ['webinar', 13],
  ['product-signup', 18],
  ['paid-search', 14],
];

/** The same competitor domains as demo/rules/disqualification.yaml. */
export const COMPETITOR_DOMAINS = ['contoso-analytics.example', 'fabrikam-bi.example', 'tailspin-insights.example', 'adatum-data.example'] as const;
export const FREE_MAIL = ['gmail.com', 'outlook.com', 'yahoo.com', 'gmx.de', 'icloud.com', 'hotmail.com'] as const;
export const UNIVERSITIES = ['northfield-university.edu', 'kingsbridge.ac.uk', 'lakeshore-college.edu', 'uni-rheinfeld.ac.at'] as const;

const DIAL: Record<string, string> = {
  DE: '+49 30',
  AT: '+43 1',
  CH: '+41 44',
  GB: '+44 20',
  IE: '+353 1',
  FR: '+33 1',
  NL: '+31 20',
  BE: '+32 2',
  ES: '+34 91',
  IT: '+39 02',
  SE: '+46 8',
  DK: '+45 33',
  PL: '+48 22',
  AE: '+971 4',
  IL: '+972 3',
  ZA: '+27 11',
  US: '+1 415',
  CA: '+1 416',
  AU: '+61 2',
  NZ: '+64 9',
  JP: '+81 3',
  SG: '+65 6',
  IN: '+91 80',
  BR: '+55 11',
  MX: '+52 55',
  AR: '+54 11',
  CL: '+56 2',
  CO: '+57 1',
};

export function phoneFor(country: string, digits: number): string {
  return `${DIAL[country] ?? '+1 212'} ${String(digits).padStart(7, '0')}`;
}

/** ASCII, lower case, hyphens: what a CRM turns "Müller" or "Blue Harbor" into for e-mail and domains. */
export function slug(s: string): string {
  return s
    .normalize('NFD')
    .replace(/[\u0300-\u036f]/g, '')
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, '-')
    .replace(/^-|-$/g, '');
}
