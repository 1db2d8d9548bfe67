/**
 * What Flywheel treats as personal data in the ledger: the one list `flywheel ledger forget` erases and `flywheel
 * lead why` (and GET /v1/leads/{id}/decisions) masks. A lead is a person at a company: what describes the company
 * or the funnel (domain, country, size, industry, source, scores, consent) stays, so metrics and rules impact keep
 * working after an erasure; what identifies or describes the person goes. Change the lists here, nowhere else.
 */

/** What an erased value reads as; a required field stays non-blank, so hand-off checks on erased rows still hold. */
export const ERASED = '[erased]';

/**
 * Lead fields that describe the company or the funnel, not the person. Every OTHER field of a lead object (e-mail,
 * names, phone, job title, `custom` and whatever else the CRM sent) is personal: a field nobody listed is erased.
 * The company name and domain are the organisation's and stay: account matching and referral credit read them.
 */
export const LEAD_KEPT_FIELDS: ReadonlySet<string> = new Set([
  'id',
  'company',
  'domain',
  'country',
  'region',
  'employees',
  'industry',
  'annualRevenue',
  'technologies',
  'intent',
  'source',
  'seniority',
  'department',
  'engagement',
  'consent',
  'createdAt',
  'referrer',
  'tier',
]);

/**
 * Keys that hold a person's identity, or free text about people, wherever they appear in a row's data: referral
 * contacts, hand-off contexts (champion, sponsor, plan), meetings and kick-offs (attendees, notes).
 */
export const PERSONAL_KEYS: ReadonlySet<string> = new Set([
  'email',
  'phone',
  'mobile',
  'firstName',
  'lastName',
  'fullName',
  'contact',
  'champion',
  'executiveSponsor',
  'implementationPlan',
  'attendees',
  'notes',
  'note',
  'details',
]);

/** Of those, the ones whose values name the record's own person: also looked for in free text. */
const PERSON_KEYS: ReadonlySet<string> = new Set(['email', 'phone', 'mobile', 'firstName', 'lastName', 'fullName']);
/** The people an account names (a lead's rows carry them too, but they are the account's: a lead forget keeps them). */
const CONTACT_KEYS: ReadonlySet<string> = new Set(['champion', 'executiveSponsor']);

/** Shorter values are too likely to be something else (a country code, an initial) to be searched for in text. */
const MIN_SEARCHED_LENGTH = 3;

type Json = Record<string, unknown>;
const isObject = (v: unknown): v is Json => typeof v === 'object' && v !== null && !Array.isArray(v);

/** Whether a facts path (`lead.email`, `handoff.champion`) reads personal data. */
export function isPersonalPath(path: string): boolean {
  const segs = path.split('.');
  if (segs[0] === 'lead' && segs.length > 1 && !LEAD_KEPT_FIELDS.has(segs[1]!)) return true;
  return segs.some((s) => PERSONAL_KEYS.has(s));
}

/**
 * A personal value as `why` shows it: enough to recognise it, not enough to contact anyone (`j***@shopco.example`,
 * `***67`, `J***`). Flags, empty values and erased values show as they are.
 */
export function maskValue(v: unknown): unknown {
  if (v === null || v === undefined || typeof v === 'boolean' || v === ERASED) return v;
  if (Array.isArray(v)) return v.map(maskValue);
  if (isObject(v)) return Object.fromEntries(Object.entries(v).map(([k, x]) => [k, maskValue(x)]));
  const s = String(v);
  if (s === '') return s;
  const at = s.lastIndexOf('@');
  if (at > 0) return `${s[0]}***${s.slice(at)}`;
  const digits = s.replace(/\D/g, '');
  if (digits.length >= 6 && digits.length >= s.replace(/\s/g, '').length - 3) return `***${digits.slice(-2)}`;
  return `${s[0]}***`;
}

/** How much one scrub changed. */
export interface ScrubCount {
  /** Values replaced by ERASED (a list or object counts each of its values). */
  values: number;
}

/**
 * The personal values a record's rows carry under identity keys (its e-mail, phone, names; with `contacts`, also the
 * champion and sponsor an account names), so they can be found again where the CRM or a person wrote them into free
 * text (a meeting title, a hand-off plan).
 */
