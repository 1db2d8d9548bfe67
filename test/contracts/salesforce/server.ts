import { createHmac, createPublicKey, randomBytes, verify } from 'node:crypto';
import http from 'node:http';
import type { AddressInfo } from 'node:net';

/**
 * A Salesforce contract server: the parts of Salesforce's OAuth 2.0 token endpoint and REST API that Flywheel's
 * Salesforce connector calls, written from Salesforce's published documentation (OAuth 2.0 client credentials and
 * JWT bearer flows; REST API sObject Rows update/create, Query, "Status Codes and Error Responses"; the Lead,
 * Contact, Task and User object reference). It checks each request the way Salesforce does and answers with the
 * documented shapes, and records every request and every write.
 *
 *   POST  /services/oauth2/token                          grant_type=client_credentials | jwt-bearer (form-encoded)
 *   PATCH /services/data/vXX.X/sobjects/{Lead|Contact}/{id}  204, or [{message, errorCode, fields}] 4xx
 *   POST  /services/data/vXX.X/sobjects/Task              201 {id, success, errors}
 *   GET   /services/data/vXX.X/sobjects/{type}/{id}       the record (for completeness)
 *   GET   /services/data/vXX.X/query?q=SOQL               a SOQL subset: SELECT f, ... FROM o [WHERE f = v AND ...] [LIMIT n]
 *
 * Checks: a Bearer token the token endpoint issued (else 401 INVALID_SESSION_ID); the API version; every field name
 * against the object's fields (INVALID_FIELD), read-only fields (INVALID_FIELD_FOR_INSERT_UPDATE); OwnerId must be
 * an active User (FIELD_INTEGRITY_EXCEPTION / INACTIVE_OWNER_OR_USER); WhoId a Lead or Contact; ActivityDate a
 * YYYY-MM-DD date; Status and Priority from their picklists; Subject at most 255 characters; SOQL cannot filter on
 * a long text area (Task.Description). Modes answer the org's API limit (403 REQUEST_LIMIT_EXCEEDED) or an outage
 * (503) for the next N API calls.
 */

export interface SalesforceUser {
  Id: string;
  Username: string;
  Email: string;
  Name?: string;
  IsActive?: boolean;
}

/** A connected app (or external client app): its consumer key and secret, its certificate, its run-as user. */
export interface ConnectedApp {
  clientId: string;
  /** Client credentials flow: the consumer secret. */
  clientSecret?: string;
  /** JWT bearer flow: the certificate uploaded to the app (PEM; a bare public key is accepted too). */
  certificate?: string;
  /** Client credentials flow: the integration ("Run As") user's Id. */
  runAs?: string;
}

export interface SalesforceContractOptions {
  /** The org's 18-character id. */
  organizationId: string;
  apps: ConnectedApp[];
  users: SalesforceUser[];
  /** The JWT `aud` this "login server" expects; default its own URL. */
  audience?: string;
}

export interface StoredRecord {
  type: string;
  fields: Record<string, unknown>;
}

export interface RecordedRequest {
  method: string;
  path: string;
  query: Record<string, string>;
  /** Authorization is recorded as its scheme only; the token itself is not kept. */
  authorization?: string;
  body: unknown;
  status: number;
  response?: unknown;
  at: string;
}

export interface RecordedWrite {
  kind: 'update' | 'create';
  sobject: string;
  id: string;
  body: Record<string, unknown>;
  at: string;
}

export interface TokenRequest {
  grantType: string;
  status: number;
  error?: string;
  at: string;
}

type FieldKind = 'id' | 'ref' | 'string' | 'textarea' | 'date' | 'datetime' | 'boolean' | 'int' | 'double' | 'picklist';
interface FieldSpec {
  kind: FieldKind;
  updateable?: boolean;
  length?: number;
  values?: string[];
  /** Long text areas cannot be used in a SOQL WHERE clause. */
  filterable?: boolean;
}

const SYSTEM: Record<string, FieldSpec> = {
  Id: { kind: 'id', updateable: false },
  CreatedDate: { kind: 'datetime', updateable: false },
  LastModifiedDate: { kind: 'datetime', updateable: false },
  SystemModstamp: { kind: 'datetime', updateable: false },
  CreatedById: { kind: 'ref', updateable: false },
  IsDeleted: { kind: 'boolean', updateable: false },
};

