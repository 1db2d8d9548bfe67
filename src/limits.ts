/**
 * The one source of the limits the pipeline can carry. The API refuses at the door (400, naming the field) what the
 * workflows, Temporal or the ledger would refuse later: an event accepted with 202 and then refused by an activity
 * would be stuck. The event schemas take their numbers from here (`"$limits.<name>"`, see src/events/schemaFiles.ts),
 * the ledger's validator checks the same ones, and the HTTP server's route parameter limit derives from them.
 */
const DATA_DEPTH = 32;

export const LIMITS = {
  /** A record id (`subject`, `data.leadId`, `data.accountId`, `opportunityId`, ...), in characters (code points). */
  idLength: 200,
  /** CloudEvents `id`, in characters. */
  eventIdLength: 256,
  /**
   * CloudEvents `source`, in characters (a URI reference, so ASCII). It is half of every event's key
   * (`<source>#<id>`), and ledger keys embed up to two event keys, so it is bounded well below the ledger key limit.
   */
  sourceLength: 256,
  /** Any other string in an event, in characters: a CRM long-text field (32,768 is Salesforce's default). */
  stringLength: 32_768,
  /** A property name inside `data`, in characters. */
  propertyNameLength: 256,
  /** Nesting depth of `data`: `data` itself is level 1. Temporal's payload converter fails on very deep values. */
  dataDepth: DATA_DEPTH,
  /** Amounts (`amount`, `arr`) and the ledger's `amount`/`arrDelta`: numeric(18,2) holds 16 digits before the point. */
  amountExclusive: 1e16,
  /**
   * A ledger row's key, in UTF-16 code units. Keys are identities composed of an entity id, up to two event keys and
   * a few words (`lead:<id>:revived:<event key>:meeting:<event key>`); see `longestLedgerKey`. Anything longer is a
   * serialised object by mistake.
   */
  ledgerKeyLength: 4096,
  /**
   * Nesting depth of a ledger row's `data`. Workflows wrap event data (a lead's snapshot, a decision's inputs), so
   * a row may be a few levels deeper than the event it came from.
   */
  ledgerDataDepth: DATA_DEPTH + 8,
} as const;

export type LimitName = keyof typeof LIMITS;

/** The pattern of a record id: it names a workflow (`lead:<id>`) and a URL path segment, so no spaces, `/` or controls. */
export const ID_PATTERN = '^[^\\s/\\u0000-\\u001f\\u007f-\\u009f]+$';

/**
 * The longest record id the workflows can hold: the CRM's (`idLength`) or one derived from an event id (a referral
 * without `data.leadId` becomes lead `ref-<event id>`, activities/account/referral.ts).
 */
const LONGEST_ID = Math.max(LIMITS.idLength, LIMITS.eventIdLength + 'ref-'.length);

/**
 * The longest ledger key the workflows can compose from limited input, in UTF-16 code units (a character outside the
 * BMP is two): an id and two event keys at their limits, plus 64 for the words. An event key is `<source>#<id>`;
 * `source` is ASCII from the CRM, or `flywheel://accounts/<id>/referrals` for a referred lead.
 */
export function longestLedgerKey(): number {
  const source = Math.max(LIMITS.sourceLength, 2 * LIMITS.idLength + 32);
  const eventKey = source + 1 + 2 * LIMITS.eventIdLength;
  return 2 * LONGEST_ID + 2 * eventKey + 64;
}

/**
 * The route parameter limit (fastify `maxParamLength`, counted on the raw, percent-encoded path): every id a record
 * can have must be readable back at `/v1/leads/{id}`, and each character may take four UTF-8 bytes, each sent as `%XX`.
 */
export const MAX_PARAM_LENGTH = LONGEST_ID * 4 * 3;

// With the u flag a surrogate pair is one code point, so only a lone half matches.
const LONE_SURROGATE = /\p{Cs}/u;

