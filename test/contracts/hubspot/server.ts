import { randomUUID } from 'node:crypto';
import http from 'node:http';
import type { AddressInfo } from 'node:net';

/**
 * A HubSpot contract server: the parts of HubSpot's public REST API the connectors call, built from HubSpot's
 * published reference (CRM v3 objects, v4 associations, error and rate-limit answers). It checks each request the
 * way HubSpot does (a Bearer token, batch limits, required fields) and answers with the documented shapes, and it
 * records every request and every write so tests can assert on what Flywheel sent.
 *
 * Core (this file): auth, recorder, rate-limit and failure modes, the object store (contacts, companies, deals,
 * owners, any other object type a route adds), associations, and the READ endpoints:
 *   POST /crm/v3/objects/{type}/batch/read
 *   GET  /crm/v3/objects/{type}/{id}
 *   POST /crm/v4/associations/{fromType}/{toType}/batch/read
 * Write routes (owners, tasks, updates) are added with `register` (test/contracts/hubspot/writes.ts).
 */

/** A CRM record as HubSpot's v3 API returns it: every property value is a string (or null when unset). */
export interface HubSpotRecord {
  id: string;
  properties: Record<string, string | null>;
  createdAt: string;
  updatedAt: string;
  archived: boolean;
}

export interface HubSpotOwner {
  id: string;
  email: string;
  firstName?: string;
  lastName?: string;
  userId?: number;
  teams?: { id: string; name: string; primary?: boolean }[];
  archived?: boolean;
  createdAt?: string;
  updatedAt?: string;
}

export interface RecordedRequest {
  method: string;
  /** Path without the query string. */
  path: string;
  query: Record<string, string>;
  headers: http.IncomingHttpHeaders;
  /** The parsed JSON body (or the raw text when it is not JSON; undefined when empty). */
  body: unknown;
  status: number;
  at: string;
}

/** Something a write route changed, for tests to assert on (`kind` e.g. 'contact.update', 'task.create'). */
export interface RecordedWrite {
  kind: string;
  objectType?: string;
  id?: string;
  body: unknown;
  at: string;
}

export interface ContractReply {
  status: number;
  body?: unknown;
  headers?: Record<string, string>;
}

export interface RouteContext {
  server: HubSpotContractServer;
  method: string;
  url: URL;
  params: Record<string, string>;
  query: Record<string, string>;
  headers: http.IncomingHttpHeaders;
  body: unknown;
  rawBody: string;
}

export interface ContractRoute {
  method: 'GET' | 'POST' | 'PATCH' | 'PUT' | 'DELETE';
  /** A path with `{param}` segments, e.g. `/crm/v3/objects/{objectType}/{objectId}`. */
  path: string;
  handler(ctx: RouteContext): ContractReply | Promise<ContractReply>;
}

export interface HubSpotSeed {
  contacts?: SeedRecord[];
  companies?: SeedRecord[];
  deals?: SeedRecord[];
  owners?: HubSpotOwner[];
  /** [fromType, fromId, toType, toId] pairs; associations are stored in both directions. */
  associations?: [string, string, string, string][];
}

export interface SeedRecord {
  id: string;
  properties: Record<string, string | number | null | undefined>;
  createdAt?: string;
  updatedAt?: string;
}

export interface StartOptions {
  /** The private-app / OAuth token requests must carry as `Authorization: Bearer <token>`. */
  accessToken: string;
  seed?: HubSpotSeed;
}

/** HubSpot's object type names in paths (plural) and the singular the rest of Flywheel uses. */
export const OBJECT_TYPES = { contacts: 'contact', companies: 'company', deals: 'deal' } as const;
export type PluralObjectType = keyof typeof OBJECT_TYPES;

/** HubSpot's object type ids (`0-1` contacts, ...) also name types in paths. */
const TYPE_IDS: Record<string, string> = { '0-1': 'contacts', '0-2': 'companies', '0-3': 'deals', '0-27': 'tasks', contact: 'contacts', company: 'companies', deal: 'deals', task: 'tasks' };