/** The fields of each object this server knows, from the object reference (a subset: what the connector touches). */
const OBJECTS: Record<string, { prefix: string; fields: Record<string, FieldSpec> }> = {
  Lead: {
    prefix: '00Q',
    fields: {
      ...SYSTEM,
      FirstName: { kind: 'string', length: 40 },
      LastName: { kind: 'string', length: 80 },
      Company: { kind: 'string', length: 255 },
      Email: { kind: 'string', length: 80 },
      Phone: { kind: 'string', length: 40 },
      Title: { kind: 'string', length: 128 },
      Website: { kind: 'string', length: 255 },
      Country: { kind: 'string', length: 80 },
      NumberOfEmployees: { kind: 'int' },
      Industry: { kind: 'picklist' },
      AnnualRevenue: { kind: 'double' },
      LeadSource: { kind: 'picklist' },
      Status: { kind: 'picklist' },
      OwnerId: { kind: 'ref' },
      IsConverted: { kind: 'boolean', updateable: false },
      ConvertedContactId: { kind: 'ref', updateable: false },
      ConvertedOpportunityId: { kind: 'ref', updateable: false },
      Description: { kind: 'textarea', length: 32_000, filterable: false },
    },
  },
  Contact: {
    prefix: '003',
    fields: {
      ...SYSTEM,
      FirstName: { kind: 'string', length: 40 },
      LastName: { kind: 'string', length: 80 },
      Email: { kind: 'string', length: 80 },
      Phone: { kind: 'string', length: 40 },
      Title: { kind: 'string', length: 128 },
      MailingCountry: { kind: 'string', length: 80 },
      LeadSource: { kind: 'picklist' },
      AccountId: { kind: 'ref' },
      OwnerId: { kind: 'ref' },
      Description: { kind: 'textarea', length: 32_000, filterable: false },
    },
  },
  Account: {
    prefix: '001',
    fields: {
      ...SYSTEM,
      Name: { kind: 'string', length: 255 },
      Website: { kind: 'string', length: 255 },
      Type: { kind: 'picklist' },
      Industry: { kind: 'picklist' },
      BillingCountry: { kind: 'string', length: 80 },
      NumberOfEmployees: { kind: 'int' },
      AnnualRevenue: { kind: 'double' },
      OwnerId: { kind: 'ref' },
      // Custom fields an org adds for its subscriptions (any org's names differ: the import maps them).
      ARR__c: { kind: 'double' },
      Contract_Start__c: { kind: 'date' },
      Contract_End__c: { kind: 'date' },
    },
  },
  Task: {
    prefix: '00T',
    fields: {
      ...SYSTEM,
      Subject: { kind: 'string', length: 255 },
      WhoId: { kind: 'ref' },
      WhatId: { kind: 'ref' },
      OwnerId: { kind: 'ref' },
      ActivityDate: { kind: 'date' },
      Status: { kind: 'picklist', values: ['Not Started', 'In Progress', 'Completed', 'Waiting on someone else', 'Deferred'] },
      Priority: { kind: 'picklist', values: ['High', 'Normal', 'Low'] },
      Type: { kind: 'picklist' },
      IsClosed: { kind: 'boolean', updateable: false },
      Description: { kind: 'textarea', length: 32_000, filterable: false },
    },
  },
  User: {
    prefix: '005',
    fields: {
      ...SYSTEM,
      Username: { kind: 'string', length: 80 },
      Email: { kind: 'string', length: 128 },
      Name: { kind: 'string', length: 121, updateable: false },
      IsActive: { kind: 'boolean' },
    },
  },
};

/** API versions this "org" serves (Salesforce keeps old versions for years; these bound the contract). */
const MIN_VERSION = 31;
const MAX_VERSION = 66;
/** A JWT assertion may be valid for at most this long, per the JWT bearer flow documentation. */
const MAX_ASSERTION_S = 180;
const CLOCK_SKEW_S = 5;
const DAILY_API_LIMIT = 15_000;

type SfError = { message: string; errorCode: string; fields?: string[] };
interface Reply {
  status: number;
  body?: unknown;
  headers?: Record<string, string>;
}