export function identityValues(rows: readonly unknown[], opts: { contacts: boolean }): string[] {
  const identity = (k: string) => PERSON_KEYS.has(k) || (opts.contacts && CONTACT_KEYS.has(k));
  const found = new Set<string>();
  const take = (v: unknown): void => {
    if (typeof v === 'string' && v !== ERASED && v.length >= MIN_SEARCHED_LENGTH) {
      found.add(v);
      const local = v.includes('@') ? v.slice(0, v.lastIndexOf('@')) : '';
      if (local.length >= MIN_SEARCHED_LENGTH) found.add(local);
    } else if (typeof v === 'number') found.add(String(v));
    else if (Array.isArray(v)) v.forEach(take);
    else if (isObject(v)) Object.values(v).forEach(take);
  };
  const walk = (v: unknown, inputs = false): void => {
    if (Array.isArray(v)) v.forEach((x) => walk(x));
    else if (isObject(v)) {
      for (const [k, x] of Object.entries(v)) {
        const key = inputs ? k.split('.').at(-1)! : k;
        if (identity(key)) take(x);
        else walk(x, k === 'inputs');
      }
    }
  };
  rows.forEach((r) => walk(r));
  return [...found];
}

const escape = (s: string) => s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');

/**
 * Erases the personal data in one row's `data`: every personal field (by the lists above) becomes ERASED, and the
 * record's identity values are erased where they stand alone or inside free text. Ids, times, outcomes, matched
 * rules, rep ids and the kept lead fields are left as they are. With `fields: false` only the identity values go
 * (a row of another record that may quote this one, such as the account a lead became, keeps its own contacts).
 * Returns the same object when nothing changed.
 */
export function scrubData(data: Json, identity: readonly string[], count: ScrubCount, opts: { fields?: boolean } = {}): Json {
  const fields = opts.fields ?? true;
  const exact = new Set(identity.map((v) => v.toLowerCase()));
  // Free text only (it has a space): ids and slugs such as rep ids never do, so `lukas-meyer` survives a Meyer.
  const inText = identity.length
    ? new RegExp(
        `(?<![\\p{L}\\p{N}])(?:${[...identity]
          .sort((a, b) => b.length - a.length)
          .map(escape)
          .join('|')})(?![\\p{L}\\p{N}])`,
        'giu',
      )
    : null;

  const erase = (v: unknown): unknown => {
    if (v === null || v === undefined || typeof v === 'boolean' || v === ERASED) return v;
    if (Array.isArray(v)) return v.map(erase);
    if (isObject(v)) return Object.fromEntries(Object.entries(v).map(([k, x]) => [k, erase(x)]));
    count.values++;
    return ERASED;
  };
  const text = (s: string): string => {
    if (s === ERASED) return s;
    if (exact.has(s.toLowerCase())) {
      count.values++;
      return ERASED;
    }
    if (!inText || !/\s/.test(s)) return s;
    return s.replace(inText, () => {
      count.values++;
      return ERASED;
    });
  };
  const node = (v: unknown): unknown => {
    if (typeof v === 'string') return text(v);
    if (Array.isArray(v)) return v.map(node);
    if (!isObject(v)) return v;
    const out: Json = {};
    for (const [k, x] of Object.entries(v)) {
      if (!fields) out[k] = node(x);
      else if (k === 'lead' && isObject(x)) out[k] = Object.fromEntries(Object.entries(x).map(([f, y]) => [f, LEAD_KEPT_FIELDS.has(f) ? node(y) : erase(y)]));
      else if (k === 'inputs' && isObject(x)) out[k] = Object.fromEntries(Object.entries(x).map(([p, y]) => [p, isPersonalPath(p) ? erase(y) : node(y)]));
      else if (PERSONAL_KEYS.has(k) && typeof x !== 'boolean') out[k] = erase(x);
      else out[k] = node(x);
    }
    return out;
  };
  const before = count.values;
  const out = node(data) as Json;
  return count.values === before ? data : out;
}