/** HubSpot's batch endpoints take at most 100 inputs. */
export const BATCH_LIMIT = 100;

/**
 * Default properties of each object type in a portal (HubSpot's documented defaults; a portal may add custom ones
 * with `defineProperty`). Reads of names not in this set are answered without them, as HubSpot does; writes of
 * names not in it are refused (PROPERTY_DOESNT_EXIST).
 */
export const DEFAULT_PROPERTIES: Record<string, string[]> = {
  contacts: [
    'email',
    'firstname',
    'lastname',
    'jobtitle',
    'phone',
    'mobilephone',
    'company',
    'website',
    'country',
    'state',
    'city',
    'zip',
    'address',
    'numberofemployees',
    'industry',
    'annualrevenue',
    'hs_lead_status',
    'lifecyclestage',
    'hubspot_owner_id',
    'hs_analytics_source',
    'hs_latest_source',
    'createdate',
    'lastmodifieddate',
    'hs_object_id',
    'associatedcompanyid',
    'hubspot_owner_assigneddate',
  ],
  companies: [
    'name',
    'domain',
    'website',
    'country',
    'state',
    'city',
    'industry',
    'numberofemployees',
    'annualrevenue',
    'phone',
    'lifecyclestage',
    'hubspot_owner_id',
    'type',
    'createdate',
    'hs_lastmodifieddate',
    'hs_object_id',
    'description',
  ],
  deals: [
    'dealname',
    'dealstage',
    'pipeline',
    'amount',
    'closedate',
    'dealtype',
    'hubspot_owner_id',
    'deal_currency_code',
    'hs_is_closed_won',
    'hs_is_closed',
    'closed_lost_reason',
    'closed_won_reason',
    'description',
    'createdate',
    'hs_lastmodifieddate',
    'hs_object_id',
    'hs_arr',
    'hs_mrr',
    'hs_acv',
    'hs_tcv',
  ],
  tasks: [
    'hs_timestamp',
    'hs_task_body',
    'hs_task_subject',
    'hs_task_status',
    'hs_task_priority',
    'hs_task_type',
    'hubspot_owner_id',
    'hs_task_completion_date',
    'hs_createdate',
    'hs_lastmodifieddate',
    'hs_object_id',
  ],
};

/** HubSpot-defined association type ids (v4), per direction. */
export const ASSOCIATION_TYPE_IDS: Record<string, number> = {
  'contacts->companies': 1,
  'companies->contacts': 2,
  'deals->contacts': 3,
  'contacts->deals': 4,
  'deals->companies': 5,
  'companies->deals': 6,
  'tasks->contacts': 204,
  'contacts->tasks': 203,
  'tasks->companies': 192,
  'companies->tasks': 191,
  'tasks->deals': 216,
  'deals->tasks': 215,
};

/** The date-stamp property HubSpot sets on create / update of each object type. */
const LAST_MODIFIED: Record<string, string> = { contacts: 'lastmodifieddate', companies: 'hs_lastmodifieddate', deals: 'hs_lastmodifieddate', tasks: 'hs_lastmodifieddate' };

export class HubSpotContractServer {
  readonly requests: RecordedRequest[] = [];
  readonly writes: RecordedWrite[] = [];
  /** plural object type -> id -> record. */
  readonly objects = new Map<string, Map<string, HubSpotRecord>>();
  readonly owners = new Map<string, HubSpotOwner>();
  /** `${fromType}:${fromId}:${toType}` -> set of to ids. */
  private readonly links = new Map<string, Set<string>>();
  private readonly custom = new Map<string, Set<string>>();
  private readonly routes: { route: ContractRoute; pattern: RegExp; names: string[] }[] = [];
  private rateLimited = 0;
  private rateLimitRetryAfter = 10;
  private failures: { remaining: number; status: number; match?: (method: string, path: string) => boolean }[] = [];
  private nextId = 1_000_000;
  private server!: http.Server;
  private accessToken: string;
  /** Base URL, e.g. http://127.0.0.1:54321 (the client's `basePath`). */
  url = '';

