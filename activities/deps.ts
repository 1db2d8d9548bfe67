import type { LoadedConfig } from '../src/config/types.ts';
import type { Ledger } from '../src/ledger/types.ts';
import type { RulesCache } from '../src/rules/cache.ts';
import type { ShadowRules } from '../src/rules/shadow.ts';
import type { CrmWriteBack } from '../src/connectors/writeBack.ts';
import type { WebhookSender } from '../src/webhooks/sender.ts';

/** What the activities need from the outside world, wired once by the worker. */
export interface ActivityDeps {
  ledger: Ledger;
  config: LoadedConfig;
  rules: RulesCache;
  webhooks: WebhookSender;
  /** A candidate rules revision that decides every decision too, with no effect (config `rules.shadow`). */
  shadow?: ShadowRules;
  /** CRM connectors that show Flywheel's assignments in the CRM (connections.hubspot / salesforce). */
  crm?: CrmWriteBack[];
}
