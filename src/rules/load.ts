import { existsSync } from 'node:fs';
import path from 'node:path';
import { DiagnosticsError, type Diagnostic } from '../diagnostics/diagnostic.ts';
import { defaultConfigPath, loadConfig } from '../config/load.ts';
import type { FlywheelConfig } from '../config/types.ts';
import { compileSet, type CompiledSet } from './compile.ts';
import { RulesEngine, type EngineOptions } from './engine.ts';
import type { Kind } from './kinds.ts';
import { computeRevision } from './revision.ts';
import { validateRulesDir, type RulesValidation } from './validate/index.ts';

export const DEFAULT_RULES_DIR = 'rules';

export interface LoadRulesOptions extends EngineOptions {
  /** The organisation config used for reference checks; loaded from configFile (or found) when absent. */
  config?: FlywheelConfig;
  configFile?: string;
}

/**
 * The config that a rules folder's references (queues, reps, calendars) are checked against: an explicit
 * file or $FLYWHEEL_CONFIG, else `config/flywheel.yaml` next to the rules folder, else the default path.
 */
export function rulesConfig(dir: string, opts: { config?: FlywheelConfig; configFile?: string } = {}): FlywheelConfig {
  if (opts.config) return opts.config;
  const sibling = path.resolve(dir, '..', 'config', 'flywheel.yaml');
  const file = opts.configFile ?? process.env.FLYWHEEL_CONFIG ?? (existsSync(sibling) ? sibling : defaultConfigPath());
  return loadConfig(file).config;
}

/** Compiles a validated folder; the revision hashes the exact texts that were validated. */
export function engineFrom(validation: RulesValidation, opts: EngineOptions = {}): RulesEngine {
  const sets = new Map<Kind, CompiledSet>(validation.sets.map((s) => [s.kind, compileSet(s)]));
  return new RulesEngine(validation.dir, sets, computeRevision(validation.dir, validation.sets), opts);
}

/**
 * Loads, validates and compiles every rule set in `dir`. Throws a DiagnosticsError listing every error
 * (file:line:column, rule id) when any set is invalid: a half-loaded rules folder must never decide.
 */
export function loadRules(dir = DEFAULT_RULES_DIR, opts: LoadRulesOptions = {}): RulesEngine {
  const validation = validateRulesDir(dir, { config: rulesConfig(dir, opts), tests: false });
  const errors: Diagnostic[] = validation.diagnostics.filter((d) => d.severity === 'error');
  if (errors.length > 0) throw new DiagnosticsError(errors);
  return engineFrom(validation, opts);
}
