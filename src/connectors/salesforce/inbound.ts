import type { FlywheelConfig } from '../../config/types.ts';
import type { EventSink } from '../../ingest/temporalSink.ts';
import type { Ledger } from '../../ledger/types.ts';
import type { SalesforceRouteOptions } from '../../server/routes/connectors/salesforce.ts';
import { outboundMessageToken } from './settings.ts';

/** The Outbound Message route's options when `connections.salesforce` is configured (the URL token from the environment). */
export function salesforceInbound(config: FlywheelConfig, deps: { sink: EventSink; ledger: Ledger }, env: NodeJS.ProcessEnv = process.env): SalesforceRouteOptions | undefined {
  const sf = config.connections?.salesforce;
  if (!sf) return undefined;
  const { token } = outboundMessageToken(sf, env);
  return { config, sink: deps.sink, ledger: deps.ledger, ...(token ? { token } : {}) };
}

/** What an operator should hear at start: an endpoint guarded by nothing but the org id (by variable name only). */
export function salesforceInboundWarnings(opts: SalesforceRouteOptions | undefined, env: NodeJS.ProcessEnv = process.env): string[] {
  const sf = opts?.config.connections?.salesforce;
  if (!sf || opts.token) return [];
  const name = outboundMessageToken(sf, env).env;
  return [
    `${name} is not set: Salesforce Outbound Messages are accepted from anyone who knows the org id. Set it and add ?token=<value> to the endpoint URL in Salesforce, and allow only Salesforce's IP ranges.`,
  ];
}
