import { createHash, randomUUID } from 'node:crypto';
import * as grpc from '@grpc/grpc-js';
import avro from 'avsc';
import { pubSubService, type FetchRequest, type FetchResponse, type SchemaInfo, type SchemaRequest } from '../../../src/connectors/salesforce/cdc/pubsub.ts';
import { CHANGE_EVENT_SCHEMAS } from './changeEventSchemas.ts';

/**
 * A Salesforce Pub/Sub API stand-in on 127.0.0.1 (insecure gRPC, port 0), written from the published contract:
 * the same proto (package eventbus.v1, service PubSub), Subscribe and GetSchema.
 *
 * - Every call must carry the session as metadata (accesstoken, instanceurl, tenantid); anything else is refused
 *   with UNAUTHENTICATED and Salesforce's error-code trailer (sfdc.platform.eventbus.grpc.service.auth.error).
 * - Subscribe: the first FetchRequest names the topic and the replay preset (LATEST: only events published from
 *   now; EARLIEST: the oldest retained; CUSTOM: after replay_id, which must be retained, else INVALID_ARGUMENT with
 *   error-code sfdc.platform.eventbus.grpc.subscription.fetch.replayid.corrupted). Later requests may repeat the
 *   topic but not change it. num_requested must be 1..100; the server never sends more events than requested
 *   and not yet sent, and reports what it still owes in pending_num_requested.
 * - Events are Avro binary written with the topic's schema (changeEventSchemas.ts); GetSchema returns that schema's
 *   JSON under its id (a fingerprint). changedFields / nulledFields are bitmaps over the schema's field positions.
 * - Tests can publish changes, drop open streams (UNAVAILABLE, like a lost connection), drop a stream after it
 *   sent N events, and expire old events (retention), and read what every call asked for and got.
 */

export interface ContractSession {
  /** The one access token accepted, unless `verifyToken` decides. */
  accessToken?: string;
  instanceUrl: string;
  tenantId: string;
  /** Asks the org whether a token is a live session (as Pub/Sub API does), e.g. through the REST contract server. */
  verifyToken?: (token: string) => Promise<boolean>;
}

/** A change as Salesforce would publish it. `fields` use REST names (FirstName, Country); compounds are built from them. */
export interface ChangeSpec {
  changeType: 'CREATE' | 'UPDATE' | 'DELETE' | 'UNDELETE' | 'GAP_CREATE' | 'GAP_UPDATE' | 'GAP_DELETE' | 'GAP_UNDELETE' | 'GAP_OVERFLOW';
  recordIds: string[];
  fields?: Record<string, unknown>;
  /** Default for an UPDATE: every field given plus LastModifiedDate. Empty for other change types. */
  changedFields?: string[];
  nulledFields?: string[];
  commitTimestamp?: number;
  changeOrigin?: string;
  /** Default: a fresh UUID. */
  eventId?: string;
}

export interface PublishedEvent {
  topic: string;
  eventId: string;
  replayId: Buffer;
  changeType: string;
  recordIds: string[];
}

export interface SubscribeCall {
  topic: string | null;
  preset: string | null;
  replayId: string | null;
  /** num_requested of every FetchRequest, in order. */
  requested: number[];
  /** How many events the server still owed the client when each FetchRequest arrived. */
  owedAtRequest: number[];
  /** Events per FetchResponse sent (0 = keepalive). */
  sent: number[];
  /** Whether the session metadata was accepted. */
  authorized: boolean;
  status: 'open' | 'ended' | 'refused' | 'dropped' | 'cancelled';
  error: { code: string; errorCode: string | null } | null;
}

interface Stored {
  topic: string;
  seq: bigint;
  eventId: string;
  payload: Buffer;
  changeType: string;
  recordIds: string[];
}

interface Topic {
  schemaId: string;
  schemaJson: string;
  type: avro.types.RecordType;
  events: Stored[];
  /** Every position the server handed out: events' replay ids and keepalives' latest replay ids. */
  positions: Set<bigint>;
  /** The newest position (the tip), or null before the first. */
  tip: bigint | null;
  /** Positions below this are no longer retained. */
  retainedFrom: bigint;
}

interface Stream {
  record: SubscribeCall;
  call: grpc.ServerDuplexStream<FetchRequest, FetchResponse>;
  topic: Topic | null;
  /** Index of the next event to send. */
  next: number;
  owed: number;
  sentTotal: number;
  dropAfter: number | null;
  closed: boolean;
}

