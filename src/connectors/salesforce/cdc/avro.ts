import avro from 'avsc';

/**
 * Change event payloads as Pub/Sub API delivers them: Avro binary written with the schema the event's schema id
 * names (fetched once per id with GetSchema). Decoding yields the ChangeEventHeader and the record's fields;
 * compound fields (Name, Address) are flattened to the field names the REST API uses, and the header's bitmap
 * fields (changedFields, nulledFields, diffFields), which Pub/Sub API sends as hexadecimal bitmaps over the schema's
 * field positions, are expanded into field names.
 */

/** The header every change event carries (Salesforce's names). */
export interface ChangeEventHeader {
  entityName: string;
  recordIds: string[];
  changeType: string;
  changeOrigin: string;
  transactionKey: string;
  sequenceNumber: number;
  /** Milliseconds since the epoch. */
  commitTimestamp: number;
  commitNumber: number | string;
  commitUser: string;
  /** Field names, expanded from the bitmaps. */
  changedFields: string[];
  nulledFields: string[];
  diffFields: string[];
}

export interface DecodedChangeEvent {
  header: ChangeEventHeader;
  /** The record's fields that carry a value, flattened (Name.FirstName -> FirstName, BillingAddress.City -> BillingCity). */
  fields: Record<string, unknown>;
  /** Each compound field of the schema and the flattened names of its components (Name -> FirstName, LastName, ...). */
  compounds: Record<string, string[]>;
}

const MAX = BigInt(Number.MAX_SAFE_INTEGER);
const MIN = BigInt(Number.MIN_SAFE_INTEGER);

/**
 * Avro longs as numbers when they fit (dates are epoch milliseconds), else as decimal strings (a commit number may
 * not fit), so no value is silently rounded.
 */
const LONG = avro.types.LongType.__with({
  fromBuffer: (buf: Buffer) => {
    const n = buf.readBigInt64LE(0);
    return n <= MAX && n >= MIN ? Number(n) : n.toString();
  },
  toBuffer: (v: number | string | bigint) => {
    const buf = Buffer.alloc(8);
    buf.writeBigInt64LE(BigInt(v));
    return buf;
  },
  fromJSON: (v: unknown) => v,
  toJSON: (v: number | string) => v,
  isValid: (v: unknown) => (typeof v === 'number' && Number.isSafeInteger(v)) || typeof v === 'bigint' || (typeof v === 'string' && /^-?\d+$/.test(v)),
  compare: (a: number | string, b: number | string) => {
    const x = BigInt(a);
    const y = BigInt(b);
    return x === y ? 0 : x < y ? -1 : 1;
  },
});

/** An Avro type for a schema (JSON text or object) with the long handling above. */
export function avroType(schema: string | object): avro.Type {
  const parsed = typeof schema === 'string' ? (JSON.parse(schema) as object) : schema;
  return avro.Type.forSchema(parsed as avro.Schema, { registry: { long: LONG }, wrapUnions: 'auto' });
}

/** The record type behind an optional field: [null, T] and Salesforce's [null, string, Switchable_PersonName]. */
function recordOf(type: avro.Type): avro.types.RecordType | null {
  if (type instanceof avro.types.RecordType) return type;
  if (type instanceof avro.types.UnwrappedUnionType || type instanceof avro.types.WrappedUnionType) {
    const records = (type as unknown as { types: avro.Type[] }).types.filter((t): t is avro.types.RecordType => t instanceof avro.types.RecordType);
    return records.length === 1 ? records[0]! : null;
  }
  return null;
}

/** REST's name for a compound's component: BillingAddress.City -> BillingCity, Address.City -> City, Name.FirstName -> FirstName. */
export function componentName(parent: string, child: string): string {
  return parent.endsWith('Address') ? `${parent.slice(0, -'Address'.length)}${child}` : child;
}