/**
 * Why PostgreSQL (text and jsonb) or Temporal (protobuf strings must be valid UTF-8) would refuse a string, or null.
 * NUL is refused by both PostgreSQL types; a lone UTF-16 surrogate has no UTF-8 encoding.
 */
export function unstorableCharacter(s: string): string | null {
  if (s.includes('\u0000')) return 'contains a NUL character (U+0000)';
  if (LONE_SURROGATE.test(s)) return 'contains a lone UTF-16 surrogate (not valid Unicode)';
  return null;
}

/** Whether `s` has more than `max` code points, as JSON Schema's `maxLength` counts; cheap for short strings. */
export function longerThan(s: string, max: number): boolean {
  if (s.length <= max) return false;
  let n = 0;
  for (const _ of s) if (++n > max) return true;
  return false;
}

export interface CarriageOptions {
  /** Containers deeper than this are refused; `value` itself is at `level`. */
  maxDepth: number;
  level: number;
  /** Unset: strings and property names are not length-checked (the ledger stores what the events brought). */
  stringLength?: number;
  propertyNameLength?: number;
  /** JSON has no Infinity: the API refuses it; the ledger stores it as null, as JSON.stringify does. */
  finiteNumbers?: boolean;
}

/** RFC 6901: `~` and `/` in a property name are escaped, so the pointer names exactly one field. */
export const pointerToken = (key: string) => key.replace(/~/g, '~0').replace(/\//g, '~1');

/**
 * What PostgreSQL or Temporal would refuse inside a JSON value, by JSON pointer: a NUL or a lone surrogate in any
 * string or property name, a non-finite number (JSON `1e400` parses to Infinity), lengths over the limits, and
 * containers nested deeper than `maxDepth`. Goes no deeper than `maxDepth`, so a 10,000-level value costs no more
 * than a 32-level one (and cannot overflow the stack).
 */
export function carriageProblems(value: unknown, pointer: string, opts: CarriageOptions): { pointer: string; detail: string }[] {
  const out: { pointer: string; detail: string }[] = [];
  // The path is kept as keys and the pointer built only for a problem: values are checked on every event and every
  // ledger row, and nearly always pass (building every pointer was a string per property, on the hot path).
  const path: (string | number)[] = [];
  const at = () => pointer + path.map((k) => `/${typeof k === 'number' ? k : pointerToken(k)}`).join('');
  const visit = (v: unknown, level: number): void => {
    if (typeof v === 'string') {
      const bad = unstorableCharacter(v);
      if (bad) out.push({ pointer: at(), detail: bad });
      else if (opts.stringLength !== undefined && longerThan(v, opts.stringLength)) out.push({ pointer: at(), detail: `must NOT have more than ${opts.stringLength} characters` });
      return;
    }
    if (typeof v === 'number') {
      if (opts.finiteNumbers && !Number.isFinite(v)) out.push({ pointer: at(), detail: 'must be a finite number' });
      return;
    }
    if (typeof v !== 'object' || v === null) return;
    if (level > opts.maxDepth) {
      out.push({ pointer: at(), detail: `is nested more than ${opts.maxDepth} levels deep` });
      return;
    }
    if (Array.isArray(v)) {
      for (let i = 0; i < v.length; i++) {
        path.push(i);
        visit(v[i], level + 1);
        path.pop();
      }
      return;
    }
    for (const key in v) {
      if (!Object.hasOwn(v, key)) continue;
      path.push(key);
      const bad = unstorableCharacter(key);
      if (bad) out.push({ pointer: at(), detail: `property name ${bad}` });
      else if (opts.propertyNameLength !== undefined && longerThan(key, opts.propertyNameLength)) {
        out.push({ pointer: at(), detail: `property name must NOT have more than ${opts.propertyNameLength} characters` });
      }
      visit((v as Record<string, unknown>)[key], level + 1);
      path.pop();
    }
  };
  visit(value, opts.level);
  return out;
}