  private constructor(opts: StartOptions) {
    this.accessToken = opts.accessToken;
    for (const t of ['contacts', 'companies', 'deals', 'tasks']) this.objects.set(t, new Map());
    if (opts.seed) this.seed(opts.seed);
  }

  static async start(opts: StartOptions): Promise<HubSpotContractServer> {
    const s = new HubSpotContractServer(opts);
    s.server = http.createServer((req, res) => void s.handle(req, res));
    await new Promise<void>((resolve, reject) => {
      s.server.once('error', reject);
      s.server.listen(0, '127.0.0.1', () => resolve());
    });
    s.url = `http://127.0.0.1:${(s.server.address() as AddressInfo).port}`;
    return s;
  }

  async close(): Promise<void> {
    this.server.closeAllConnections?.();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }

  /** Adds routes (matched before the core's, so a helper may refine one). */
  register(routes: ContractRoute[]): void {
    for (const route of routes) {
      const names: string[] = [];
      const pattern = new RegExp(
        '^' +
          route.path.replace(/[.*+?^$()|[\]\\]/g, '\\$&').replace(/\{(\w+)\}/g, (_m, name: string) => {
            names.push(name);
            return '([^/]+)';
          }) +
          '$',
      );
      this.routes.push({ route, pattern, names });
    }
  }

  /** The next `n` authenticated requests are answered 429 with HubSpot's rate-limit body and `Retry-After`. */
  rateLimit(n: number, retryAfterSeconds = 10): void {
    this.rateLimited = n;
    this.rateLimitRetryAfter = retryAfterSeconds;
  }

  /** The next `n` requests (matching `match`, if given) are answered `status` (a 5xx) with HubSpot's error body. */
  failNext(n: number, status = 502, match?: (method: string, path: string) => boolean): void {
    this.failures.push({ remaining: n, status, match });
  }

  /** Clears the recorders (not the store). */
  resetRecords(): void {
    this.requests.length = 0;
    this.writes.length = 0;
  }

  recordWrite(w: Omit<RecordedWrite, 'at'>): void {
    this.writes.push({ ...w, at: new Date().toISOString() });
  }

  /** Requests to a path (exact, or matching a regular expression) with a method. */
  requestsTo(method: string, path: string | RegExp): RecordedRequest[] {
    return this.requests.filter((r) => r.method === method && (typeof path === 'string' ? r.path === path : path.test(r.path)));
  }

  seed(seed: HubSpotSeed): void {
    for (const [plural, list] of [
      ['contacts', seed.contacts],
      ['companies', seed.companies],
      ['deals', seed.deals],
    ] as const) {
      for (const r of list ?? []) this.upsert(plural, r.id, r.properties, { createdAt: r.createdAt, updatedAt: r.updatedAt });
    }
    for (const o of seed.owners ?? []) this.owners.set(o.id, o);
    for (const [ft, fi, tt, ti] of seed.associations ?? []) this.associate(ft, fi, tt, ti);
  }

  /** A custom property the portal defines (so reads return it and writes may set it). */
  defineProperty(objectType: string, name: string): void {
    const t = pluralType(objectType);
    if (!this.custom.has(t)) this.custom.set(t, new Set());
    this.custom.get(t)!.add(name);
  }

  isKnownProperty(objectType: string, name: string): boolean {
    const t = pluralType(objectType);
    return (DEFAULT_PROPERTIES[t] ?? []).includes(name) || (this.custom.get(t)?.has(name) ?? false);
  }

