import type { Connection } from 'jsforce';
import type { FlywheelConfig } from '../../../config/types.ts';
import type { EventSink } from '../../../ingest/temporalSink.ts';
import type { Ledger } from '../../../ledger/types.ts';
import { deliverCrmEvents } from '../../deliver.ts';
import { salesforceSource } from '../notificationEvents.ts';
import { SalesforceAuth } from '../oauth.ts';
import { SALESFORCE_DEFAULTS } from '../settings.ts';
import type { OpportunityLookup } from './changeEvents.ts';
import { createPubSubClient, type PubSubClient, type SessionProvider } from './pubsub.ts';
import { ledgerReplayStore, type ReplayStore } from './replayStore.ts';
import { CdcSubscriber, type CdcLogger, type CdcSubscriberOptions } from './subscriber.ts';

/**
 * Builds the Change Data Capture subscriber from `connections.salesforce.changeDataCapture`: the Pub/Sub API client
 * (TLS to api.pubsub.salesforce.com:7443 unless configured otherwise), the session from the connector's OAuth
 * (the same connected app as the write-back), the replay store in the ledger and the shared delivery path.
 */

export const DEFAULT_PUBSUB_ENDPOINT = 'api.pubsub.salesforce.com:7443';
export const DEFAULT_CDC_TOPICS = ['/data/LeadChangeEvent', '/data/OpportunityChangeEvent'];

/** Whether the configuration asks for the subscriber. */
export function cdcEnabled(config: FlywheelConfig): boolean {
  return config.connections?.salesforce?.changeDataCapture?.enabled === true;
}

/** Pub/Sub API sessions from the connector's OAuth token; a refused one is dropped so the next attempt gets a new one. */
export function sessionFromAuth(auth: SalesforceAuth, tenantId: string): SessionProvider {
  let last: string | null = null;
  return async ({ expired } = {}) => {
    if (expired && last) auth.invalidate(last);
    const t = await auth.token();
    last = t.accessToken;
    return { accessToken: t.accessToken, instanceUrl: t.instanceUrl, tenantId };
  };
}

/** The Opportunity's current fields through the REST API (jsforce), null when it was deleted. */
export function opportunityReader(auth: SalesforceAuth, config: FlywheelConfig, timeoutMs = 20_000): OpportunityLookup {
  const version = config.connections?.salesforce?.apiVersion ?? SALESFORCE_DEFAULTS.apiVersion;
  let cached: { token: string; conn: Connection } | null = null;
  const connection = async () => {
    const t = await auth.token();
    if (cached?.token !== t.accessToken) {
      const { Connection } = await import('jsforce');
      cached = { token: t.accessToken, conn: new Connection({ instanceUrl: t.instanceUrl, accessToken: t.accessToken, version }) };
    }
    return cached;
  };
  const read = async (id: string) => {
    const { conn } = await connection();
    // conn.request: one try per call; the subscriber retries the whole batch with its own backoff.
    return conn.request<Record<string, unknown>>({ method: 'GET', url: `/sobjects/Opportunity/${encodeURIComponent(id)}` }, { retry: { maxRetries: 0 }, timeout: timeoutMs });
  };
  return async (id) => {
    try {
      return await read(id);
    } catch (e) {
      const code = (e as { errorCode?: string }).errorCode;
      if (code === 'NOT_FOUND' || code === 'ENTITY_IS_DELETED') return null;
      if (code !== 'INVALID_SESSION_ID' || !cached) throw e;
      auth.invalidate(cached.token);
      return read(id);
    }
  };
}

export interface SalesforceCdcOptions {
  config: FlywheelConfig;
  ledger: Ledger;
  sink: EventSink;
  env?: NodeJS.ProcessEnv;
  log?: CdcLogger;
  /** Replace the OAuth session (tests). */
  session?: SessionProvider;
  /** Replace the REST read of opportunities (tests); null: none. */
  lookupOpportunity?: OpportunityLookup | null;
  client?: PubSubClient;
  /** Replace the ledger-backed replay store (tests). */
  store?: ReplayStore;
  backoff?: CdcSubscriberOptions['backoff'];
}

/** The subscriber for the configured org, not started; null when Change Data Capture is not enabled. */
export function salesforceCdc(opts: SalesforceCdcOptions): { subscriber: CdcSubscriber; stop(): Promise<void> } | null {
  const sf = opts.config.connections?.salesforce;
  const cdc = sf?.changeDataCapture;
  if (!sf || !cdc?.enabled) return null;
  const auth = new SalesforceAuth(sf, { env: opts.env });
  const client = opts.client ?? createPubSubClient(cdc.pubSubEndpoint ?? DEFAULT_PUBSUB_ENDPOINT, { insecure: cdc.insecure });
  const source = salesforceSource(sf.organizationId);
  const log = opts.log;
  const subscriber = new CdcSubscriber({
    client,
    session: opts.session ?? sessionFromAuth(auth, sf.organizationId),
    config: opts.config,
    source,
    topics: cdc.topics ?? DEFAULT_CDC_TOPICS,
    store: opts.store ?? ledgerReplayStore(opts.ledger, source),
    deliver: (events) => deliverCrmEvents({ sink: opts.sink, ledger: opts.ledger, log: log && { error: (_obj, msg) => log.error(`salesforce-cdc: ${msg ?? 'error'}`) } }, events),
    lookupOpportunity: opts.lookupOpportunity === undefined ? opportunityReader(auth, opts.config) : (opts.lookupOpportunity ?? undefined),
    startFrom: cdc.startFrom ?? 'LATEST',
    batchSize: cdc.batchSize ?? 100,
    ...(opts.backoff ? { backoff: opts.backoff } : {}),
    ...(log ? { log } : {}),
  });
  return {
    subscriber,
    async stop() {
      await subscriber.stop();
      if (!opts.client) client.close();
    },
  };
}
