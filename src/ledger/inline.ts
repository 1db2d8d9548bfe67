import pg from 'pg';

/**
 * Replaces $1..$n with quoted literals so a statement can travel as one simple-protocol message.
 *
 * Why: pglite-socket multiplexes clients per protocol *message*, so a parameterised query (Parse, Bind, Execute,
 * Sync) from one client can be split by another client's messages when its bytes arrive in more than one TCP chunk,
 * and then binds to the wrong statement. A single Query message is executed whole. Every value becomes a quoted,
 * untyped literal, which PostgreSQL types from context exactly as it types an untyped parameter.
 */
export function inlineParams(sql: string, params: readonly unknown[]): string {
  if (params.length === 0) return sql;
  let out = '';
  let last = 0;
  let highest = 0;
  const n = sql.length;
  let i = 0;
  while (i < n) {
    const c = sql[i]!;
    const next = sql[i + 1];
    if (c === "'") {
      i = skipQuoted(sql, i, isEscapeString(sql, i));
    } else if (c === '"') {
      i = skipQuoted(sql, i, false, '"');
    } else if (c === '-' && next === '-') {
      const eol = sql.indexOf('\n', i);
      i = eol === -1 ? n : eol + 1;
    } else if (c === '/' && next === '*') {
      i = skipBlockComment(sql, i);
    } else if (c === '$' && next !== undefined && /[0-9]/.test(next) && !isIdentChar(sql[i - 1])) {
      let j = i + 1;
      while (j < n && /[0-9]/.test(sql[j]!)) j++;
      const index = Number(sql.slice(i + 1, j));
      if (index < 1 || index > params.length) {
        throw new Error(`query refers to $${index} but ${params.length} parameter${params.length === 1 ? ' was' : 's were'} given`);
      }
      highest = Math.max(highest, index);
      out += sql.slice(last, i) + toLiteral(params[index - 1]);
      last = i = j;
    } else if (c === '$' && !isIdentChar(sql[i - 1])) {
      const tag = /^\$([A-Za-z_][A-Za-z0-9_]*)?\$/.exec(sql.slice(i));
      if (tag) {
        const end = sql.indexOf(tag[0], i + tag[0].length);
        i = end === -1 ? n : end + tag[0].length;
      } else i++;
    } else i++;
  }
  // The same check the server applies to a Bind message, so both modes fail alike.
  if (highest !== params.length) throw new Error(`${params.length} parameters were given but the query uses ${highest}`);
  return out + sql.slice(last);
}

/** A value as PostgreSQL text in a quoted literal, following node-postgres' own conversion of parameters. */
export function toLiteral(value: unknown): string {
  if (value === null || value === undefined) return 'NULL';
  return pg.escapeLiteral(checkNul(toText(value)));
}

function toText(value: unknown): string {
  if (typeof value === 'string') return value;
  if (typeof value === 'number' || typeof value === 'bigint' || typeof value === 'boolean') return String(value);
  if (value instanceof Date) {
    if (Number.isNaN(value.getTime())) throw new Error('cannot send an invalid Date');
    return value.toISOString();
  }
  if (value instanceof Uint8Array) return `\\x${Buffer.from(value).toString('hex')}`;
  if (Array.isArray(value)) return arrayText(value);
  return JSON.stringify(value);
}

function arrayText(values: readonly unknown[]): string {
  const items = values.map((v) => {
    if (v === null || v === undefined) return 'NULL';
    if (Array.isArray(v)) return arrayText(v);
    return `"${toText(v).replace(/\\/g, '\\\\').replace(/"/g, '\\"')}"`;
  });
  return `{${items.join(',')}}`;
}

// The simple protocol sends the query as a C string: a NUL would end it early. PostgreSQL text can't hold NUL anyway.
function checkNul(text: string): string {
  if (text.includes('\0')) throw new Error('a parameter contains a NUL character, which PostgreSQL text cannot store');
  return text;
}

function isIdentChar(c: string | undefined): boolean {
  return c !== undefined && /[A-Za-z0-9_$\u0080-\uffff]/.test(c);
}

// E'...' strings treat backslash as an escape; standard strings only double the quote.
function isEscapeString(sql: string, quote: number): boolean {
  const p = sql[quote - 1];
  return (p === 'e' || p === 'E') && !isIdentChar(sql[quote - 2]);
}

function skipQuoted(sql: string, start: number, backslashEscapes: boolean, q = "'"): number {
  let i = start + 1;
  while (i < sql.length) {
    const c = sql[i]!;
    if (backslashEscapes && c === '\\') i += 2;
    else if (c === q && sql[i + 1] === q) i += 2;
    else if (c === q) return i + 1;
    else i++;
  }
  return i;
}

function skipBlockComment(sql: string, start: number): number {
  let depth = 0;
  let i = start;
  while (i < sql.length) {
    if (sql[i] === '/' && sql[i + 1] === '*') {
      depth++;
      i += 2;
    } else if (sql[i] === '*' && sql[i + 1] === '/') {
      depth--;
      i += 2;
      if (depth === 0) return i;
    } else i++;
  }
  return i;
}