  /** Creates or merges a record; numbers are stored as HubSpot's strings, undefined is left as it was. */
  upsert(objectType: string, id: string, properties: Record<string, string | number | null | undefined>, times: { createdAt?: string; updatedAt?: string } = {}): HubSpotRecord {
    const t = pluralType(objectType);
    if (!this.objects.has(t)) this.objects.set(t, new Map());
    const store = this.objects.get(t)!;
    const now = times.updatedAt ?? new Date().toISOString();
    const existing = store.get(id);
    const rec: HubSpotRecord = existing ?? { id, properties: {}, createdAt: times.createdAt ?? now, updatedAt: now, archived: false };
    for (const [k, v] of Object.entries(properties)) {
      if (v === undefined) continue;
      rec.properties[k] = v === null ? null : String(v);
      if (!this.isKnownProperty(t, k)) this.defineProperty(t, k);
    }
    rec.updatedAt = now;
    rec.properties.hs_object_id = id;
    rec.properties.createdate ??= rec.createdAt;
    if (LAST_MODIFIED[t]) rec.properties[LAST_MODIFIED[t]!] = now;
    store.set(id, rec);
    return rec;
  }

  get(objectType: string, id: string): HubSpotRecord | undefined {
    return this.objects.get(pluralType(objectType))?.get(id);
  }

  /** A fresh numeric id for a created record, like HubSpot's. */
  newId(): string {
    return String(this.nextId++);
  }

  associate(fromType: string, fromId: string, toType: string, toId: string): void {
    const f = pluralType(fromType);
    const t = pluralType(toType);
    for (const [a, ai, b, bi] of [
      [f, fromId, t, toId],
      [t, toId, f, fromId],
    ] as const) {
      const key = `${a}:${ai}:${b}`;
      if (!this.links.has(key)) this.links.set(key, new Set());
      this.links.get(key)!.add(bi);
    }
  }

  associated(fromType: string, fromId: string, toType: string): string[] {
    return [...(this.links.get(`${pluralType(fromType)}:${fromId}:${pluralType(toType)}`) ?? [])];
  }

  /** HubSpot's error body: `{ status: 'error', message, correlationId, category, ... }`. */
  static error(status: number, category: string, message: string, extra: Record<string, unknown> = {}): ContractReply {
    return { status, body: { status: 'error', message, correlationId: randomUUID(), category, ...extra } };
  }

  /** A 400 VALIDATION_ERROR naming what is wrong, as HubSpot's CRM APIs answer a bad body. */
  static validation(message: string, errors: { message: string; code?: string; context?: Record<string, string[]>; in?: string }[] = []): ContractReply {
    return HubSpotContractServer.error(400, 'VALIDATION_ERROR', message, errors.length ? { errors } : {});
  }

  private async handle(req: http.IncomingMessage, res: http.ServerResponse): Promise<void> {
    const url = new URL(req.url ?? '/', this.url);
    const chunks: Buffer[] = [];
    for await (const c of req) chunks.push(c as Buffer);
    const rawBody = Buffer.concat(chunks).toString('utf8');
    let body: unknown = undefined;
    let badJson = false;
    if (rawBody.length > 0) {
      try {
        body = JSON.parse(rawBody);
      } catch {
        body = rawBody;
        badJson = true;
      }
    }
    const query = Object.fromEntries(url.searchParams.entries());
    const record: RecordedRequest = { method: req.method ?? 'GET', path: url.pathname, query, headers: req.headers, body, status: 0, at: new Date().toISOString() };
    this.requests.push(record);

    let reply: ContractReply;
    try {
      reply = await this.answer(req, url, query, body, rawBody, badJson);
    } catch (e) {
      reply = HubSpotContractServer.error(500, 'INTERNAL_ERROR', `contract server failed: ${(e as Error).message}`);
    }
    record.status = reply.status;
    const headers: Record<string, string> = { 'content-type': 'application/json;charset=utf-8', ...reply.headers };
    res.writeHead(reply.status, headers);
    res.end(reply.body === undefined ? undefined : JSON.stringify(reply.body));
  }