export class SalesforceContractServer {
  readonly requests: RecordedRequest[] = [];
  readonly writes: RecordedWrite[] = [];
  readonly tokenRequests: TokenRequest[] = [];
  readonly records = new Map<string, StoredRecord>();
  private readonly sessions = new Map<string, { userId: string; clientId: string }>();
  private failures: { mode: 'REQUEST_LIMIT_EXCEEDED' | 'SERVER_UNAVAILABLE'; left: number } | null = null;
  private tokenOutage = 0;
  private sessionsRefused = false;
  private apiUsage = 0;
  private server: http.Server | null = null;
  url = '';

  constructor(private readonly opts: SalesforceContractOptions) {
    for (const u of opts.users) this.records.set(u.Id, { type: 'User', fields: { IsActive: true, Name: u.Name ?? u.Username, ...u } });
  }

  async start(): Promise<this> {
    this.server = http.createServer((req, res) => void this.handle(req, res));
    await new Promise<void>((resolve) => this.server!.listen(0, '127.0.0.1', resolve));
    this.url = `http://127.0.0.1:${(this.server.address() as AddressInfo).port}`;
    return this;
  }

  async close(): Promise<void> {
    if (!this.server) return;
    this.server.closeAllConnections();
    await new Promise<void>((resolve) => this.server!.close(() => resolve()));
  }

  /** Adds a Lead, Contact (or any known object) record; returns its id. */
  addRecord(type: string, id: string, fields: Record<string, unknown> = {}): string {
    const now = new Date().toISOString();
    this.records.set(id, { type, fields: { CreatedDate: now, LastModifiedDate: now, SystemModstamp: now, ...fields, Id: id } });
    return id;
  }

  record(id: string): StoredRecord | undefined {
    return this.find(id);
  }

  tasks(filter: (t: Record<string, unknown>) => boolean = () => true): Record<string, unknown>[] {
    return [...this.records.values()]
      .filter((r) => r.type === 'Task')
      .map((r) => r.fields)
      .filter(filter);
  }

  /** Every issued session becomes invalid, as when the org's session timeout passes or an admin revokes it. */
  expireSessions(): void {
    this.sessions.clear();
  }

  /** While on, every API call answers INVALID_SESSION_ID, also with a token just issued (a revoked app, say). */
  refuseSessions(on: boolean): void {
    this.sessionsRefused = on;
  }

  /** The next `n` API calls (not the token endpoint) fail: the org's API limit (403) or an outage (503). */
  failNext(n: number, mode: 'REQUEST_LIMIT_EXCEEDED' | 'SERVER_UNAVAILABLE'): void {
    this.failures = n > 0 ? { mode, left: n } : null;
  }

  /** The next `n` token requests answer 503. */
  tokenEndpointDown(n: number): void {
    this.tokenOutage = n;
  }

  /**
   * Query results come in batches (Salesforce's default and maximum is 2,000 records; the Sforce-Query-Options
   * header's batchSize, 200..2,000, asks for fewer): `done` false and a `nextRecordsUrl`
   * (/services/data/vXX.X/query/01g...-2000) while more remain; GET it for the next batch (queryMore). The records
   * are fixed when the query runs, as a query locator's are.
   */
  private readonly locators = new Map<string, { records: unknown[]; size: number }>();

  private paged(reply: Reply, version: string, size: number): Reply {
    if (reply.status !== 200) return reply;
    const all = (reply.body as { records: unknown[] }).records;
    if (all.length <= size) return reply;
    const locator = `01g${randomId(15)}`;
    this.locators.set(locator, { records: all, size });
    return this.queryMore(locator, 0, version);
  }

  private queryMore(locator: string, offset: number, version: string): Reply {
    const l = this.locators.get(locator);
    if (!l) return { status: 400, body: [{ message: 'invalid query locator', errorCode: 'INVALID_QUERY_LOCATOR' }] };
    const records = l.records.slice(offset, offset + l.size);
    const done = offset + l.size >= l.records.length;
    return { status: 200, body: { totalSize: l.records.length, done, ...(done ? {} : { nextRecordsUrl: `/services/data/${version}/query/${locator}-${offset + l.size}` }), records } };
  }

