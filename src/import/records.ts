import type { CrmEvent, EventType } from '../events/catalog.ts';
import { readEventSchema } from '../events/schemaFiles.ts';
import { validateEvent } from '../events/validate.ts';
import { mapRecord, setFact } from '../connectors/mapping.ts';

/**
 * Import records -> Flywheel events: one row (a CSV line, an NDJSON line, a CRM record) becomes one
 * `account.imported` or `lead.imported` CloudEvent, or a list of problems naming the row and field. Pure: no I/O.
 *
 * A row is a flat map column -> value. A column mapping (`fact path <- column`) says which column feeds which fact;
 * columns not named in it are matched by header name (`Contract End` -> contractEnd, `Health Score` ->
 * health.score). Two facts are not event data: `id` (the record id, required: it becomes the subject and the
 * CloudEvent id) and `updatedAt` (the event time; default now).
 */

export type ImportKind = 'accounts' | 'leads';

export const EVENT_TYPE_OF: Record<ImportKind, string> = { accounts: 'account.imported', leads: 'lead.imported' };

/** Facts each kind knows, with the header names (normalised: lower-case letters and digits) that mean them. */
const FACTS: Record<ImportKind, Record<string, string[]>> = {
  accounts: {
    id: ['id', 'accountid', 'recordid', 'crmid', 'customerid'],
    updatedAt: ['updatedat', 'updated', 'lastmodified', 'lastmodifieddate', 'modifiedat'],
    name: ['name', 'accountname', 'company', 'companyname', 'customer'],
    domain: ['domain', 'website', 'web'],
    region: ['region', 'territory'],
    tier: ['tier', 'segment'],
    arr: ['arr', 'annualrecurringrevenue'],
    currency: ['currency', 'currencycode'],
    contractStart: ['contractstart', 'contractstartdate', 'startdate', 'start'],
    contractEnd: ['contractend', 'contractenddate', 'enddate', 'renewaldate', 'end'],
    csOwner: ['csowner', 'csm', 'customersuccessmanager', 'accountowner', 'owner'],
    salesOwner: ['salesowner', 'ae', 'accountexecutive'],
    'health.score': ['healthscore', 'health'],
    'health.band': ['healthband', 'healthstatus'],
  },
  leads: {
    id: ['id', 'leadid', 'contactid', 'recordid', 'crmid'],
    updatedAt: ['updatedat', 'updated', 'lastmodified', 'lastmodifieddate', 'modifiedat'],
    email: ['email', 'emailaddress', 'mail'],
    firstName: ['firstname', 'givenname'],
    lastName: ['lastname', 'surname', 'familyname'],
    title: ['title', 'jobtitle'],
    phone: ['phone', 'phonenumber'],
    company: ['company', 'companyname', 'account', 'organisation', 'organization'],
    domain: ['domain', 'website'],
    country: ['country', 'countrycode'],
    employees: ['employees', 'numberofemployees', 'headcount'],
    industry: ['industry'],
    annualRevenue: ['annualrevenue', 'revenue'],
    source: ['source', 'leadsource'],
    stage: ['stage', 'lifecyclestage'],
    status: ['status', 'leadstatus'],
    owner: ['owner', 'ownerid', 'leadowner', 'rep', 'assignedto'],
    tier: ['tier', 'segment'],
    handoffAt: ['handoffat', 'handedoffat', 'handoff', 'assignedat', 'handofftime'],
  },
};

/** Facts that are not event data. */
const RECORD_FACTS = new Set(['id', 'updatedAt']);

/** The facts a kind knows (for `--map` checks and the docs). */
export function knownFacts(kind: ImportKind): string[] {
  return Object.keys(FACTS[kind]);
}

const norm = (s: string) => s.toLowerCase().replace(/[^a-z0-9]/g, '');

/**
 * The column mapping for a file's header: explicit entries (config, then `--map`, later wins) first, then every
 * unmapped fact whose name or alias matches a header. Returns fact -> column.
 */