  private async answer(req: http.IncomingMessage, url: URL, query: Record<string, string>, body: unknown, rawBody: string, badJson: boolean): Promise<ContractReply> {
    const method = req.method ?? 'GET';
    const auth = req.headers.authorization;
    if (!auth) {
      return HubSpotContractServer.error(
        401,
        'INVALID_AUTHENTICATION',
        'Authentication credentials not found. This API supports OAuth 2.0 authentication and you can find more details at https://developers.hubspot.com/docs/methods/auth/oauth-overview',
      );
    }
    if (auth !== `Bearer ${this.accessToken}`) {
      return HubSpotContractServer.error(401, 'INVALID_AUTHENTICATION', 'The OAuth token used to make this call expired or is not valid.');
    }
    if (this.rateLimited > 0) {
      this.rateLimited--;
      const r = HubSpotContractServer.error(429, 'RATE_LIMITS', 'You have reached your ten_secondly_rolling limit.', {
        errorType: 'RATE_LIMIT',
        policyName: 'TEN_SECONDLY_ROLLING',
        groupName: 'publicapi:private-app:contract',
      });
      // HubSpot's own 429 body has no category; keep the documented keys only.
      delete (r.body as Record<string, unknown>).category;
      r.headers = { 'retry-after': String(this.rateLimitRetryAfter), 'x-hubspot-ratelimit-max': '100', 'x-hubspot-ratelimit-remaining': '0', 'x-hubspot-ratelimit-interval-milliseconds': '10000' };
      return r;
    }
    const failure = this.failures.find((f) => f.remaining > 0 && (!f.match || f.match(method, url.pathname)));
    if (failure) {
      failure.remaining--;
      return HubSpotContractServer.error(failure.status, 'INTERNAL_ERROR', 'internal error');
    }
    if (badJson) return HubSpotContractServer.validation('Invalid input JSON on line 1 : the request body is not valid JSON');

    const ctxBase = { server: this, method, url, query, headers: req.headers, body, rawBody };
    for (const { route, pattern, names } of this.routes) {
      if (route.method !== method) continue;
      const m = pattern.exec(url.pathname);
      if (!m) continue;
      const params = Object.fromEntries(names.map((n, i) => [n, decodeURIComponent(m[i + 1]!)]));
      return route.handler({ ...ctxBase, params });
    }
    return this.core(method, url, query, body);
  }

  private core(method: string, url: URL, query: Record<string, string>, body: unknown): ContractReply {
    const p = url.pathname;
    let m = /^\/crm\/v3\/objects\/([^/]+)\/batch\/read$/.exec(p);
    if (m && method === 'POST') return this.batchRead(m[1]!, query, body);
    m = /^\/crm\/v3\/objects\/([^/]+)\/search$/.exec(p);
    if (m && method === 'POST') return this.search(m[1]!, body);
    m = /^\/crm\/v4\/associations\/([^/]+)\/([^/]+)\/batch\/read$/.exec(p);
    if (m && method === 'POST') return this.associationsBatchRead(m[1]!, m[2]!, body);
    m = /^\/crm\/v3\/objects\/([^/]+)\/([^/]+)$/.exec(p);
    if (m && method === 'GET') return this.getOne(m[1]!, decodeURIComponent(m[2]!), query);
    return HubSpotContractServer.error(404, 'OBJECT_NOT_FOUND', `No route for ${method} ${p} on the HubSpot contract server`);
  }

  private knownType(objectType: string): string | null {
    const t = pluralType(objectType);
    return this.objects.has(t) ? t : null;
  }

