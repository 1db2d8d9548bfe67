import path from 'node:path';
import type { ActivityDeps } from '../../activities/index.ts';
import type { LoadedConfig } from '../config/types.ts';
import type { Ledger } from '../ledger/types.ts';
import { RulesCache } from '../rules/cache.ts';
import { shadowFromConfig } from '../rules/shadow.ts';
import { webhookSecret } from '../ingest/secrets.ts';
import { WebhookSender } from '../webhooks/sender.ts';
import { DEV_SINK_PATH } from '../server/routes/devSink.ts';
import type { CrmWriteBack } from '../connectors/writeBack.ts';
import { hubspotWriteBack } from '../connectors/hubspot/writeBack.ts';
import { salesforceWriteBack } from '../connectors/salesforce/writeBack.ts';

export function rulesDirOf(loaded: LoadedConfig): string {
  return path.resolve(loaded.root, loaded.config.rules?.dir ?? 'rules');
}

/**
 * Everything the activities touch, built once per worker from the configuration and the environment. `rules`:
 * the cache the start-up check loaded (src/runtime/rulesAtStart.ts), else a new one over the configured folder.
 */
export function buildActivityDeps(loaded: LoadedConfig, ledger: Ledger, rules?: RulesCache, opts: { production?: boolean } = {}): ActivityDeps {
  const hook = loaded.config.connections?.crmWebhook;
  const shadow = shadowFromConfig(loaded.config, loaded.root, rulesDirOf(loaded));
  // CRM connectors that show assignments in the CRM (configured ones only).
  const crm: CrmWriteBack[] = [hubspotWriteBack(loaded.config), salesforceWriteBack(loaded.config)].flatMap((c) => (c ? [c] : []));
  return {
    ledger,
    config: loaded,
    rules: rules ?? new RulesCache(rulesDirOf(loaded), { config: loaded.config }),
    webhooks: new WebhookSender(webhookUrl(hook?.url, opts.production ?? false), webhookSecret(loaded.config).secret, hook?.timeoutMs),
    ...(shadow ? { shadow } : {}),
    ...(crm.length ? { crm } : {}),
  };
}

/**
 * The CRM webhook a worker sends to. Only `flywheel dev` serves the stand-in CRM at DEV_SINK_PATH, so a production
 * worker pointed there (the shipped config is) sends nothing instead of retrying against a route nobody serves.
 */
export function webhookUrl(url: string | undefined, production: boolean): string | undefined {
  if (!url || !production) return url;
  let pathname: string;
  try {
    pathname = new URL(url).pathname;
  } catch {
    return url;
  }
  if (pathname !== DEV_SINK_PATH) return url;
  process.stderr.write(`flywheel: connections.crmWebhook.url ${url} is the dev-only stand-in CRM, which only \`flywheel dev\` serves; no CRM webhooks are sent. Point it at your CRM's receiver.\n`);
  return undefined;
}
