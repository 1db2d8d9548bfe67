import type { LoadedConfig } from '../config/types.ts';
import { RulesCache, type RulesLogger } from '../rules/cache.ts';
import type { ShadowRules, ShadowStatus } from '../rules/shadow.ts';
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

/**
 * The shadow revision (config `rules.shadow`), loaded once at start like the live rules, but a shadow that cannot
 * load is a warning printed once and the worker starts: live decisions never depend on it. Until it loads, no
 * disagreement is recorded; /healthz (`workers`) and `flywheel doctor` go on showing why.
 */
export function checkShadowAtStart(shadow: Pick<ShadowRules, 'status'> | undefined, warn: (message: string) => void = stderrWarn): ShadowStatus | undefined {
  if (!shadow) return undefined;
  const s = shadow.status();
  if (s.error) warn(`rules.shadow (${s.source}) cannot decide, so no disagreement is recorded until it can; live decisions are not affected:\n${indent(s.error)}`);
  return s;
}

const stderrWarn = (m: string) => process.stderr.write(`warning: ${m}\n`);
const indent = (s: string) =>
  s
    .split('\n')
    .map((l) => `  ${l}`)
    .join('\n');