  private batchRead(objectType: string, query: Record<string, string>, body: unknown): ContractReply {
    const t = this.knownType(objectType);
    if (!t) return HubSpotContractServer.error(400, 'VALIDATION_ERROR', `Unable to infer object type from: ${objectType}`);
    if (typeof body !== 'object' || body === null || Array.isArray(body)) return HubSpotContractServer.validation('Invalid input JSON: expected an object with "inputs"');
    const b = body as { inputs?: unknown; properties?: unknown; propertiesWithHistory?: unknown; idProperty?: unknown };
    if (!Array.isArray(b.inputs))
      return HubSpotContractServer.validation('Invalid input JSON on line 1 : Missing required field: inputs', [{ message: 'inputs is required', code: 'REQUIRED_FIELD', in: 'inputs' }]);
    if (b.inputs.length > BATCH_LIMIT) {
      return HubSpotContractServer.validation(`Batch input is too large: ${b.inputs.length} inputs, the limit is ${BATCH_LIMIT}.`, [
        { message: `size must be between 1 and ${BATCH_LIMIT}`, code: 'INVALID_LENGTH', in: 'inputs' },
      ]);
    }
    if (b.properties !== undefined && (!Array.isArray(b.properties) || b.properties.some((x) => typeof x !== 'string'))) {
      return HubSpotContractServer.validation('properties must be an array of property names');
    }
    const ids: string[] = [];
    for (const [i, input] of (b.inputs as unknown[]).entries()) {
      const id = (input as { id?: unknown } | null)?.id;
      if (typeof id !== 'string' && typeof id !== 'number')
        return HubSpotContractServer.validation(`inputs[${i}].id is required`, [{ message: 'id is required', code: 'REQUIRED_FIELD', in: `inputs[${i}].id` }]);
      ids.push(String(id));
    }
    const idProperty = typeof b.idProperty === 'string' ? b.idProperty : undefined;
    const properties = (b.properties as string[] | undefined) ?? defaultReadProperties(t);
    const archived = query.archived === 'true';
    const startedAt = new Date().toISOString();
    const results: unknown[] = [];
    const missing: string[] = [];
    for (const id of [...new Set(ids)]) {
      const rec = idProperty ? [...this.objects.get(t)!.values()].find((r) => r.properties[idProperty] === id) : this.objects.get(t)!.get(id);
      if (!rec || rec.archived !== archived) {
        missing.push(id);
        continue;
      }
      results.push(this.present(t, rec, properties));
    }
    const done = { status: 'COMPLETE', results, startedAt, completedAt: new Date().toISOString() };
    if (missing.length === 0) return { status: 200, body: done };
    const label = OBJECT_TYPES[t as PluralObjectType]?.toUpperCase() ?? t.toUpperCase();
    return {
      status: 207,
      body: {
        ...done,
        numErrors: 1,
        errors: [
          {
            status: 'error',
            category: 'OBJECT_NOT_FOUND',
            message: `Could not get some ${label} objects, they may be deleted or not exist. Check that ids are valid.`,
            context: { ids: missing },
            errors: [],
            links: {},
          },
        ],
      },
    };
  }

