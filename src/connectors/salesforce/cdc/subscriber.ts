import * as grpc from '@grpc/grpc-js';
import type avro from 'avsc';
import type { FlywheelConfig } from '../../../config/types.ts';
import type { CrmEvent } from '../../../events/catalog.ts';
import { validateEvent } from '../../../events/validate.ts';
import type { DeliveredEvent } from '../../deliver.ts';
import { avroType, decodeChangeEvent } from './avro.ts';
import { baseEventId, changeToEvents, type OpportunityLookup } from './changeEvents.ts';
import {
  AUTH_ERROR_CODE,
  CORRUPTED_REPLAY_ID,
  describeGrpcError,
  type FetchRequest,
  type FetchResponse,
  type PubSubClient,
  type PubSubError,
  type PubSubSession,
  type ReplayPreset,
  type SessionProvider,
} from './pubsub.ts';
import type { IgnoredRow, ReplayStore } from './replayStore.ts';

/**
 * A long-running Change Data Capture subscriber: one Subscribe stream per topic, pulled in flow-controlled batches
 * (it asks for `batchSize` events, takes them, and asks again only once all were delivered, so it never holds more
 * than one batch). Each batch goes through the shared delivery path (validation, Temporal, receipts); only after
 * Temporal has it is the batch's last replay id stored, so a restart resumes right after what was delivered, and
 * what a crash makes Salesforce send again is applied once (the CloudEvent id is the event's UUID).
 *
 * Where it starts: after the stored replay id (CUSTOM); on first start at `startFrom` (LATEST by default: only
 * changes made from now on; EARLIEST reads what Salesforce still keeps, up to 72 hours). A stored replay id that
 * Salesforce no longer keeps is a gap: recorded in the ledger and the log, and the stream restarts at LATEST.
 * Stream errors reconnect with exponential backoff; a refused token is reported on every attempt and retried with a
 * fresh one; nothing is stored for events that were not delivered.
 */

export type CdcLogger = { info(msg: string): void; warn(msg: string): void; error(msg: string): void };

export interface CdcSubscriberOptions {
  client: PubSubClient;
  session: SessionProvider;
  config: FlywheelConfig;
  /** CloudEvent source: salesforce://org/<org id>. */
  source: string;
  topics: readonly string[];
  store: ReplayStore;
  /** The shared delivery path (deliverCrmEvents bound to the sink and ledger). Resolves only once Temporal has the events. */
  deliver: (events: CrmEvent[]) => Promise<DeliveredEvent[]>;
  lookupOpportunity?: OpportunityLookup;
  /** Where a topic without a stored replay id starts (default LATEST). */
  startFrom?: 'LATEST' | 'EARLIEST';
  /** num_requested per FetchRequest, 1..100 (Salesforce's maximum; default 100). */
  batchSize?: number;
  backoff?: { initialMs?: number; maxMs?: number };
  log?: CdcLogger;
}

export type TopicState = 'starting' | 'subscribing' | 'streaming' | 'retrying' | 'stopped';
export type FailureKind = 'auth' | 'stream' | 'delivery' | 'replay-reset' | 'schema';

export interface TopicStatus {
  topic: string;
  state: TopicState;
  /** The replay id (hex) stored last, or found stored at start. */
  position: string | null;
  delivered: number;
  ignored: number;
  /** Streams opened after the first (reconnects). */
  reconnects: number;
  lastError: { at: string; kind: FailureKind; code: string; errorCode: string | null; message: string } | null;
}

/** GetSchema answers, cached by schema id (a topic's schema changes rarely; every event names the one it was written with). */
class SchemaCache {
  private readonly types = new Map<string, Promise<avro.Type>>();
  constructor(private readonly client: PubSubClient) {}
  get(session: PubSubSession, schemaId: string): Promise<avro.Type> {
    let t = this.types.get(schemaId);
    if (!t) {
      t = this.client.getSchema(session, schemaId).then((info) => avroType(info.schema_json));
      // A failed fetch is not cached: the next event asks again.
      t.catch(() => this.types.delete(schemaId));
      this.types.set(schemaId, t);
    }
    return t;
  }
}

/** A batch could not be delivered or stored; the stream is cancelled and resumed from the stored replay id. */
class BatchFailed extends Error {
  constructor(
    readonly kind: FailureKind,
    message: string,
    options: { cause: unknown },
  ) {
    super(message, options);
  }
}

const stderrLog: CdcLogger = {
  info: (m) => process.stderr.write(`${m}\n`),
  warn: (m) => process.stderr.write(`warning: ${m}\n`),
  error: (m) => process.stderr.write(`error: ${m}\n`),
};