  private find(id: string): StoredRecord | undefined {
    const exact = this.records.get(id);
    if (exact) return exact;
    if (id.length === 15) for (const [k, r] of this.records) if (k.slice(0, 15) === id) return r;
    return undefined;
  }

  private async handle(req: http.IncomingMessage, res: http.ServerResponse): Promise<void> {
    const chunks: Buffer[] = [];
    for await (const c of req) chunks.push(c as Buffer);
    const raw = Buffer.concat(chunks).toString('utf8');
    const url = new URL(req.url ?? '/', 'http://contract');
    const contentType = (req.headers['content-type'] ?? '').split(';')[0]!.trim().toLowerCase();
    let body: unknown = raw === '' ? undefined : raw;
    if (contentType === 'application/json' && raw !== '') {
      try {
        body = JSON.parse(raw);
      } catch {
        body = Symbol.for('invalid-json');
      }
    }
    let reply: Reply;
    try {
      reply = url.pathname === '/services/oauth2/token' ? this.token(req.method ?? 'GET', contentType, raw) : this.api(req, url, contentType, body);
    } catch (e) {
      reply = { status: 500, body: [{ message: `contract server error: ${(e as Error).message}`, errorCode: 'UNKNOWN_EXCEPTION' }] };
    }
    const auth = req.headers.authorization;
    this.requests.push({
      method: req.method ?? 'GET',
      path: url.pathname,
      query: Object.fromEntries(url.searchParams),
      ...(auth ? { authorization: auth.split(' ')[0] } : {}),
      body: url.pathname === '/services/oauth2/token' ? '(form, not kept)' : typeof body === 'symbol' ? raw : body,
      status: reply.status,
      response: reply.body,
      at: new Date().toISOString(),
    });
    const headers: Record<string, string> = { ...reply.headers };
    if (reply.body !== undefined) headers['content-type'] = 'application/json;charset=UTF-8';
    res.writeHead(reply.status, headers);
    res.end(reply.body === undefined ? undefined : JSON.stringify(reply.body));
  }

  // ---- OAuth 2.0 token endpoint -------------------------------------------------------------------------------

  private token(method: string, contentType: string, raw: string): Reply {
    const answer = (status: number, body: Record<string, unknown>, grantType = ''): Reply => {
      this.tokenRequests.push({ grantType, status, ...(typeof body.error === 'string' ? { error: body.error } : {}), at: new Date().toISOString() });
      return { status, body };
    };
    if (method !== 'POST') return answer(405, { error: 'invalid_request', error_description: 'must use HTTP POST' });
    if (this.tokenOutage > 0) {
      this.tokenOutage--;
      return answer(503, { error: 'temporarily_unavailable', error_description: 'service temporarily unavailable' });
    }
    if (contentType !== 'application/x-www-form-urlencoded') return answer(400, { error: 'invalid_request', error_description: 'the request must be application/x-www-form-urlencoded' });
    const form = new URLSearchParams(raw);
    const grantType = form.get('grant_type') ?? '';
    if (!grantType) return answer(400, { error: 'invalid_request', error_description: 'grant type not supported' });
    if (grantType === 'client_credentials') {
      const app = this.opts.apps.find((a) => a.clientId === form.get('client_id'));
      if (!app) return answer(400, { error: 'invalid_client_id', error_description: 'client identifier invalid' }, grantType);
      if (!app.clientSecret || app.clientSecret !== form.get('client_secret')) return answer(400, { error: 'invalid_client', error_description: 'invalid client credentials' }, grantType);
      if (!app.runAs) return answer(400, { error: 'invalid_grant', error_description: 'no client credentials user enabled' }, grantType);
      return answer(200, this.issue(app, app.runAs), grantType);
    }
    if (grantType === 'urn:ietf:params:oauth:grant-type:jwt-bearer') {
      const checked = this.checkAssertion(form.get('assertion') ?? '');
      if ('error' in checked) return answer(400, checked, grantType);
      return answer(200, this.issue(checked.app, checked.userId), grantType);
    }
    return answer(400, { error: 'unsupported_grant_type', error_description: 'grant type not supported' }, grantType);
  }