  /**
   * CRM search (POST /crm/v3/objects/{type}/search), as HubSpot documents it: filterGroups (groups ORed, at most 5;
   * filters in a group ANDed, at most 6 per group) with EQ, NEQ, IN, NOT_IN, HAS_PROPERTY, NOT_HAS_PROPERTY, GT, LT;
   * `limit` at most 200 (default 10); `after` the offset from the previous page's paging.next.after; results in id
   * order; `total` the number of matches. The search endpoints cap a query at 10,000 results.
   */
  private search(objectType: string, body: unknown): ContractReply {
    const t = this.knownType(objectType);
    if (!t) return HubSpotContractServer.error(400, 'VALIDATION_ERROR', `Unable to infer object type from: ${objectType}`);
    if (typeof body !== 'object' || body === null || Array.isArray(body)) return HubSpotContractServer.validation('Invalid input JSON: expected a search request object');
    const b = body as { filterGroups?: unknown; properties?: unknown; limit?: unknown; after?: unknown; sorts?: unknown };
    const limit = b.limit === undefined ? 10 : Number(b.limit);
    if (!Number.isInteger(limit) || limit < 1 || limit > 200)
      return HubSpotContractServer.validation(`limit must be between 1 and 200, got ${String(b.limit)}`, [{ message: 'size must be between 1 and 200', code: 'INVALID_LIMIT', in: 'limit' }]);
    const after = b.after === undefined || b.after === '' ? 0 : Number(b.after);
    if (!Number.isInteger(after) || after < 0) return HubSpotContractServer.validation(`after must be a non-negative integer offset, got ${String(b.after)}`);
    if (after + limit > 10_000) return HubSpotContractServer.validation('The search endpoints return at most 10,000 results for a query');
    type Filter = { propertyName?: unknown; operator?: unknown; value?: unknown; values?: unknown };
    const groups = (Array.isArray(b.filterGroups) ? b.filterGroups : []) as { filters?: Filter[] }[];
    if (groups.length > 5 || groups.some((g) => (g.filters ?? []).length > 6)) return HubSpotContractServer.validation('at most 5 filterGroups with at most 6 filters each');
    const test = (rec: HubSpotRecord, f: Filter): boolean | string => {
      if (typeof f.propertyName !== 'string') return 'filter without propertyName';
      const v = f.propertyName === 'hs_object_id' ? rec.id : rec.properties[f.propertyName];
      const has = v !== undefined && v !== null && v !== '';
      const eq = (x: unknown) => has && String(v).toLowerCase() === String(x).toLowerCase();
      switch (f.operator) {
        case 'EQ':
          return eq(f.value);
        case 'NEQ':
          return !eq(f.value);
        case 'IN':
          return Array.isArray(f.values) && f.values.some(eq);
        case 'NOT_IN':
          return !(Array.isArray(f.values) && f.values.some(eq));
        case 'HAS_PROPERTY':
          return has;
        case 'NOT_HAS_PROPERTY':
          return !has;
        case 'GT':
          return has && Number(v) > Number(f.value);
        case 'LT':
          return has && Number(v) < Number(f.value);
        default:
          return `unsupported operator ${String(f.operator)}`;
      }
    };
    const all = [...this.objects.get(t)!.values()].filter((r) => !r.archived).sort((x, y) => x.id.length - y.id.length || (x.id < y.id ? -1 : x.id > y.id ? 1 : 0));
    const matches: HubSpotRecord[] = [];
    for (const rec of all) {
      if (groups.length === 0) {
        matches.push(rec);
        continue;
      }
      let any = false;
      for (const g of groups) {
        let every = true;
        for (const f of g.filters ?? []) {
          const r = test(rec, f);
          if (typeof r === 'string') return HubSpotContractServer.validation(r);
          if (!r) every = false;
        }
        if (every) any = true;
      }
      if (any) matches.push(rec);
    }
    const properties = Array.isArray(b.properties) ? (b.properties as string[]) : defaultReadProperties(t);
    const results = matches.slice(after, after + limit).map((rec) => this.present(t, rec, properties));
    const next = after + limit < matches.length ? { paging: { next: { after: String(after + limit), link: `?after=${after + limit}` } } } : {};
    return { status: 200, body: { total: matches.length, results, ...next } };
  }

  private getOne(objectType: string, id: string, query: Record<string, string>): ContractReply {
    const t = this.knownType(objectType);
    if (!t) return HubSpotContractServer.error(400, 'VALIDATION_ERROR', `Unable to infer object type from: ${objectType}`);
    const rec = query.idProperty ? [...this.objects.get(t)!.values()].find((r) => r.properties[query.idProperty!] === id) : this.objects.get(t)!.get(id);
    if (!rec || rec.archived !== (query.archived === 'true')) return HubSpotContractServer.error(404, 'OBJECT_NOT_FOUND', 'resource not found');
    const properties = query.properties ? query.properties.split(',').filter(Boolean) : defaultReadProperties(t);
    const out = this.present(t, rec, properties) as Record<string, unknown>;
    if (query.associations) {
      const assoc: Record<string, unknown> = {};
      for (const to of query.associations.split(',').filter(Boolean)) {
        const tt = pluralType(to);
        const ids = this.associated(t, rec.id, tt);
        if (ids.length) assoc[tt] = { results: ids.map((i) => ({ id: i, type: `${OBJECT_TYPES[t as PluralObjectType] ?? t}_to_${OBJECT_TYPES[tt as PluralObjectType] ?? tt}` })) };
      }
      if (Object.keys(assoc).length) out.associations = assoc;
    }
    return { status: 200, body: out };
  }