export const AUTH_ERROR = 'sfdc.platform.eventbus.grpc.service.auth.error';
export const REPLAY_CORRUPTED = 'sfdc.platform.eventbus.grpc.subscription.fetch.replayid.corrupted';
const MAX_REQUESTED = 100;

function fingerprint(schemaJson: string): string {
  return createHash('md5').update(schemaJson).digest('base64url');
}

function replayIdOf(seq: bigint): Buffer {
  const b = Buffer.alloc(8);
  b.writeBigUInt64BE(seq);
  return b;
}

function recordBranch(type: avro.Type): avro.types.RecordType | null {
  if (type instanceof avro.types.RecordType) return type;
  const branches = (type as unknown as { types?: avro.Type[] }).types;
  return branches?.find((t): t is avro.types.RecordType => t instanceof avro.types.RecordType) ?? null;
}

/** REST's name for a compound's component (BillingAddress.City -> BillingCity, Name.FirstName -> FirstName). */
function restName(parent: string, child: string): string {
  return parent.endsWith('Address') ? `${parent.slice(0, -'Address'.length)}${child}` : child;
}

function hexBitmap(indexes: number[]): string {
  let bits = 0n;
  for (const i of indexes) bits |= 1n << BigInt(i);
  return `0x${bits.toString(16).toUpperCase()}`;
}

/** Field names -> Pub/Sub API bitmap strings: '0x…' for top-level fields, 'P-0x…' for components of compound P. */
function bitmap(type: avro.types.RecordType, names: readonly string[]): string[] {
  const top: number[] = [];
  const nested = new Map<number, number[]>();
  for (const name of names) {
    const i = type.fields.findIndex((f) => f.name === name);
    if (i >= 0) {
      top.push(i);
      continue;
    }
    let found = false;
    type.fields.forEach((f, p) => {
      const rec = recordBranch(f.type);
      const c = rec?.fields.findIndex((x) => restName(f.name, x.name) === name) ?? -1;
      if (rec && c >= 0 && !found) {
        found = true;
        nested.set(p, [...(nested.get(p) ?? []), c]);
      }
    });
    if (!found) throw new Error(`contract server: ${type.name} has no field ${name}`);
  }
  const out = top.length > 0 ? [hexBitmap(top)] : [];
  for (const [p, cs] of [...nested.entries()].sort((a, b) => a[0] - b[0])) out.push(`${p}-${hexBitmap(cs)}`);
  return out;
}

/** The topic's Avro type (a change event schema of changeEventSchemas.ts). */
export function changeEventType(topic: string): avro.types.RecordType {
  const schema = CHANGE_EVENT_SCHEMAS[topic];
  if (!schema) throw new Error(`contract server: no topic ${topic}`);
  return avro.Type.forSchema(schema as avro.Schema) as avro.types.RecordType;
}

/** A change as Avro binary, the way Salesforce writes it: header, compounds built from REST names, bitmaps. */
export function encodeChange(type: avro.types.RecordType, change: ChangeSpec, opts: { commitNumber?: number } = {}): Buffer {
  const entityName = type.name!.replace(/^.*\./, '').replace(/ChangeEvent$/, '');
  const fields = change.fields ?? {};
  const changed = change.changedFields ?? (change.changeType === 'UPDATE' ? [...Object.keys(fields), 'LastModifiedDate'] : []);
  const now = change.commitTimestamp ?? Date.now();
  const value: Record<string, unknown> = {
    ChangeEventHeader: {
      entityName,
      recordIds: change.recordIds,
      changeType: change.changeType,
      changeOrigin: change.changeOrigin ?? 'com/salesforce/api/rest/62.0',
      transactionKey: randomUUID().replace(/-/g, '').slice(0, 20),
      sequenceNumber: 1,
      commitTimestamp: now,
      commitNumber: opts.commitNumber ?? 1_000_007,
      commitUser: '005000000000001AAA',
      nulledFields: bitmap(type, change.nulledFields ?? []),
      diffFields: [],
      changedFields: bitmap(type, changed),
    },
  };
  const used = new Set<string>();
  for (const f of type.fields.slice(1)) {
    const rec = recordBranch(f.type);
    if (rec) {
      const parts = rec.fields.map((c) => [c.name, fields[restName(f.name, c.name)] ?? null] as const);
      for (const c of rec.fields) if (restName(f.name, c.name) in fields) used.add(restName(f.name, c.name));
      value[f.name] = parts.some(([, v]) => v !== null) ? Object.fromEntries(parts) : null;
      continue;
    }
    if (f.name in fields) used.add(f.name);
    value[f.name] = fields[f.name] ?? null;
  }
  if (change.changeType === 'UPDATE' && !('LastModifiedDate' in fields)) value.LastModifiedDate = now;
  const unknown = Object.keys(fields).filter((k) => !used.has(k));
  if (unknown.length > 0) throw new Error(`contract server: ${type.name} has no field(s) ${unknown.join(', ')}`);
  return type.toBuffer(value);
}