export class CdcSubscriber {
  private readonly statuses = new Map<string, TopicStatus>();
  private readonly calls = new Set<grpc.ClientDuplexStream<FetchRequest, FetchResponse>>();
  private readonly wakers = new Set<() => void>();
  private readonly schemas: SchemaCache;
  private readonly log: CdcLogger;
  private readonly batchSize: number;
  private loops: Promise<void>[] = [];
  private stopped = false;

  constructor(private readonly opts: CdcSubscriberOptions) {
    this.schemas = new SchemaCache(opts.client);
    this.log = opts.log ?? stderrLog;
    this.batchSize = Math.min(100, Math.max(1, Math.trunc(opts.batchSize ?? 100)));
    for (const topic of opts.topics) {
      this.statuses.set(topic, { topic, state: 'starting', position: null, delivered: 0, ignored: 0, reconnects: 0, lastError: null });
    }
  }

  start(): void {
    if (this.loops.length > 0 || this.stopped) return;
    this.loops = this.opts.topics.map((topic) => this.runTopic(topic));
  }

  /** Stops every stream; a batch being delivered is finished and stored first. */
  async stop(): Promise<void> {
    this.stopped = true;
    for (const call of this.calls) call.cancel();
    for (const wake of this.wakers) wake();
    await Promise.all(this.loops);
    for (const s of this.statuses.values()) s.state = 'stopped';
  }

  status(): TopicStatus[] {
    return [...this.statuses.values()].map((s) => ({ ...s, lastError: s.lastError && { ...s.lastError } }));
  }

  private async runTopic(topic: string): Promise<void> {
    const st = this.statuses.get(topic)!;
    const { initialMs = 1_000, maxMs = 60_000 } = this.opts.backoff ?? {};
    let failures = 0;
    let opened = 0;
    // After a gap the stream restarts at the tip, whatever startFrom says, until a new position is stored.
    let afterGap = false;
    let expired = false;
    while (!this.stopped) {
      let preset: ReplayPreset = this.opts.startFrom ?? 'LATEST';
      let replayId: Buffer | undefined;
      let storedAt: Date | null = null;
      let outcome: { progressed: boolean; error: unknown };
      try {
        const stored = await this.opts.store.get(topic).catch((e: unknown) => {
          throw new BatchFailed('delivery', `the stored replay id could not be read from the ledger: ${(e as Error).message}`, { cause: e });
        });
        if (stored) {
          preset = 'CUSTOM';
          replayId = stored.replayId;
          storedAt = stored.updatedAt;
          st.position = stored.replayId.toString('hex');
          afterGap = false;
        } else if (afterGap) preset = 'LATEST';
        let session: PubSubSession;
        try {
          session = await this.opts.session({ expired });
        } catch (e) {
          throw new BatchFailed('auth', `no Salesforce session: ${(e as Error).message}`, { cause: e });
        }
        if (this.stopped) break;
        if (opened++ > 0) st.reconnects++;
        st.state = 'subscribing';
        outcome = await this.stream(topic, st, session, preset, replayId);
      } catch (e) {
        outcome = { progressed: false, error: e };
      }
      if (this.stopped) break;
      const error = outcome.error;
      if (outcome.progressed) failures = 0;
      if (error === undefined) {
        // The server ended the stream without an error: open a new one (at once after progress, else backing off).
        this.log.warn(`salesforce-cdc ${topic}: the server ended the stream; resubscribing after replay id ${st.position ?? '(none stored)'}`);
        if (!outcome.progressed) await this.sleep(Math.min(maxMs, initialMs * 2 ** Math.min(failures++, 20)));
        continue;
      }
      const failure = this.classify(error, preset);
      expired = failure.kind === 'auth';
      st.lastError = { at: new Date().toISOString(), ...failure };
      if (failure.kind === 'replay-reset' && replayId) {
        const hex = replayId.toString('hex');
        const reason =
          `Salesforce no longer keeps replay id ${hex} (${failure.errorCode ?? failure.code}): changes after it that were not read are lost to this subscriber; ` +
          `resubscribed at LATEST. A full re-read of records changed since ${storedAt?.toISOString() ?? 'the last stored position'} is needed to close the gap`;
        try {
          await this.opts.store.reset(topic, { kind: 'replay-reset', position: hex, eventId: null, recordId: null, entity: null, changeType: null, reason, occurredAt: null });
          this.log.error(`salesforce-cdc ${topic}: ${reason}`);
          st.position = null;
          st.ignored++;
          afterGap = true;
          continue;
        } catch (e) {
          this.log.error(`salesforce-cdc ${topic}: could not record the lost replay id in the ledger (${(e as Error).message}); retrying`);
        }
      }
      failures++;
      const wait = Math.min(maxMs, initialMs * 2 ** Math.min(failures - 1, 20));
      const jittered = Math.round(wait * (0.8 + Math.random() * 0.4));
      st.state = 'retrying';
      const what =
        failure.kind === 'auth'
          ? 'Salesforce refused the session (check the connected app and its credentials in the environment)'
          : failure.kind === 'delivery'
            ? 'events could not be delivered or their replay id not stored'
            : failure.kind === 'schema'
              ? 'the schema of an event could not be fetched'
              : 'the stream failed';
      this.log.error(
        `salesforce-cdc ${topic}: ${what}: ${failure.code}${failure.errorCode ? ` ${failure.errorCode}` : ''}: ${failure.message}; nothing after replay id ${st.position ?? '(none stored)'} is stored; retrying in ${(jittered / 1000).toFixed(1)} s`,
      );
      await this.sleep(jittered);
    }
    st.state = 'stopped';
  }

