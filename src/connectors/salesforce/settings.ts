import type { SalesforceConfig } from '../../config/types.ts';

/** `connections.salesforce` with the schema's defaults applied: the one place the connector reads them from. */
export const SALESFORCE_DEFAULTS = {
  loginUrl: 'https://login.salesforce.com',
  apiVersion: '62.0',
  auth: 'client-credentials',
  clientIdEnv: 'SALESFORCE_CLIENT_ID',
  clientSecretEnv: 'SALESFORCE_CLIENT_SECRET',
  usernameEnv: 'SALESFORCE_USERNAME',
  privateKeyEnv: 'SALESFORCE_PRIVATE_KEY',
  outboundMessageTokenEnv: 'SALESFORCE_OUTBOUND_MESSAGE_TOKEN',
  taskSubject: 'Follow up on your new lead',
  taskPriority: 'High',
} as const;

/** The Outbound Message endpoint's shared token: the variable's name (safe to print) and, when set, its value. */
export function outboundMessageToken(sf: SalesforceConfig, env: NodeJS.ProcessEnv = process.env): { env: string; token?: string } {
  const name = sf.outboundMessageTokenEnv ?? SALESFORCE_DEFAULTS.outboundMessageTokenEnv;
  const value = env[name];
  return value ? { env: name, token: value } : { env: name };
}