  private associationsBatchRead(fromType: string, toType: string, body: unknown): ContractReply {
    const f = pluralType(fromType);
    const t = pluralType(toType);
    if (!this.objects.has(f) || !this.objects.has(t)) return HubSpotContractServer.error(400, 'VALIDATION_ERROR', `Unable to infer object type from: ${this.objects.has(f) ? toType : fromType}`);
    const inputs = (body as { inputs?: unknown } | null)?.inputs;
    if (!Array.isArray(inputs)) return HubSpotContractServer.validation('Invalid input JSON on line 1 : Missing required field: inputs');
    if (inputs.length > BATCH_LIMIT) return HubSpotContractServer.validation(`Batch input is too large: ${inputs.length} inputs, the limit is ${BATCH_LIMIT}.`);
    const startedAt = new Date().toISOString();
    const results: unknown[] = [];
    const none: string[] = [];
    const typeId = ASSOCIATION_TYPE_IDS[`${f}->${t}`] ?? 0;
    for (const input of inputs) {
      const id = String((input as { id?: unknown })?.id ?? '');
      const to = this.associated(f, id, t);
      if (to.length === 0) {
        none.push(id);
        continue;
      }
      results.push({
        from: { id },
        to: to.map((toId) => ({ toObjectId: Number(toId), associationTypes: [{ category: 'HUBSPOT_DEFINED', typeId, label: null }] })),
      });
    }
    const done = { status: 'COMPLETE', results, startedAt, completedAt: new Date().toISOString() };
    if (none.length === 0) return { status: 200, body: done };
    const singular = (x: string) => OBJECT_TYPES[x as PluralObjectType] ?? x;
    return {
      status: 207,
      body: {
        ...done,
        numErrors: none.length,
        errors: none.map((id) => ({
          status: 'error',
          category: 'OBJECT_NOT_FOUND',
          subCategory: 'crm.associations.NO_ASSOCIATIONS_FOUND',
          message: `No ${singular(t)} is associated with ${singular(f)} ${id}.`,
          context: { fromObjectId: [id], fromObjectType: [singular(f).toUpperCase()], toObjectType: [singular(t).toUpperCase()] },
          errors: [],
          links: {},
        })),
      },
    };
  }

  /** A record as the v3 API presents it: the requested properties (null when unset; unknown names left out). */
  present(objectType: string, rec: HubSpotRecord, properties: readonly string[]): Record<string, unknown> {
    const t = pluralType(objectType);
    const props: Record<string, string | null> = {};
    // HubSpot always answers these three.
    for (const always of ['hs_object_id', 'createdate', LAST_MODIFIED[t] ?? 'lastmodifieddate']) props[always] = rec.properties[always] ?? null;
    for (const name of properties) {
      if (!this.isKnownProperty(t, name)) continue;
      props[name] = rec.properties[name] ?? null;
    }
    return { id: rec.id, properties: props, createdAt: rec.createdAt, updatedAt: rec.updatedAt, archived: rec.archived };
  }
}

/** `contact`, `contacts`, `0-1` -> `contacts`. */
export function pluralType(objectType: string): string {
  return TYPE_IDS[objectType] ?? objectType;
}

function defaultReadProperties(t: string): string[] {
  // Without `properties`, HubSpot answers a small default set per object type.
  if (t === 'contacts') return ['email', 'firstname', 'lastname'];
  if (t === 'companies') return ['name', 'domain'];
  if (t === 'deals') return ['dealname', 'amount', 'closedate', 'pipeline', 'dealstage'];
  return [];
}
