import path from 'node:path';
import type { ActivityDeps } from '../../activities/index.ts';
import type { LoadedConfig } from '../config/types.ts';
import type { Ledger } from '../ledger/types.ts';
import { RulesCache } from '../rules/cache.ts';
import { webhookSecret } from '../ingest/secrets.ts';
import { WebhookSender } from '../webhooks/sender.ts';

export function rulesDirOf(loaded: LoadedConfig): string {
  return path.resolve(loaded.root, loaded.config.rules?.dir ?? 'rules');
}

/** Everything the activities touch, built once per worker from the configuration and the environment. */
export function buildActivityDeps(loaded: LoadedConfig, ledger: Ledger): ActivityDeps {
  const hook = loaded.config.connections?.crmWebhook;
  return {
    ledger,
    config: loaded,
    rules: new RulesCache(rulesDirOf(loaded), { config: loaded.config }),
    webhooks: new WebhookSender(hook?.url, webhookSecret(loaded.config).secret, hook?.timeoutMs),
  };
}