export function columnMapping(kind: ImportKind, headers: readonly string[], explicit: Record<string, string> = {}): Record<string, string> {
  const map: Record<string, string> = { ...explicit };
  const taken = new Set(Object.values(map));
  const byNorm = new Map<string, string>();
  for (const h of headers) if (!byNorm.has(norm(h))) byNorm.set(norm(h), h);
  for (const [fact, aliases] of Object.entries(FACTS[kind])) {
    if (map[fact]) continue;
    for (const alias of [norm(fact), ...aliases]) {
      const h = byNorm.get(alias);
      if (h !== undefined && !taken.has(h)) {
        map[fact] = h;
        taken.add(h);
        break;
      }
    }
  }
  return map;
}

/** `column=fact` pairs from the command line -> fact -> column. */
export function parseMapOptions(pairs: readonly string[]): Record<string, string> {
  const out: Record<string, string> = {};
  for (const p of pairs) {
    const i = p.lastIndexOf('=');
    if (i <= 0 || i === p.length - 1) throw new Error(`--map ${p}: expected column=fact`);
    out[p.slice(i + 1).trim()] = p.slice(0, i).trim();
  }
  return out;
}

/** Where an import's records come from: the CloudEvent `source` and what `importedFrom` says. */
export interface ImportOrigin {
  /** `import://file/<basename>`, `import://hubspot/<portal>`, `import://salesforce/<org>`. */
  source: string;
  system: 'file' | 'hubspot' | 'salesforce';
  /** File basename, portal id or org id. */
  name: string;
}

export interface BuildOptions {
  kind: ImportKind;
  origin: ImportOrigin;
  /** fact -> column. */
  mapping: Record<string, string>;
  /** The event time when the record has no updatedAt. */
  now: string;
  /** Leads: start SLA clocks from the recorded hand-off time. */
  slaFromHandoff?: boolean;
  /** Leads: route them again instead of keeping their owner. */
  route?: boolean;
  /** Prepended to the record id for the subject: the CRM connectors' lead/account id prefixes (`hubspot-company-`). */
  subjectPrefix?: string;
}

export interface RowProblem {
  /** The column (or fact) at fault. */
  field: string;
  problem: string;
}

export type Built = { ok: true; recordId: string; event: CrmEvent } | { ok: false; recordId?: string; problems: RowProblem[] };

/** One row -> its event, or why not (never the values: they may be personal data). */
export function buildEvent(row: Readonly<Record<string, unknown>>, o: BuildOptions, importedFrom?: string): Built {
  const type = EVENT_TYPE_OF[o.kind];
  const column = (fact: string) => o.mapping[fact] ?? fact;
  const dataMap = Object.fromEntries(Object.entries(o.mapping).filter(([f]) => !RECORD_FACTS.has(f)));
  const { facts, problems } = mapRecord(dataMap, row);
  const out: RowProblem[] = problems.map((p) => ({ field: p.property, problem: p.detail }));
  const idRaw = o.mapping.id ? row[o.mapping.id] : undefined;
  const recordId = typeof idRaw === 'number' ? String(idRaw) : typeof idRaw === 'string' ? idRaw.trim() : '';
  if (!o.mapping.id) out.push({ field: 'id', problem: 'no column holds the record id (name one with --map <column>=id)' });
  else if (!recordId) out.push({ field: o.mapping.id, problem: 'is required (the record id)' });
  coerce(type, facts, dataMap, out);
  let time = o.now;
  const updatedRaw = o.mapping.updatedAt ? row[o.mapping.updatedAt] : undefined;
  if (updatedRaw !== undefined && updatedRaw !== null && String(updatedRaw).trim() !== '') {
    const t = Date.parse(String(updatedRaw));
    if (Number.isNaN(t)) out.push({ field: column('updatedAt'), problem: 'is not a date-time' });
    else time = new Date(t).toISOString();
  }
  const data: Record<string, unknown> = { ...facts, importedFrom: importedFrom ?? `${o.origin.system}/${o.origin.name}` };
  if (o.kind === 'leads') {
    // A list without stage columns (a webinar list, a trade-show CSV): owned leads are with sales, others new.
    if (!o.mapping.stage && data.stage === undefined) data.stage = data.owner ? 'Engage' : 'Attract';
    if (!o.mapping.status && data.status === undefined) data.status = data.owner ? 'assigned' : 'new';
    if (o.slaFromHandoff) {
      if (typeof data.handoffAt === 'string') data.sla = { start: true };
      else out.push({ field: column('handoffAt'), problem: 'is required with --sla-from-handoff (the recorded hand-off time)' });
    }
    if (o.route) data.route = true;
  }
  if (out.length > 0) return { ok: false, ...(recordId ? { recordId } : {}), problems: out };
  const event = {
    specversion: '1.0',
    id: `${o.kind}:${recordId}`,
    source: o.origin.source,
    type: type as EventType,
    subject: `${o.subjectPrefix ?? ''}${recordId}`,
    time,
    datacontenttype: 'application/json',
    data,
  } as CrmEvent;
  const invalid = validateEvent(event);
  if (invalid.length > 0) return { ok: false, recordId, problems: invalid.map((e) => ({ field: fieldOf(e.pointer, o.mapping), problem: e.detail })) };
  return { ok: true, recordId, event };
}