  /** iss = a connected app's consumer key, sub = an active user's username, aud = this login server, exp within 3 minutes, RS256 by the app's certificate. */
  private checkAssertion(assertion: string): { app: ConnectedApp; userId: string } | { error: string; error_description: string } {
    const invalid = (why: string) => ({ error: 'invalid_grant', error_description: why });
    const parts = assertion.split('.');
    if (parts.length !== 3) return invalid('invalid assertion');
    let header: Record<string, unknown>;
    let claims: Record<string, unknown>;
    try {
      header = JSON.parse(Buffer.from(parts[0]!, 'base64url').toString('utf8')) as Record<string, unknown>;
      claims = JSON.parse(Buffer.from(parts[1]!, 'base64url').toString('utf8')) as Record<string, unknown>;
    } catch {
      return invalid('invalid assertion');
    }
    if (header.alg !== 'RS256') return invalid('invalid assertion: alg must be RS256');
    const app = this.opts.apps.find((a) => a.clientId === claims.iss && a.certificate);
    if (!app) return { error: 'invalid_client_id', error_description: 'client identifier invalid' };
    if (claims.aud !== (this.opts.audience ?? this.url)) return invalid('audience is invalid');
    const now = Math.floor(Date.now() / 1000);
    if (typeof claims.exp !== 'number' || claims.exp <= now - CLOCK_SKEW_S) return invalid('expired assertion');
    if (claims.exp > now + MAX_ASSERTION_S + CLOCK_SKEW_S) return invalid('invalid assertion: exp must be within 3 minutes');
    const signed = verify('RSA-SHA256', Buffer.from(`${parts[0]}.${parts[1]}`), createPublicKey(app.certificate!), Buffer.from(parts[2]!, 'base64url'));
    if (!signed) return invalid('invalid assertion');
    const user = this.opts.users.find((u) => u.Username === claims.sub);
    if (!user || user.IsActive === false) return invalid("user hasn't approved this consumer");
    return { app, userId: user.Id };
  }

  private issue(app: ConnectedApp, userId: string): Record<string, unknown> {
    const accessToken = `${this.opts.organizationId.slice(0, 15)}!${randomBytes(24).toString('base64url')}`;
    this.sessions.set(accessToken, { userId, clientId: app.clientId });
    const id = `${this.url}/id/${this.opts.organizationId}/${userId}`;
    const issuedAt = String(Date.now());
    const signature = createHmac('sha256', app.clientSecret ?? app.clientId)
      .update(id + issuedAt)
      .digest('base64');
    return { access_token: accessToken, signature, scope: 'api', instance_url: this.url, id, token_type: 'Bearer', issued_at: issuedAt };
  }

  // ---- REST API --------------------------------------------------------------------------------------------------

