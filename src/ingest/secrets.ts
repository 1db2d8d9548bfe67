import type { FlywheelConfig } from '../config/types.ts';

export const DEFAULT_INGEST_SECRET_ENV = 'FLYWHEEL_INGEST_SECRET';
export const DEFAULT_WEBHOOK_SECRET_ENV = 'FLYWHEEL_WEBHOOK_SECRET';
/** The bearer token that lets `/healthz` show each check's detail (hosts, versions, errors). */
export const HEALTH_TOKEN_ENV = 'FLYWHEEL_HEALTH_TOKEN';
export const DEFAULT_TOLERANCE_SECONDS = 300;

export interface SecretFromEnv {
  /** The variable's name, safe to print; the value never is. */
  env: string;
  /** Unset when the variable is missing or empty: an empty secret would make every signature trivially forgeable. */
  secret?: string;
}

export interface IngestAuth extends SecretFromEnv {
  toleranceSeconds: number;
}

function fromEnv(name: string, env: NodeJS.ProcessEnv): SecretFromEnv {
  const value = env[name];
  return value ? { env: name, secret: value } : { env: name };
}

/** The secret CRMs sign inbound events with (`connections.ingest`). */
export function ingestAuth(config: FlywheelConfig, env: NodeJS.ProcessEnv = process.env): IngestAuth {
  const ingest = config.connections?.ingest;
  return { ...fromEnv(ingest?.secretEnv ?? DEFAULT_INGEST_SECRET_ENV, env), toleranceSeconds: ingest?.toleranceSeconds ?? DEFAULT_TOLERANCE_SECONDS };
}

/** The secret Flywheel signs outbound CRM webhooks with (`connections.crmWebhook`). */
export function webhookSecret(config: FlywheelConfig, env: NodeJS.ProcessEnv = process.env): SecretFromEnv {
  return fromEnv(config.connections?.crmWebhook?.secretEnv ?? DEFAULT_WEBHOOK_SECRET_ENV, env);
}

/** The token `/healthz` shows details for; unset (the default), it shows each check's status only. */
export function healthToken(env: NodeJS.ProcessEnv = process.env): SecretFromEnv {
  return fromEnv(HEALTH_TOKEN_ENV, env);
}
