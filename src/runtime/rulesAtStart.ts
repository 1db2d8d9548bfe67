import type { LoadedConfig } from '../config/types.ts';
import { RulesCache, type RulesLogger } from '../rules/cache.ts';
import { rulesDirOf } from '../worker/activityDeps.ts';

/**
 * The worker's rules, loaded before anything connects or opens: a folder that is invalid at start throws a
 * DiagnosticsError listing every error (file:line:column, rule id), which the CLI prints and exits 2 on, like
 * `flywheel config validate`. Starting anyway would leave every decision failing until someone read the log.
 * The returned cache goes on deciding with the last valid rules when a later change is refused.
 */
export function loadRulesAtStart(loaded: LoadedConfig, logger?: RulesLogger): RulesCache {
  const rules = new RulesCache(rulesDirOf(loaded), { config: loaded.config, ...(logger ? { logger } : {}) });
  rules.get();
  return rules;
}
