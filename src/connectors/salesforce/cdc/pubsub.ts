import { fileURLToPath } from 'node:url';
import * as grpc from '@grpc/grpc-js';
import * as protoLoader from '@grpc/proto-loader';

/**
 * Salesforce's Pub/Sub API (gRPC) as this connector uses it: the proto beside this file (our own minimal copy of the
 * published contract), loaded with @grpc/proto-loader, and the typed shapes of the messages.
 */

export const PUBSUB_PROTO = fileURLToPath(new URL('./pubsub.proto', import.meta.url));

export type ReplayPreset = 'LATEST' | 'EARLIEST' | 'CUSTOM';

export interface FetchRequest {
  topic_name?: string;
  replay_preset?: ReplayPreset;
  replay_id?: Buffer;
  num_requested?: number;
  auth_refresh?: string;
}

export interface ProducerEvent {
  id: string;
  schema_id: string;
  payload: Buffer;
}

export interface ConsumerEvent {
  event: ProducerEvent | null;
  replay_id: Buffer;
}

export interface FetchResponse {
  events: ConsumerEvent[];
  latest_replay_id: Buffer;
  rpc_id: string;
  pending_num_requested: number;
}

export interface SchemaRequest {
  schema_id: string;
}

export interface SchemaInfo {
  schema_json: string;
  schema_id: string;
  rpc_id: string;
}

/** The session every call carries as metadata (Salesforce's names: accesstoken, instanceurl, tenantid). */
export interface PubSubSession {
  accessToken: string;
  /** The org's My Domain URL, e.g. https://acme.my.salesforce.com */
  instanceUrl: string;
  /** The org id (00D...). */
  tenantId: string;
}

/**
 * Where the session comes from (src/connectors/salesforce/oauth.ts, or a test). Called before every (re)connect;
 * `expired` is set after Salesforce refused the last token, so a cached one is replaced instead of sent again.
 */
export type SessionProvider = (opts?: { expired?: boolean }) => Promise<PubSubSession>;

/** Salesforce's trailer with its own error code (e.g. sfdc.platform.eventbus.grpc.subscription.fetch.replayid.corrupted). */
export const ERROR_CODE_TRAILER = 'error-code';
export const AUTH_ERROR_CODE = 'sfdc.platform.eventbus.grpc.service.auth.error';
export const CORRUPTED_REPLAY_ID = 'sfdc.platform.eventbus.grpc.subscription.fetch.replayid.corrupted';

// Fields keep the proto's snake_case; enums are their names; bytes are Buffers; absent fields get their defaults,
// so a keepalive's empty `events` is an empty array.
const LOADER_OPTIONS: protoLoader.Options = { keepCase: true, longs: String, enums: String, bytes: Buffer, defaults: true, oneofs: true };

let loaded: { service: grpc.ServiceDefinition; Client: grpc.ServiceClientConstructor } | undefined;

/** The PubSub service definition (for a server) and client constructor, loaded once per process. */
export function pubSubService(): { service: grpc.ServiceDefinition; Client: grpc.ServiceClientConstructor } {
  if (loaded) return loaded;
  const definition = protoLoader.loadSync(PUBSUB_PROTO, LOADER_OPTIONS);
  const pkg = grpc.loadPackageDefinition(definition) as unknown as { eventbus: { v1: { PubSub: grpc.ServiceClientConstructor } } };
  const Client = pkg.eventbus.v1.PubSub;
  loaded = { service: Client.service, Client };
  return loaded;
}

export function sessionMetadata(s: PubSubSession): grpc.Metadata {
  const md = new grpc.Metadata();
  md.set('accesstoken', s.accessToken);
  md.set('instanceurl', s.instanceUrl);
  md.set('tenantid', s.tenantId);
  return md;
}

export interface PubSubClient {
  subscribe(session: PubSubSession): grpc.ClientDuplexStream<FetchRequest, FetchResponse>;
  getSchema(session: PubSubSession, schemaId: string, timeoutMs?: number): Promise<SchemaInfo>;
  close(): void;
}

/**
 * A client for `endpoint` (host:port; Salesforce's is api.pubsub.salesforce.com:7443). TLS unless `insecure`,
 * which only a local contract server may use.
 */
export function createPubSubClient(endpoint: string, opts: { insecure?: boolean } = {}): PubSubClient {
  const { Client } = pubSubService();
  const credentials = opts.insecure ? grpc.credentials.createInsecure() : grpc.credentials.createSsl();
  // Long-lived streams: keepalive pings find a dead connection even when the server sends nothing for minutes.
  const client = new Client(endpoint, credentials, { 'grpc.keepalive_time_ms': 60_000, 'grpc.keepalive_timeout_ms': 20_000 }) as unknown as grpc.Client & {
    Subscribe(md: grpc.Metadata): grpc.ClientDuplexStream<FetchRequest, FetchResponse>;
    GetSchema(req: SchemaRequest, md: grpc.Metadata, opts: grpc.CallOptions, cb: (err: grpc.ServiceError | null, res?: SchemaInfo) => void): grpc.ClientUnaryCall;
  };
  return {
    subscribe: (session) => client.Subscribe(sessionMetadata(session)),
    getSchema: (session, schemaId, timeoutMs = 30_000) =>
      new Promise((resolve, reject) => {
        client.GetSchema({ schema_id: schemaId }, sessionMetadata(session), { deadline: Date.now() + timeoutMs }, (err, res) => (err ? reject(err) : resolve(res!)));
      }),
    close: () => client.close(),
  };
}

/** A gRPC error as Salesforce sends it: status, its error-code trailer and the rpcId it appends to the message. */
export interface PubSubError {
  code: grpc.status;
  codeName: string;
  errorCode: string | null;
  message: string;
}

export function describeGrpcError(e: unknown): PubSubError {
  const err = e as Partial<grpc.ServiceError>;
  const code = typeof err.code === 'number' ? err.code : grpc.status.UNKNOWN;
  const trailer = err.metadata?.get(ERROR_CODE_TRAILER)[0];
  return {
    code,
    codeName: grpc.status[code] ?? String(code),
    errorCode: trailer === undefined ? null : String(trailer),
    message: err.details || err.message || String(e),
  };
}