  private api(req: http.IncomingMessage, url: URL, contentType: string, body: unknown): Reply {
    const notFound: Reply = { status: 404, body: [{ errorCode: 'NOT_FOUND', message: 'The requested resource does not exist' }] };
    const m = /^\/services\/data\/v(\d+)\.(\d)(\/.*)$/.exec(url.pathname);
    if (!m) return notFound;
    const auth = /^Bearer (\S+)$/.exec(req.headers.authorization ?? '');
    const session = auth ? this.sessions.get(auth[1]!) : undefined;
    if (!session || this.sessionsRefused) return { status: 401, body: [{ message: 'Session expired or invalid', errorCode: 'INVALID_SESSION_ID' }] };
    if (this.failures) {
      const { mode } = this.failures;
      if (--this.failures.left <= 0) this.failures = null;
      if (mode === 'REQUEST_LIMIT_EXCEEDED') return { status: 403, body: [{ message: 'TotalRequests Limit exceeded.', errorCode: 'REQUEST_LIMIT_EXCEEDED' }] };
      return { status: 503, body: [{ message: 'Server temporarily unavailable', errorCode: 'SERVER_UNAVAILABLE' }] };
    }
    const version = Number(m[1]);
    if (version < MIN_VERSION || version > MAX_VERSION) return notFound;
    this.apiUsage++;
    const limitInfo = { 'sforce-limit-info': `api-usage=${this.apiUsage}/${DAILY_API_LIMIT}` };
    const rest = m[3]!;
    const method = req.method ?? 'GET';
    const withLimits = (r: Reply): Reply => ({ ...r, headers: { ...r.headers, ...limitInfo } });

    if (rest === '/query' || rest === '/query/') {
      if (method !== 'GET') return withLimits(notAllowed(method, 'GET,HEAD'));
      return withLimits(this.paged(this.query(url.searchParams.get('q') ?? ''), `v${m[1]}.${m[2]}`, batchSize(req.headers['sforce-query-options'])));
    }
    const more = /^\/query\/(01g[A-Za-z0-9]+)-(\d+)$/.exec(rest);
    if (more) {
      if (method !== 'GET') return withLimits(notAllowed(method, 'GET,HEAD'));
      return withLimits(this.queryMore(more[1]!, Number(more[2]), `v${m[1]}.${m[2]}`));
    }
    const row = /^\/sobjects\/(\w+)\/([A-Za-z0-9]{15}|[A-Za-z0-9]{18})$/.exec(rest);
    if (row) {
      const [, type, id] = row as unknown as [string, string, string];
      if (!OBJECTS[type]) return withLimits({ status: 404, body: [{ errorCode: 'NOT_FOUND', message: `The requested resource does not exist` }] });
      const rec = this.find(id);
      if (!rec || rec.type !== type) return withLimits(notFound);
      if (method === 'GET') return withLimits({ status: 200, body: { attributes: { type, url: `/services/data/v${m[1]}.${m[2]}/sobjects/${type}/${id}` }, ...rec.fields } });
      if (method !== 'PATCH') return withLimits(notAllowed(method, 'GET,PATCH,HEAD,DELETE'));
      return withLimits(this.update(type, rec, contentType, body));
    }
    const collection = /^\/sobjects\/(\w+)\/?$/.exec(rest);
    if (collection) {
      const type = collection[1]!;
      if (!OBJECTS[type]) return withLimits(notFound);
      if (method !== 'POST') return withLimits(notAllowed(method, 'GET,POST,HEAD'));
      return withLimits(this.create(type, contentType, body, session.userId));
    }
    return withLimits(notFound);
  }

  private jsonBody(contentType: string, body: unknown): { fields: Record<string, unknown> } | { reply: Reply } {
    if (contentType !== 'application/json') return { reply: { status: 415, body: [{ errorCode: 'UNSUPPORTED_MEDIA_TYPE', message: `Content type '${contentType}' not supported` }] } };
    if (typeof body !== 'object' || body === null || Array.isArray(body))
      return { reply: { status: 400, body: [{ errorCode: 'JSON_PARSER_ERROR', message: 'The request body must be a JSON object' }] } };
    return { fields: body as Record<string, unknown> };
  }

  private update(type: string, rec: StoredRecord, contentType: string, body: unknown): Reply {
    const parsed = this.jsonBody(contentType, body);
    if ('reply' in parsed) return parsed.reply;
    const errors = this.checkFields(type, parsed.fields);
    if (errors.length) return { status: 400, body: errors };
    const now = new Date().toISOString();
    Object.assign(rec.fields, parsed.fields, { LastModifiedDate: now, SystemModstamp: now });
    this.writes.push({ kind: 'update', sobject: type, id: String(rec.fields.Id), body: { ...parsed.fields }, at: now });
    return { status: 204 };
  }

  private create(type: string, contentType: string, body: unknown, userId: string): Reply {
    const parsed = this.jsonBody(contentType, body);
    if ('reply' in parsed) return parsed.reply;
    const values = { ...parsed.fields };
    const errors = this.checkFields(type, values);
    if (errors.length) return { status: 400, body: errors };
    // Defaults of the object reference: a Task without them is Not Started, Normal, owned by the running user.
    if (type === 'Task') {
      values.Status ??= 'Not Started';
      values.Priority ??= 'Normal';
      values.OwnerId ??= userId;
    }
    const id = `${OBJECTS[type]!.prefix}${randomId(15)}`;
    const now = new Date().toISOString();
    this.records.set(id, {
      type,
      fields: { ...values, Id: id, CreatedDate: now, LastModifiedDate: now, SystemModstamp: now, CreatedById: userId, ...(type === 'Task' ? { IsClosed: values.Status === 'Completed' } : {}) },
    });
    this.writes.push({ kind: 'create', sobject: type, id, body: parsed.fields, at: now });
    return { status: 201, body: { id, success: true, errors: [] } };
  }

