import { parse, protocol, type PGlite } from './pgliteModule.ts';

const { serialize } = protocol;
/** Our names, so a socket client's own named statements (sharing PGlite's one session) never collide with them. */
const NAME_PREFIX = 'flywheel_ledger_';
/** SQLSTATE invalid_sql_statement_name: a statement this cache holds is gone (a client ran DEALLOCATE ALL). */
const STATEMENT_GONE = '26000';
/** Each session object names its statements apart, should two ever share one PGlite. */
let sessions = 0;

interface Prepared {
  name: string;
  /** The parameter types Postgres inferred at Parse, for the same value serializers PGlite's query() uses. */
  oids: number[];
}

/**
 * The ledger's statements on PGlite's wire protocol, one call into WebAssembly each. A parameterised statement is
 * parsed once per session and then runs as one message (Bind, Describe, Execute, Sync). PGlite's query() sends
 * Parse, Describe, Bind, Describe, Execute and Sync as six calls into WebAssembly and parses and plans the statement
 * every time: at 17 statements per new lead that was ~15 of the ~25 ms of main-thread CPU a lead cost in
 * `npm run bench`, and ~7 this way (docs/scaling.md). Values are serialized and rows parsed with PGlite's own
 * serializers and parsers, so results are the same as query()'s.
 *
 * Named statements are not transactional in PostgreSQL: one prepared inside a transaction that rolls back stays.
 * The cache is bounded: past `max` distinct statements the least recently used is closed.
 */
export class WireSession {
  readonly #cache = new Map<string, Prepared>();
  readonly #prefix = `${NAME_PREFIX}${++sessions}_`;
  #seq = 0;

  constructor(
    private readonly db: PGlite,
    private readonly max = 256,
  ) {}

  /** The caller holds the session (SessionGate) for this call, so nothing else runs between its messages. */
  async run<T>(sql: string, params: unknown[], inTransaction: boolean): Promise<T[]> {
    try {
      return await this.#run<T>(sql, params, inTransaction);
    } catch (e) {
      if ((e as { code?: unknown }).code !== STATEMENT_GONE || !this.#cache.delete(sql)) throw withQuery(e, sql);
      return this.#run<T>(sql, params, inTransaction).catch((again: unknown) => {
        throw withQuery(again, sql);
      });
    }
  }

  /** Without parameters: the simple protocol, several statements allowed; the last one's rows. */
  async simple<T>(sql: string, inTransaction = false): Promise<T[]> {
    try {
      const messages = await this.db.execProtocolStream(serialize.query(sql), { syncToFs: !inTransaction });
      return (parse.parseResults(messages, this.db.parsers).at(-1)?.rows ?? []) as T[];
    } catch (e) {
      throw withQuery(e, sql);
    }
  }

  /** How many statements are prepared (tests). */
  get size(): number {
    return this.#cache.size;
  }

  async #run<T>(sql: string, params: unknown[], inTransaction: boolean): Promise<T[]> {
    // A cached statement is taken without an await: every promise here runs the process's async hooks.
    const stmt = this.#cached(sql) ?? (await this.#prepare(sql));
    const values = params.map((value, i) => this.#serialize(value, stmt.oids[i]));
    const message = Buffer.concat([serialize.bind({ statement: stmt.name, values }), serialize.describe({ type: 'P' }), serialize.execute({}), serialize.sync()]);
    const messages = await this.db.execProtocolStream(message, { syncToFs: !inTransaction });
    return parse.parseResults(messages, this.db.parsers)[0]!.rows as T[];
  }

  #cached(sql: string): Prepared | undefined {
    const cached = this.#cache.get(sql);
    if (cached) {
      // Most recently used last: Map keeps insertion order, so the first key is the one to evict.
      this.#cache.delete(sql);
      this.#cache.set(sql, cached);
    }
    return cached;
  }

  async #prepare(sql: string): Promise<Prepared> {
    if (this.#cache.size >= this.max) await this.#evictOldest();
    const name = `${this.#prefix}${++this.#seq}`;
    const messages = await this.db.execProtocolStream(Buffer.concat([serialize.parse({ name, text: sql, types: [] }), serialize.describe({ type: 'S', name }), serialize.sync()]), {
      syncToFs: false,
    });
    const prepared = { name, oids: parse.parseDescribeStatementResults(messages) };
    this.#cache.set(sql, prepared);
    return prepared;
  }

  async #evictOldest(): Promise<void> {
    const [sql, oldest] = this.#cache.entries().next().value!;
    this.#cache.delete(sql);
    await this.db.execProtocolStream(Buffer.concat([serialize.close({ type: 'S', name: oldest.name }), serialize.sync()]), { syncToFs: false });
  }

  /** As PGlite's query() does it: null stays null, a known type its serializer, anything else its string. */
  #serialize(value: unknown, oid: number | undefined): string | null {
    if (value === null || value === undefined) return null;
    const serializer = oid === undefined ? undefined : this.db.serializers[oid];
    return serializer ? (serializer(value) as string) : String(value);
  }
}

/** The statement on the error (as PGlite's query() adds it), never its parameters: they may hold personal data. */
function withQuery(e: unknown, sql: string): unknown {
  if (e && typeof e === 'object' && !('query' in e)) Object.assign(e, { query: sql });
  return e;
}