export class PubSubContractServer {
  readonly calls: SubscribeCall[] = [];
  readonly schemaRequests: { schemaId: string; authorized: boolean }[] = [];
  readonly published: PublishedEvent[] = [];
  private readonly server = new grpc.Server();
  private readonly topics = new Map<string, Topic>();
  private readonly streams = new Set<Stream>();
  private seq = 41_000n;
  private pendingDrop: number | null = null;
  private keepaliveTimer: NodeJS.Timeout | undefined;
  endpoint = '';

  constructor(readonly session: ContractSession) {
    for (const [name, schema] of Object.entries(CHANGE_EVENT_SCHEMAS)) {
      const schemaJson = JSON.stringify(schema);
      this.topics.set(name, {
        schemaId: fingerprint(schemaJson),
        schemaJson,
        type: avro.Type.forSchema(schema as avro.Schema) as avro.types.RecordType,
        events: [],
        positions: new Set(),
        tip: null,
        retainedFrom: 0n,
      });
    }
  }

  async start(opts: { keepaliveMs?: number } = {}): Promise<this> {
    const { service } = pubSubService();
    this.server.addService(service, {
      Subscribe: (call: grpc.ServerDuplexStream<FetchRequest, FetchResponse>) => void this.subscribe(call),
      GetSchema: (call: grpc.ServerUnaryCall<SchemaRequest, SchemaInfo>, cb: grpc.sendUnaryData<SchemaInfo>) => void this.getSchema(call, cb),
    });
    const port = await new Promise<number>((resolve, reject) => this.server.bindAsync('127.0.0.1:0', grpc.ServerCredentials.createInsecure(), (e, p) => (e ? reject(e) : resolve(p))));
    this.endpoint = `127.0.0.1:${port}`;
    // Salesforce sends an empty FetchResponse (with the latest replay id) within 270 s while it owes events and has none.
    if (opts.keepaliveMs) this.keepaliveTimer = setInterval(() => this.keepalive(), opts.keepaliveMs);
    return this;
  }

  async close(): Promise<void> {
    clearInterval(this.keepaliveTimer);
    for (const s of this.streams) this.fail(s, grpc.status.UNAVAILABLE, 'server shutting down', null, 'dropped');
    await new Promise<void>((resolve) => this.server.tryShutdown(() => resolve()));
  }

  schemaIdOf(topic: string): string {
    return this.topic(topic).schemaId;
  }

  /** Publishes a change on a topic; open subscriptions that are owed events get it at once. */
  publish(topic: string, change: ChangeSpec): PublishedEvent {
    const t = this.topic(topic);
    const payload = encodeChange(t.type, change, { commitNumber: Number(this.seq) * 1000 + 7 });
    this.seq += 1n + BigInt(Math.floor(Math.random() * 3));
    const stored: Stored = { topic, seq: this.seq, eventId: change.eventId ?? randomUUID(), payload, changeType: change.changeType, recordIds: change.recordIds };
    t.events.push(stored);
    t.positions.add(this.seq);
    t.tip = this.seq;
    const out = { topic, eventId: stored.eventId, replayId: replayIdOf(stored.seq), changeType: change.changeType, recordIds: change.recordIds };
    this.published.push(out);
    for (const s of this.streams) if (s.topic === t) this.pump(s);
    return out;
  }

  /** Ends every open Subscribe with UNAVAILABLE, as a lost connection would. */
  dropStreams(): number {
    let n = 0;
    for (const s of this.streams) {
      this.fail(s, grpc.status.UNAVAILABLE, 'the connection was reset (RST_STREAM)', null, 'dropped');
      n++;
    }
    return n;
  }

  /** The open Subscribe streams (or, when none is open, the next one) drop after sending `n` more events. */
  dropAfter(n: number): void {
    if (this.streams.size === 0) this.pendingDrop = n;
    for (const s of this.streams) s.dropAfter = s.sentTotal + n;
  }