  private classify(error: unknown, preset: ReplayPreset): { kind: FailureKind; code: string; errorCode: string | null; message: string } {
    if (error instanceof BatchFailed) {
      const g = error.cause && typeof (error.cause as { code?: unknown }).code === 'number' ? describeGrpcError(error.cause) : null;
      const kind = g && (g.code === grpc.status.UNAUTHENTICATED || g.errorCode === AUTH_ERROR_CODE) ? 'auth' : error.kind;
      return { kind, code: g?.codeName ?? error.kind, errorCode: g?.errorCode ?? null, message: error.message };
    }
    const g: PubSubError = describeGrpcError(error);
    if (g.code === grpc.status.UNAUTHENTICATED || g.errorCode === AUTH_ERROR_CODE) return { kind: 'auth', code: g.codeName, errorCode: g.errorCode, message: g.message };
    const corrupted = g.errorCode === CORRUPTED_REPLAY_ID || (g.code === grpc.status.INVALID_ARGUMENT && /replay/i.test(g.message));
    if (preset === 'CUSTOM' && corrupted) return { kind: 'replay-reset', code: g.codeName, errorCode: g.errorCode, message: g.message };
    return { kind: 'stream', code: g.codeName, errorCode: g.errorCode, message: g.message };
  }

  private sleep(ms: number): Promise<void> {
    return new Promise((resolve) => {
      const done = () => {
        clearTimeout(timer);
        this.wakers.delete(done);
        resolve();
      };
      const timer = setTimeout(done, ms);
      this.wakers.add(done);
    });
  }

  /**
   * One Subscribe stream until it ends. Responses are taken strictly in order; the next batch is requested only
   * when the server owes nothing more and everything received was delivered and stored. Resolves once the call
   * ended and the batch in hand is finished.
   */
  private stream(topic: string, st: TopicStatus, session: PubSubSession, preset: ReplayPreset, replayId: Buffer | undefined): Promise<{ progressed: boolean; error: unknown }> {
    return new Promise((resolve) => {
      const call = this.opts.client.subscribe(session);
      this.calls.add(call);
      let chain: Promise<void> = Promise.resolve();
      let owed = 0;
      let progressed = false;
      let failed: unknown;
      let ended = false;
      let streamError: unknown;

      const request = (first: boolean) => {
        if (ended || failed !== undefined || this.stopped) return;
        const req: FetchRequest = { topic_name: topic, num_requested: this.batchSize };
        if (first) {
          req.replay_preset = preset;
          if (preset === 'CUSTOM' && replayId) req.replay_id = replayId;
        }
        owed += this.batchSize;
        call.write(req);
      };

      const finish = () => {
        chain.then(() => {
          this.calls.delete(call);
          resolve({ progressed, error: failed ?? streamError });
        });
      };

      call.on('data', (resp: FetchResponse) => {
        owed = Math.max(0, resp.pending_num_requested ?? owed - resp.events.length);
        st.state = 'streaming';
        chain = chain.then(async () => {
          if (failed !== undefined) return;
          try {
            await this.take(topic, st, session, resp);
            progressed = true;
            if (owed === 0) request(false);
          } catch (e) {
            failed = e;
            call.cancel();
          }
        });
      });
      call.on('error', (e: grpc.ServiceError) => {
        ended = true;
        // Our own cancel (stop, or a failed batch) is not the server's error.
        if (e.code !== grpc.status.CANCELLED || (!this.stopped && failed === undefined)) streamError = e;
        finish();
      });
      call.on('end', () => {
        if (ended) return;
        ended = true;
        finish();
      });
      request(true);
    });
  }