  private checkFields(type: string, fields: Record<string, unknown>): SfError[] {
    const spec = OBJECTS[type]!.fields;
    const errors: SfError[] = [];
    for (const [name, value] of Object.entries(fields)) {
      const f = spec[name];
      if (!f) {
        errors.push({ message: `No such column '${name}' on sobject of type ${type}`, errorCode: 'INVALID_FIELD', fields: [name] });
        continue;
      }
      if (f.updateable === false) {
        errors.push({
          message: `Unable to create/update fields: ${name}. Please check the security settings of this field and verify that it is read/write for your profile or permission set.`,
          errorCode: 'INVALID_FIELD_FOR_INSERT_UPDATE',
          fields: [name],
        });
        continue;
      }
      if (value === null) continue;
      const bad = (errorCode: string, message: string) => errors.push({ message, errorCode, fields: [name] });
      switch (f.kind) {
        case 'string':
        case 'textarea':
        case 'picklist':
          if (typeof value !== 'string') bad('JSON_PARSER_ERROR', `Cannot deserialize instance of ${f.kind} from ${typeof value} value for ${name}`);
          else if (f.length && value.length > f.length) bad('STRING_TOO_LONG', `${name}: data value too large: ${value.slice(0, 20)}... (max length=${f.length})`);
          else if (f.values && !f.values.includes(value)) bad('INVALID_OR_NULL_FOR_RESTRICTED_PICKLIST', `${name}: bad value for restricted picklist field: ${value}`);
          break;
        case 'date':
          if (
            typeof value !== 'string' ||
            !/^\d{4}-\d{2}-\d{2}$/.test(value) ||
            Number.isNaN(Date.parse(`${value}T00:00:00Z`)) ||
            new Date(`${value}T00:00:00Z`).toISOString().slice(0, 10) !== value
          ) {
            bad('JSON_PARSER_ERROR', `Cannot deserialize instance of date from VALUE_STRING value ${String(value)} or request may be missing a required field`);
          }
          break;
        case 'ref':
          if (typeof value !== 'string' || !/^[A-Za-z0-9]{15}([A-Za-z0-9]{3})?$/.test(value)) bad('MALFORMED_ID', `${name}: id value of incorrect type: ${String(value)}`);
          else if (name === 'OwnerId') {
            const user = value.startsWith('005') ? this.find(value) : undefined;
            if (!user || user.type !== 'User') bad('FIELD_INTEGRITY_EXCEPTION', `Owner ID: id value of incorrect type: ${value}`);
            else if (user.fields.IsActive === false) bad('INACTIVE_OWNER_OR_USER', 'operation performed with inactive user');
          } else if (name === 'WhoId') {
            const who = this.find(value);
            if (!who || (who.type !== 'Lead' && who.type !== 'Contact')) bad('FIELD_INTEGRITY_EXCEPTION', `Name ID: id value of incorrect type: ${value}`);
          }
          break;
        case 'int':
          if (!Number.isInteger(value)) bad('JSON_PARSER_ERROR', `Cannot deserialize instance of int from ${typeof value} value for ${name}`);
          break;
        case 'double':
          if (typeof value !== 'number') bad('JSON_PARSER_ERROR', `Cannot deserialize instance of double from ${typeof value} value for ${name}`);
          break;
        case 'boolean':
          if (typeof value !== 'boolean') bad('JSON_PARSER_ERROR', `Cannot deserialize instance of boolean from ${typeof value} value for ${name}`);
          break;
        default:
          break;
      }
    }
    return errors;
  }

