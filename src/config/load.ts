import path from 'node:path';
import { DiagnosticsError, readSourceOrDiagnose, type Diagnostic } from '../diagnostics/diagnostic.ts';
import { ajvToDiagnostics } from '../schema/ajvDiagnostics.ts';
import { lazyValidator } from '../schema/validator.ts';
import { parseLocatedYaml } from '../yaml/located.ts';
import { checkConfigSemantics } from './check.ts';
import type { FlywheelConfig, LoadedConfig } from './types.ts';

const validate = lazyValidator(new URL('./flywheel.schema.json', import.meta.url));

export function defaultConfigPath(): string {
  return process.env.FLYWHEEL_CONFIG ?? path.resolve('config', 'flywheel.yaml');
}

/**
 * Returns every problem in the file, located; an empty list means the config is usable. With `root` (the project
 * root, see projectRootOf), folders the config names are checked to exist.
 */
export function checkConfigText(file: string, text: string, root?: string): { config?: FlywheelConfig; diagnostics: Diagnostic[] } {
  const parsed = parseLocatedYaml(file, text);
  if (!parsed.ok) return { diagnostics: parsed.diagnostics };
  const v = validate();
  if (!v(parsed.yaml.value)) return { diagnostics: ajvToDiagnostics(v.errors, parsed.yaml) };
  const config = parsed.yaml.value as FlywheelConfig;
  return { config, diagnostics: checkConfigSemantics(config, parsed.yaml, root) };
}

/** Loads and fully validates the configuration, or throws a DiagnosticsError naming file, line and path. */
export function loadConfig(file = defaultConfigPath()): LoadedConfig {
  const abs = path.resolve(file);
  const text = readSourceOrDiagnose(abs, displayPath(abs), 'config');
  const root = projectRootOf(abs);
  const { config, diagnostics } = checkConfigText(displayPath(abs), text, root);
  if (!config || diagnostics.some((d) => d.severity === 'error')) throw new DiagnosticsError(diagnostics);
  return { file: abs, root, config };
}

/** The project root is the folder holding config/, so `flywheel` works from any subfolder given FLYWHEEL_CONFIG. */
export function projectRootOf(configAbs: string): string {
  const dir = path.dirname(configAbs);
  return path.basename(dir) === 'config' ? path.dirname(dir) : dir;
}

export function displayPath(abs: string): string {
  const rel = path.relative(process.cwd(), abs);
  return rel && !rel.startsWith('..') ? rel : abs;
}
