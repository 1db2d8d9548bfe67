import { carriageProblems, LIMITS, unstorableCharacter } from '../limits.ts';
import { LedgerValidationError } from './errors.ts';
import { LEDGER_EVENT_TYPES, type LedgerEvent } from './types.ts';

const KNOWN_TYPES: ReadonlySet<string> = new Set(LEDGER_EVENT_TYPES);
const TEXT_FIELDS = ['leadId', 'accountId', 'workflowId', 'owner', 'team', 'stage', 'rulesRevision'] as const;
const NUMBER_FIELDS = ['amount', 'arrDelta'] as const;
const ALL_FIELDS: ReadonlySet<string> = new Set(['key', 'type', 'occurredAt', 'currency', 'data', ...TEXT_FIELDS, ...NUMBER_FIELDS]);
const ISO_TIME = /^(\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2})(?::(\d{2})(?:\.\d{1,9})?)?(Z|[+-]\d{2}:?\d{2})$/;
const MAX_PROBLEMS = 20;

/**
 * Refuses the whole batch, naming every problem, before anything reaches SQL: a half-written batch would make a
 * retry look like partial duplicates. Unknown properties are refused too, so a typo such as `leadID` can't silently
 * drop data.
 */
export function validateEvents(events: unknown): LedgerEvent[] {
  if (!Array.isArray(events)) throw new LedgerValidationError([`expected an array of events, got ${describe(events)}`]);
  const problems: string[] = [];
  events.forEach((e, i) => {
    for (const p of eventProblems(e)) problems.push(`event #${i}${keyLabel(e)}: ${p}`);
  });
  if (problems.length > 0) {
    const shown = problems.slice(0, MAX_PROBLEMS);
    if (problems.length > MAX_PROBLEMS) shown.push(`... and ${problems.length - MAX_PROBLEMS} more`);
    throw new LedgerValidationError(shown);
  }
  return events as LedgerEvent[];
}

function eventProblems(e: unknown): string[] {
  if (!isPlainObject(e)) return [`expected an object, got ${describe(e)}`];
  const out: string[] = [];
  const { key, type, occurredAt, currency, data } = e;
  if (typeof key !== 'string' || key.trim() === '') out.push('key must be a non-empty string');
  else if (key.length > LIMITS.ledgerKeyLength) out.push(`key is ${key.length} characters long; the limit is ${LIMITS.ledgerKeyLength}`);
  else if (unstorableCharacter(key)) out.push(`key ${unstorableCharacter(key)}`);
  if (typeof type !== 'string' || !KNOWN_TYPES.has(type)) {
    out.push(`type ${JSON.stringify(type)} is not a ledger event type (known: ${LEDGER_EVENT_TYPES.join(', ')})`);
  }
  if (!isIsoTime(occurredAt)) {
    out.push(`occurredAt ${JSON.stringify(occurredAt)} is not an ISO 8601 time with a time zone, e.g. 2026-03-01T09:30:00Z`);
  }
  for (const f of TEXT_FIELDS) {
    const v = e[f];
    if (v !== undefined && typeof v !== 'string') out.push(`${f} must be a string, got ${describe(v)}`);
    else if (v !== undefined && unstorableCharacter(v)) out.push(`${f} ${unstorableCharacter(v)}`);
  }
  for (const f of NUMBER_FIELDS) {
    const v = e[f];
    if (v === undefined) continue;
    if (typeof v !== 'number' || !Number.isFinite(v)) out.push(`${f} must be a finite number, got ${describe(v)}`);
    else if (Math.abs(v) >= LIMITS.amountExclusive) out.push(`${f} ${v} is out of range (|${f}| < ${LIMITS.amountExclusive.toExponential()})`);
  }
  if (currency !== undefined && (typeof currency !== 'string' || !/^[A-Z]{3}$/.test(currency))) {
    out.push(`currency ${JSON.stringify(currency)} must be an ISO 4217 code such as EUR`);
  }
  if (data !== undefined) {
    if (!isPlainObject(data)) out.push(`data must be a plain object, got ${describe(data)}`);
    else {
      // jsonb refuses a NUL (\u0000) and a lone surrogate; PostgreSQL's parser runs out of stack on deep nesting.
      const carried = carriageProblems(data, 'data', { maxDepth: LIMITS.ledgerDataDepth, level: 1 });
      for (const p of carried) out.push(`${p.pointer} ${p.detail}`);
      if (carried.length === 0) {
        try {
          JSON.stringify(data);
        } catch (err) {
          out.push(`data is not JSON-serialisable: ${(err as Error).message}`);
        }
      }
    }
  }
  for (const k of Object.keys(e)) if (!ALL_FIELDS.has(k)) out.push(`unknown property ${JSON.stringify(k)}`);
  return out;
}

/** Requires an explicit zone: a local time would be read in the database session's zone. Rejects 2026-02-30, which Date.parse rolls over. */
export function isIsoTime(v: unknown): v is string {
  if (typeof v !== 'string') return false;
  const m = ISO_TIME.exec(v);
  if (!m || Number.isNaN(Date.parse(v))) return false;
  const [y, mo, d, h, mi, s] = [m[1], m[2], m[3], m[4], m[5], m[6] ?? '0'].map(Number) as [number, number, number, number, number, number];
  const day = new Date(Date.UTC(y, mo - 1, d));
  return day.getUTCMonth() === mo - 1 && day.getUTCDate() === d && h < 24 && mi < 60 && s < 60;
}

function isPlainObject(v: unknown): v is Record<string, unknown> {
  if (typeof v !== 'object' || v === null || Array.isArray(v)) return false;
  const proto = Object.getPrototypeOf(v) as unknown;
  return proto === Object.prototype || proto === null;
}

function keyLabel(e: unknown): string {
  return isPlainObject(e) && typeof e.key === 'string' && e.key !== '' ? ` (key ${JSON.stringify(e.key.slice(0, 80))})` : '';
}

function describe(v: unknown): string {
  if (v === null) return 'null';
  if (Array.isArray(v)) return 'an array';
  if (typeof v === 'string') return JSON.stringify(v.length > 40 ? `${v.slice(0, 40)}...` : v);
  if (typeof v === 'number' || typeof v === 'boolean' || typeof v === 'bigint') return `${typeof v} ${String(v)}`;
  if (typeof v !== 'object') return typeof v;
  const name = (v as { constructor?: { name?: string } }).constructor?.name;
  return name && name !== 'Object' ? `a ${name}` : 'an object';
}