  /** SELECT a, b FROM Obj [WHERE f = literal [AND ...]] [LIMIT n]; string comparisons ignore case, as SOQL's do. */
  private query(soql: string): Reply {
    const malformed = (why: string): Reply => ({ status: 400, body: [{ message: `${soql.slice(0, 200)}\n${why}`, errorCode: 'MALFORMED_QUERY' }] });
    const m = /^\s*SELECT\s+(.+?)\s+FROM\s+(\w+)(?:\s+WHERE\s+(.+?))?(?:\s+LIMIT\s+(\d+))?\s*$/is.exec(soql);
    if (!m) return malformed('unexpected token: the contract server reads SELECT ... FROM ... [WHERE ...] [LIMIT n]');
    const [, list, type, where, limit] = m as unknown as [string, string, string, string | undefined, string | undefined];
    const object = OBJECTS[type];
    if (!object) return { status: 400, body: [{ message: `sObject type '${type}' is not supported.`, errorCode: 'INVALID_TYPE' }] };
    const selected = list.split(',').map((f) => f.trim());
    for (const f of selected) if (!object.fields[f]) return { status: 400, body: [{ message: `No such column '${f}' on entity '${type}'.`, errorCode: 'INVALID_FIELD' }] };
    const conditions: { field: string; value: unknown; isId: boolean }[] = [];
    if (where) {
      const re = /\s*(\w+)\s*=\s*('(?:[^'\\]|\\.)*'|true|false|null|\d{4}-\d{2}-\d{2}|-?\d+(?:\.\d+)?)\s*(?:AND\b|$)/giy;
      let at = 0;
      for (let c = re.exec(where); c; c = re.exec(where)) {
        const field = c[1]!;
        const spec = object.fields[field];
        if (!spec) return { status: 400, body: [{ message: `No such column '${field}' on entity '${type}'.`, errorCode: 'INVALID_FIELD' }] };
        if (spec.filterable === false) return { status: 400, body: [{ message: `field '${field}' can not be filtered in a query call`, errorCode: 'INVALID_FIELD' }] };
        conditions.push({ field, value: literal(c[2]!), isId: spec.kind === 'id' || spec.kind === 'ref' });
        at = re.lastIndex;
      }
      if (at !== where.length) return malformed('unexpected token in WHERE: the contract server reads field = literal joined by AND');
    }
    const matches = [...this.records.entries()]
      .filter(([, r]) => r.type === type)
      .filter(([, r]) => conditions.every(({ field, value, isId }) => same(r.fields[field], value, isId)))
      .slice(0, limit ? Number(limit) : undefined);
    const records = matches.map(([id, r]) => ({ attributes: { type, url: `/services/data/v62.0/sobjects/${type}/${id}` }, ...Object.fromEntries(selected.map((f) => [f, r.fields[f] ?? null])) }));
    return { status: 200, body: { totalSize: records.length, done: true, records } };
  }
}

function batchSize(header: string | string[] | undefined): number {
  const m = /batchSize=(\d+)/i.exec(String(header ?? ''));
  return m ? Math.min(2000, Math.max(200, Number(m[1]))) : 2000;
}

function notAllowed(method: string, allowed: string): Reply {
  return { status: 405, body: [{ errorCode: 'METHOD_NOT_ALLOWED', message: `HTTP Method '${method}' not allowed. Allowed are ${allowed}` }], headers: { allow: allowed } };
}

function literal(text: string): unknown {
  if (text.startsWith("'")) return text.slice(1, -1).replace(/\\(.)/g, '$1');
  if (/^(true|false)$/i.test(text)) return text.toLowerCase() === 'true';
  if (/^null$/i.test(text)) return null;
  if (/^\d{4}-\d{2}-\d{2}$/.test(text)) return text;
  return Number(text);
}

function same(actual: unknown, expected: unknown, isId: boolean): boolean {
  if (expected === null) return actual === null || actual === undefined;
  if (typeof expected === 'string' && typeof actual === 'string') {
    // Ids compare on their first 15 (case-sensitive) characters; text ignores case, as SOQL's = does.
    return isId ? actual.slice(0, 15) === expected.slice(0, 15) : actual.toLowerCase() === expected.toLowerCase();
  }
  return actual === expected;
}

function randomId(n: number): string {
  const alphabet = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789';
  return [...randomBytes(n)].map((b) => alphabet[b % alphabet.length]).join('');
}

/** A Salesforce-shaped 18-character id with a given key prefix (00Q Lead, 003 Contact, 005 User, 00D org, 04l notification). */
export function salesforceId(prefix: string): string {
  return `${prefix}${randomId(18 - prefix.length)}`;
}

export async function startSalesforceContract(opts: SalesforceContractOptions): Promise<SalesforceContractServer> {
  return new SalesforceContractServer(opts).start();
}
