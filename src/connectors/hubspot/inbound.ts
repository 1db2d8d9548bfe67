import type { FlywheelConfig, HubSpotConfig } from '../../config/types.ts';
import type { EventSink } from '../../ingest/temporalSink.ts';
import type { Ledger } from '../../ledger/types.ts';
import { createHubSpotReader, type HubSpotReader } from './reader.ts';
import type { SignatureVersion } from './signature.ts';

export const DEFAULT_CLIENT_SECRET_ENV = 'HUBSPOT_CLIENT_SECRET';
export const DEFAULT_HUBSPOT_ACCESS_TOKEN_ENV = 'HUBSPOT_ACCESS_TOKEN';
export const DEFAULT_HUBSPOT_TOLERANCE_SECONDS = 300;

/** What POST /v1/connectors/hubspot/webhook needs (src/server/routes/connectors/hubspot.ts). */
export interface HubSpotInboundOptions {
  config: FlywheelConfig;
  hubspot: HubSpotConfig;
  /** The app's client secret (signatures); unset: every webhook is answered 503 naming the variable. */
  clientSecret?: string;
  clientSecretEnv: string;
  /** CRM reads; unset when the access token's variable is empty (webhooks are answered 503 naming it). */
  reader?: HubSpotReader;
  accessTokenEnv: string;
  versions: SignatureVersion[];
  toleranceSeconds: number;
  sink: EventSink;
  ledger: Ledger;
  /** The clock signatures are checked against (tests). */
  now?: () => number;
}

/**
 * The inbound options from `connections.hubspot` and the environment variables it names, or undefined when HubSpot
 * is not configured. Secrets are read here and nowhere else, and never logged.
 */
export function hubspotInbound(config: FlywheelConfig, deps: { sink: EventSink; ledger: Ledger; reader?: HubSpotReader }, env: NodeJS.ProcessEnv = process.env): HubSpotInboundOptions | undefined {
  const hubspot = config.connections?.hubspot;
  if (!hubspot) return undefined;
  const clientSecretEnv = hubspot.clientSecretEnv ?? DEFAULT_CLIENT_SECRET_ENV;
  const accessTokenEnv = hubspot.accessTokenEnv ?? DEFAULT_HUBSPOT_ACCESS_TOKEN_ENV;
  const token = env[accessTokenEnv];
  return {
    config,
    hubspot,
    clientSecret: env[clientSecretEnv] || undefined,
    clientSecretEnv,
    reader: deps.reader ?? (token ? createHubSpotReader({ accessToken: token, baseUrl: hubspot.baseUrl }) : undefined),
    accessTokenEnv,
    versions: hubspot.signatureVersions ?? ['v3'],
    toleranceSeconds: hubspot.toleranceSeconds ?? DEFAULT_HUBSPOT_TOLERANCE_SECONDS,
    sink: deps.sink,
    ledger: deps.ledger,
  };
}

/** Startup warnings for a configured but unusable connector: variable names only, never values. */
export function hubspotInboundWarnings(opts: HubSpotInboundOptions | undefined): string[] {
  if (!opts) return [];
  const out: string[] = [];
  if (!opts.clientSecret) out.push(`${opts.clientSecretEnv} is not set: HubSpot webhooks are answered 503 until it is (HubSpot delivers them again)`);
  if (!opts.reader) out.push(`${opts.accessTokenEnv} is not set: HubSpot webhooks cannot read records and are answered 503 until it is`);
  return out;
}