  /** Retention: positions before `replayId` (exclusive) are no longer kept. */
  expireBefore(topic: string, replayId: Buffer): void {
    const t = this.topic(topic);
    const seq = replayId.readBigUInt64BE(0);
    if (seq > t.retainedFrom) t.retainedFrom = seq;
  }

  /**
   * The topic's position moves on without an event for this org (the event bus is shared by many orgs), so the
   * next keepalive's latest replay id is past the last event the subscriber got. Returns the new position.
   */
  advanceTip(topic: string): Buffer {
    const t = this.topic(topic);
    this.seq += 1n + BigInt(Math.floor(Math.random() * 3));
    t.positions.add(this.seq);
    t.tip = this.seq;
    return replayIdOf(this.seq);
  }

  /** Sends the keepalive now: an empty FetchResponse with the latest replay id to every stream owed events it has not got. */
  keepaliveNow(): number {
    return this.keepalive();
  }

  private topic(name: string): Topic {
    const t = this.topics.get(name);
    if (!t) throw new Error(`contract server: no topic ${name}`);
    return t;
  }

  private rpcId(): string {
    return randomUUID();
  }

  private async authorized(md: grpc.Metadata): Promise<boolean> {
    const one = (k: string) => md.get(k)[0]?.toString();
    const token = one('accesstoken');
    if (!token || one('instanceurl') !== this.session.instanceUrl || one('tenantid') !== this.session.tenantId) return false;
    if (this.session.verifyToken) return this.session.verifyToken(token).catch(() => false);
    return token === this.session.accessToken;
  }

  private errorStatus(code: grpc.status, details: string, errorCode: string | null): grpc.StatusObject {
    const rpcId = this.rpcId();
    const metadata = new grpc.Metadata();
    if (errorCode) metadata.set('error-code', errorCode);
    metadata.set('rpc-id', rpcId);
    return { code, details: `${details} rpcId: ${rpcId}`, metadata };
  }

  private async getSchema(call: grpc.ServerUnaryCall<SchemaRequest, SchemaInfo>, cb: grpc.sendUnaryData<SchemaInfo>): Promise<void> {
    const ok = await this.authorized(call.metadata);
    this.schemaRequests.push({ schemaId: call.request.schema_id, authorized: ok });
    if (!ok) return cb(this.errorStatus(grpc.status.UNAUTHENTICATED, 'authentication failed: the accesstoken, instanceurl and tenantid headers do not name a valid session.', AUTH_ERROR));
    const t = [...this.topics.values()].find((x) => x.schemaId === call.request.schema_id);
    if (!t) return cb(this.errorStatus(grpc.status.NOT_FOUND, `no schema with id ${call.request.schema_id}.`, null));
    cb(null, { schema_json: t.schemaJson, schema_id: t.schemaId, rpc_id: this.rpcId() });
  }

  private async subscribe(call: grpc.ServerDuplexStream<FetchRequest, FetchResponse>): Promise<void> {
    const record: SubscribeCall = { topic: null, preset: null, replayId: null, requested: [], owedAtRequest: [], sent: [], authorized: false, status: 'open', error: null };
    this.calls.push(record);
    const s: Stream = { record, call, topic: null, next: 0, owed: 0, sentTotal: 0, dropAfter: null, closed: false };
    // Requests that arrive while the session is checked are taken after it, in order.
    const early: FetchRequest[] = [];
    let checked = false;
    call.on('data', (req: FetchRequest) => (checked ? this.onRequest(s, req) : early.push(req)));
    record.authorized = await this.authorized(call.metadata);
    if (!record.authorized) {
      return this.fail(s, grpc.status.UNAUTHENTICATED, 'authentication failed: the accesstoken, instanceurl and tenantid headers do not name a valid session.', AUTH_ERROR, 'refused');
    }
    this.streams.add(s);
    if (this.pendingDrop !== null) {
      s.dropAfter = this.pendingDrop;
      this.pendingDrop = null;
    }
    checked = true;
    for (const req of early) this.onRequest(s, req);
    call.on('cancelled', () => this.close_(s, 'cancelled'));
    call.on('end', () => {
      if (!s.closed) {
        this.close_(s, 'ended');
        call.end();
      }
    });
    call.on('error', () => this.close_(s, 'cancelled'));
  }

