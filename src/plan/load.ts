import { existsSync } from 'node:fs';
import path from 'node:path';
import { defaultConfigPath, displayPath, loadConfig } from '../config/load.ts';
import type { FlywheelConfig } from '../config/types.ts';
import { DiagnosticsError, readSourceOrDiagnose, type Diagnostic } from '../diagnostics/diagnostic.ts';
import { ajvToDiagnostics } from '../schema/ajvDiagnostics.ts';
import { lazyValidator } from '../schema/validator.ts';
import { parseLocatedYaml } from '../yaml/located.ts';
import { checkPlanSemantics } from './check.ts';
import type { GrowthPlan, LoadedPlan } from './types.ts';

const validate = lazyValidator(new URL('./plan.schema.json', import.meta.url));

export function defaultPlanPath(): string {
  return process.env.FLYWHEEL_PLAN ?? path.resolve('config', 'plan.yaml');
}

/** The organisation config a plan's rep ids are checked against: $FLYWHEEL_CONFIG, else flywheel.yaml beside the plan. */
export function planConfigPath(planFile: string): string {
  if (process.env.FLYWHEEL_CONFIG) return process.env.FLYWHEEL_CONFIG;
  const sibling = path.join(path.dirname(path.resolve(planFile)), 'flywheel.yaml');
  return existsSync(sibling) ? sibling : defaultConfigPath();
}

/**
 * Every problem in a plan text, located. Without `config` the references to reps are not checked.
 * An empty error list means the plan is usable (warnings may remain).
 */
export function checkPlanText(file: string, text: string, config?: FlywheelConfig): { plan?: GrowthPlan; diagnostics: Diagnostic[] } {
  const parsed = parseLocatedYaml(file, text);
  if (!parsed.ok) return { diagnostics: parsed.diagnostics };
  const v = validate();
  if (!v(parsed.yaml.value)) return { diagnostics: ajvToDiagnostics(v.errors, parsed.yaml) };
  const plan = parsed.yaml.value as GrowthPlan;
  return { plan, diagnostics: checkPlanSemantics(plan, parsed.yaml, config) };
}

export interface LoadPlanOptions {
  /** The organisation config for rep references; loaded from configFile (or found beside the plan) when absent. */
  config?: FlywheelConfig;
  configFile?: string;
}

/** Loads and fully validates a growth plan, or throws a DiagnosticsError naming file, line, column and path. */
export function loadPlan(file = defaultPlanPath(), opts: LoadPlanOptions = {}): LoadedPlan {
  const abs = path.resolve(file);
  const text = readSourceOrDiagnose(abs, displayPath(abs), 'plan');
  const config = opts.config ?? loadConfig(opts.configFile ?? planConfigPath(abs)).config;
  const { plan, diagnostics } = checkPlanText(displayPath(abs), text, config);
  if (!plan || diagnostics.some((d) => d.severity === 'error')) throw new DiagnosticsError(diagnostics);
  return { file: abs, plan };
}