/** Field names whose bits are set in a hexadecimal bitmap (bit 0 = the schema's first field). */
function bitmapNames(hex: string, fields: readonly avro.types.Field[]): string[] | null {
  let bits: bigint;
  try {
    bits = BigInt(hex);
  } catch {
    return null;
  }
  const names: string[] = [];
  for (let i = 0; bits >> BigInt(i) > 0n; i++) {
    if ((bits >> BigInt(i)) & 1n) {
      const f = fields[i];
      if (!f) return null;
      names.push(f.name);
    }
  }
  return names;
}

/**
 * Expands a bitmap field: '0x…' names top-level fields, 'P-0x…' the components of the compound at position P.
 * A plain name (as Streaming API sends them) is kept. An entry that does not fit the schema is kept as it came, so
 * nothing is silently dropped.
 */
export function expandBitmap(type: avro.types.RecordType, entries: readonly string[]): string[] {
  const out: string[] = [];
  for (const entry of entries) {
    if (/^0x[0-9a-f]+$/i.test(entry)) {
      out.push(...(bitmapNames(entry, type.fields) ?? [entry]));
      continue;
    }
    const nested = /^(\d+)-(0x[0-9a-f]+)$/i.exec(entry);
    if (nested) {
      const parent = type.fields[Number(nested[1])];
      const rec = parent ? recordOf(parent.type) : null;
      const names = rec ? bitmapNames(nested[2]!, rec.fields) : null;
      out.push(...(names && parent ? names.map((n) => componentName(parent.name, n)) : [entry]));
      continue;
    }
    out.push(entry);
  }
  return [...new Set(out)];
}

function plain(v: unknown): unknown {
  if (Array.isArray(v)) return v.map(plain);
  if (Buffer.isBuffer(v)) return v.toString('base64');
  if (v !== null && typeof v === 'object') return Object.fromEntries(Object.entries(v).map(([k, x]) => [k, plain(x)]));
  return v;
}

/** Decodes one change event payload written with `type` (the schema of its schema id). */
export function decodeChangeEvent(type: avro.Type, payload: Buffer): DecodedChangeEvent {
  if (!(type instanceof avro.types.RecordType)) throw new Error('a change event schema must be an Avro record');
  const value = type.fromBuffer(payload) as Record<string, unknown>;
  const raw = value.ChangeEventHeader as Record<string, unknown> | undefined;
  if (!raw || typeof raw !== 'object') throw new Error('the event has no ChangeEventHeader: not a change event');
  const list = (k: string) => (Array.isArray(raw[k]) ? (raw[k] as unknown[]).map(String) : []);
  const header: ChangeEventHeader = {
    entityName: String(raw.entityName ?? ''),
    recordIds: list('recordIds'),
    changeType: String(raw.changeType ?? ''),
    changeOrigin: String(raw.changeOrigin ?? ''),
    transactionKey: String(raw.transactionKey ?? ''),
    sequenceNumber: Number(raw.sequenceNumber ?? 0),
    commitTimestamp: Number(raw.commitTimestamp ?? 0),
    commitNumber: (raw.commitNumber as number | string | undefined) ?? 0,
    commitUser: String(raw.commitUser ?? ''),
    changedFields: expandBitmap(type, list('changedFields')),
    nulledFields: expandBitmap(type, list('nulledFields')),
    diffFields: expandBitmap(type, list('diffFields')),
  };
  const fields: Record<string, unknown> = {};
  const compounds: Record<string, string[]> = {};
  for (const f of type.fields) {
    if (f.name === 'ChangeEventHeader') continue;
    const rec = recordOf(f.type);
    if (rec) compounds[f.name] = rec.fields.flatMap((c) => [componentName(f.name, c.name), `${f.name}.${c.name}`]);
    const v = value[f.name];
    if (v === null || v === undefined) continue;
    if (rec && typeof v === 'object' && !Array.isArray(v) && !Buffer.isBuffer(v)) {
      // A compound: its components under REST's names (and Parent.Component), never the compound itself.
      for (const [k, x] of Object.entries(v as Record<string, unknown>)) {
        if (x === null || x === undefined) continue;
        fields[componentName(f.name, k)] = plain(x);
        fields[`${f.name}.${k}`] = plain(x);
      }
      continue;
    }
    fields[f.name] = plain(v);
  }
  return { header, fields, compounds };
}