  /** Delivers one FetchResponse's events and stores its last replay id. Throws BatchFailed; stores nothing then. */
  private async take(topic: string, st: TopicStatus, session: PubSubSession, resp: FetchResponse): Promise<void> {
    const store = this.opts.store;
    if (resp.events.length === 0) {
      // A keepalive: everything before this position was taken already (responses are handled in order), so its
      // latest replay id is a safe place to resume; saving it keeps a quiet topic's position within retention.
      const latest = resp.latest_replay_id;
      if (latest && latest.length > 0 && latest.toString('hex') !== st.position) {
        await this.saving(() => store.save(topic, latest, null, []));
        st.position = latest.toString('hex');
      }
      return;
    }
    const events: CrmEvent[] = [];
    const ignored: IgnoredRow[] = [];
    for (const ce of resp.events) {
      const position = ce.replay_id.toString('hex');
      const ev = ce.event;
      const ctx = { config: this.opts.config, source: this.opts.source, topic, position, eventId: ev?.id ?? '', lookupOpportunity: this.opts.lookupOpportunity };
      const eventId = baseEventId(ctx);
      if (!ev) {
        ignored.push({ kind: 'rejected', position, eventId, recordId: null, entity: null, changeType: null, reason: 'the server sent an event without content', occurredAt: null });
        continue;
      }
      let type: avro.Type;
      try {
        type = await this.schemas.get(session, ev.schema_id);
      } catch (e) {
        throw new BatchFailed('schema', `GetSchema ${ev.schema_id} failed: ${describeGrpcError(e).message}`, { cause: e });
      }
      let decoded;
      try {
        decoded = decodeChangeEvent(type, ev.payload);
      } catch (e) {
        ignored.push({
          kind: 'rejected',
          position,
          eventId,
          recordId: null,
          entity: null,
          changeType: null,
          reason: `the payload does not decode with schema ${ev.schema_id}: ${(e as Error).message}`,
          occurredAt: null,
        });
        continue;
      }
      let out;
      try {
        out = await changeToEvents(decoded, ctx);
      } catch (e) {
        // Reading the Opportunity failed: a CRM outage, retried with the batch.
        throw new BatchFailed('delivery', `reading ${decoded.header.entityName} ${decoded.header.recordIds.join(', ')} failed: ${(e as Error).message}`, { cause: e });
      }
      ignored.push(...out.ignored);
      const occurredAt = decoded.header.commitTimestamp ? new Date(decoded.header.commitTimestamp).toISOString() : null;
      for (const e of out.events) {
        const errors = validateEvent(e);
        const crm = (e.data as { crm?: { id?: string } }).crm;
        const base = { position, eventId: e.id, recordId: crm?.id ?? null, entity: decoded.header.entityName, changeType: decoded.header.changeType, occurredAt };
        if (errors.length > 0) {
          // A mapping bug must not stop the stream (Salesforce would send the same event forever): recorded, named, skipped.
          ignored.push({ ...base, kind: 'rejected', reason: `the ${e.type} built from it is not a valid Flywheel event: ${errors.map((x) => `${x.pointer} ${x.detail}`).join('; ')}` });
          continue;
        }
        events.push(e);
      }
    }
    let delivered: DeliveredEvent[];
    try {
      delivered = await this.opts.deliver(events);
    } catch (e) {
      throw new BatchFailed('delivery', `Temporal did not take ${events.length} event(s): ${(e as Error).message}`, { cause: e });
    }
    const last = resp.events[resp.events.length - 1]!;
    await this.saving(() => store.save(topic, last.replay_id, last.event?.id || null, ignored));
    st.position = last.replay_id.toString('hex');
    st.delivered += delivered.length;
    st.ignored += ignored.length;
    const dups = delivered.filter((d) => d.duplicate === true).length;
    for (const row of ignored)
      this.log.warn(`salesforce-cdc ${topic}: ${row.kind} ${row.entity ?? ''} ${row.recordId ?? ''} ${row.changeType ?? ''} (event ${row.eventId ?? '-'}): ${row.reason}`.replace(/ +/g, ' '));
    this.log.info(`salesforce-cdc ${topic}: ${delivered.length} event(s) delivered${dups ? ` (${dups} received before)` : ''}, ${ignored.length} ignored; resume after replay id ${st.position}`);
  }

  private async saving(fn: () => Promise<void>): Promise<void> {
    try {
      await fn();
    } catch (e) {
      throw new BatchFailed('delivery', `the replay id could not be stored in the ledger: ${(e as Error).message}`, { cause: e });
    }
  }
}
