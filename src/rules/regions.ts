// Sales regions by ISO country code. Countries not listed fall back to null, which routing sends to overflow.
const NA = ['US', 'CA'];
const LATAM = ['MX', 'BR', 'AR', 'CL', 'CO', 'PE', 'UY', 'CR', 'PA', 'EC'];
const APAC = ['AU', 'NZ', 'JP', 'KR', 'SG', 'IN', 'CN', 'HK', 'TW', 'ID', 'MY', 'TH', 'PH', 'VN'];
const EMEA = [
  'DE',
  'AT',
  'CH',
  'FR',
  'BE',
  'NL',
  'LU',
  'GB',
  'IE',
  'ES',
  'PT',
  'IT',
  'DK',
  'SE',
  'NO',
  'FI',
  'IS',
  'PL',
  'CZ',
  'SK',
  'HU',
  'RO',
  'BG',
  'GR',
  'HR',
  'SI',
  'EE',
  'LV',
  'LT',
  'IL',
  'AE',
  'SA',
  'QA',
  'ZA',
  'NG',
  'KE',
  'EG',
  'MA',
  'TR',
  'UA',
];

const REGION = new Map<string, 'emea' | 'na' | 'latam' | 'apac'>([
  ...NA.map((c) => [c, 'na'] as const),
  ...LATAM.map((c) => [c, 'latam'] as const),
  ...APAC.map((c) => [c, 'apac'] as const),
  ...EMEA.map((c) => [c, 'emea'] as const),
]);

export function regionOf(country: string | null | undefined): 'emea' | 'na' | 'latam' | 'apac' | null {
  return country ? (REGION.get(country.toUpperCase()) ?? null) : null;
}