  private onRequest(s: Stream, req: FetchRequest): void {
    if (s.closed) return;
    s.record.requested.push(req.num_requested ?? 0);
    s.record.owedAtRequest.push(s.owed);
    if (!s.topic) {
      const t = req.topic_name ? this.topics.get(req.topic_name) : undefined;
      s.record.topic = req.topic_name ?? null;
      s.record.preset = req.replay_preset ?? 'LATEST';
      s.record.replayId = req.replay_id && req.replay_id.length > 0 ? req.replay_id.toString('hex') : null;
      if (!t) return this.fail(s, grpc.status.NOT_FOUND, `topic ${req.topic_name || '(none)'} does not exist or is not available to this user.`, null, 'refused');
      s.topic = t;
      const preset = req.replay_preset ?? 'LATEST';
      const after = (seq: bigint) => {
        const i = t.events.findIndex((e) => e.seq > seq);
        return i === -1 ? t.events.length : i;
      };
      if (preset === 'LATEST') s.next = t.events.length;
      else if (preset === 'EARLIEST') s.next = after(t.retainedFrom - 1n);
      else {
        const seq = req.replay_id && req.replay_id.length === 8 ? req.replay_id.readBigUInt64BE(0) : null;
        if (seq === null || !t.positions.has(seq) || seq < t.retainedFrom)
          return this.fail(s, grpc.status.INVALID_ARGUMENT, 'the replay id is not valid or no longer retained.', REPLAY_CORRUPTED, 'refused');
        s.next = after(seq);
      }
    } else if (req.topic_name && req.topic_name !== s.record.topic) {
      return this.fail(s, grpc.status.INVALID_ARGUMENT, `a stream subscribes to one topic: ${req.topic_name} differs from ${s.record.topic}.`, null, 'refused');
    }
    const n = req.num_requested ?? 0;
    if (!Number.isInteger(n) || n < 1 || n > MAX_REQUESTED) {
      return this.fail(s, grpc.status.INVALID_ARGUMENT, `num_requested must be between 1 and ${MAX_REQUESTED}, got ${n}.`, null, 'refused');
    }
    s.owed += n;
    this.pump(s);
  }

  private pump(s: Stream): void {
    const t = s.topic;
    if (!t || s.closed) return;
    while (s.owed > 0 && s.next < t.events.length) {
      let n = Math.min(s.owed, t.events.length - s.next);
      if (s.dropAfter !== null) n = Math.min(n, s.dropAfter - s.sentTotal);
      if (n <= 0) break;
      const batch = t.events.slice(s.next, s.next + n);
      s.next += n;
      s.owed -= n;
      s.sentTotal += n;
      s.record.sent.push(n);
      s.call.write({
        events: batch.map((e) => ({ event: { id: e.eventId, schema_id: t.schemaId, payload: e.payload }, replay_id: replayIdOf(e.seq) })),
        latest_replay_id: replayIdOf(batch[batch.length - 1]!.seq),
        rpc_id: this.rpcId(),
        pending_num_requested: s.owed,
      });
    }
    if (s.dropAfter !== null && s.sentTotal >= s.dropAfter) {
      // Let the written responses reach the client before the reset.
      setTimeout(() => this.fail(s, grpc.status.UNAVAILABLE, 'the connection was reset (RST_STREAM)', null, 'dropped'), 20);
    }
  }

  private keepalive(): number {
    let n = 0;
    for (const s of this.streams) {
      const t = s.topic;
      if (!t || s.closed || s.owed === 0 || s.next < t.events.length) continue;
      s.record.sent.push(0);
      s.call.write({ events: [], latest_replay_id: t.tip === null ? Buffer.alloc(0) : replayIdOf(t.tip), rpc_id: this.rpcId(), pending_num_requested: s.owed });
      n++;
    }
    return n;
  }

  private fail(s: Stream, code: grpc.status, details: string, errorCode: string | null, status: SubscribeCall['status']): void {
    if (s.closed) return;
    s.record.error = { code: grpc.status[code]!, errorCode };
    this.close_(s, status);
    s.call.emit('error', this.errorStatus(code, details, errorCode));
  }

  private close_(s: Stream, status: SubscribeCall['status']): void {
    if (s.closed) return;
    s.closed = true;
    s.record.status = status;
    this.streams.delete(s);
  }
}

export async function startPubSubContract(session: ContractSession, opts: { keepaliveMs?: number } = {}): Promise<PubSubContractServer> {
  return new PubSubContractServer(session).start(opts);
}