/** `/data/health/score` -> the column that fed health.score, else the fact path. */
function fieldOf(pointer: string, mapping: Record<string, string>): string {
  if (pointer === '/subject' || pointer === '/id') return mapping.id ?? 'id';
  if (pointer === '/time') return mapping.updatedAt ?? 'updatedAt';
  const fact = pointer
    .replace(/^\/data\/?/, '')
    .split('/')
    .join('.');
  if (!fact) return 'data';
  for (let f = fact; f; f = f.includes('.') ? f.slice(0, f.lastIndexOf('.')) : '') if (mapping[f]) return mapping[f]!;
  return fact;
}

type Json = Record<string, unknown>;
const schemas = new Map<string, Json | null>();

/** The `data` schema of an event type (null: the type is not in this build's catalog). */
function dataSchema(type: string): Json | null {
  if (!schemas.has(type)) {
    try {
      schemas.set(type, readEventSchema(type) as Json);
    } catch {
      schemas.set(type, null);
    }
  }
  return schemas.get(type)!;
}

function typeAt(schema: Json | null, path: string): string | undefined {
  let at: Json | undefined = schema ?? undefined;
  for (const part of path.split('.')) {
    const props = at?.properties as Record<string, Json> | undefined;
    at = props?.[part];
    if (!at) return undefined;
  }
  const t = at?.type;
  return Array.isArray(t) ? (t.find((x) => x !== 'null') as string | undefined) : (t as string | undefined);
}

const NUMERIC_FALLBACK = new Set(['arr', 'health.score', 'employees', 'annualRevenue']);

/** Text from a file -> the type the event schema wants at that fact (numbers, integers, booleans). */
function coerce(type: string, facts: Json, map: Record<string, string>, problems: RowProblem[]): void {
  const schema = dataSchema(type);
  for (const [fact, column] of Object.entries(map)) {
    const value = getPath(facts, fact);
    if (typeof value !== 'string') continue;
    const want = typeAt(schema, fact) ?? (NUMERIC_FALLBACK.has(fact) ? 'number' : undefined);
    if (want === 'number' || want === 'integer') {
      const s = value.trim();
      const n = /^[+-]?(\d+(\.\d*)?|\.\d+)([eE][+-]?\d+)?$/.test(s) ? Number(s) : NaN;
      if (!Number.isFinite(n) || (want === 'integer' && !Number.isInteger(n))) problems.push({ field: column, problem: want === 'integer' ? 'is not a whole number' : 'is not a number' });
      else setFact(facts, fact, n);
    } else if (want === 'boolean') {
      const s = value.trim().toLowerCase();
      if (['true', 'yes', '1'].includes(s)) setFact(facts, fact, true);
      else if (['false', 'no', '0'].includes(s)) setFact(facts, fact, false);
      else problems.push({ field: column, problem: 'is not true or false' });
    } else if (want === 'string') setFact(facts, fact, value.trim());
  }
}

function getPath(source: Json, path: string): unknown {
  let at: unknown = source;
  for (const part of path.split('.')) {
    if (typeof at !== 'object' || at === null) return undefined;
    at = (at as Json)[part];
  }
  return at;
}
