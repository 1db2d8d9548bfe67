import type { ErrorObject } from 'ajv';
import type { Diagnostic } from '../diagnostics/diagnostic.ts';
import { formatPath } from '../diagnostics/diagnostic.ts';
import type { LocatedYaml } from '../yaml/located.ts';

export function pointerToPath(pointer: string): string[] {
  if (!pointer) return [];
  return pointer
    .slice(1)
    .split('/')
    .map((s) => s.replace(/~1/g, '/').replace(/~0/g, '~'));
}

function describe(e: ErrorObject): { path: string[]; message: string; atKey: boolean } {
  const path = pointerToPath(e.instancePath);
  const p = e.params as Record<string, unknown>;
  switch (e.keyword) {
    case 'additionalProperties':
      return { path: [...path, String(p.additionalProperty)], message: `unknown field "${String(p.additionalProperty)}"`, atKey: true };
    case 'required':
      return { path, message: `missing required field "${String(p.missingProperty)}"`, atKey: false };
    case 'enum':
      return { path, message: `must be one of: ${(p.allowedValues as unknown[]).map((v) => JSON.stringify(v)).join(', ')}`, atKey: false };
    case 'const':
      return { path, message: `must be ${JSON.stringify(p.allowedValue)}`, atKey: false };
    case 'type':
      return { path, message: `must be ${String(p.type)}`, atKey: false };
    case 'format':
      return { path, message: `must be a valid ${String(p.format)}`, atKey: false };
    case 'pattern': {
      // A schema may say what the pattern means (`x-message`); needs ajv's `verbose` to see schema and value.
      const hint = (e.parentSchema as Record<string, unknown> | undefined)?.['x-message'];
      if (typeof hint !== 'string') return { path, message: `does not match the expected form ${String(p.pattern)}`, atKey: false };
      return { path, message: `${typeof e.data === 'string' ? JSON.stringify(e.data) : 'value'} ${hint}`, atKey: false };
    }
    default:
      return { path, message: e.message ?? e.keyword, atKey: false };
  }
}

/**
 * Turns ajv errors into located diagnostics. `oneOf`/`anyOf` wrappers are dropped when a more specific
 * error explains the same place, since "must match exactly one schema" helps nobody fix a file.
 * `extra` may depend on the path, e.g. to name the rule a rules-file error sits in.
 */
export function ajvToDiagnostics(
  errors: readonly ErrorObject[] | null | undefined,
  doc: LocatedYaml,
  extra: Partial<Diagnostic> | ((path: readonly string[]) => Partial<Diagnostic>) = {},
): Diagnostic[] {
  if (!errors) return [];
  const specific = errors.filter((e) => !['oneOf', 'anyOf', 'if'].includes(e.keyword));
  const chosen = specific.length > 0 ? specific : errors;
  const seen = new Set<string>();
  const out: Diagnostic[] = [];
  for (const e of chosen) {
    const { path, message, atKey } = describe(e);
    const key = `${path.join('/')}|${message}`;
    if (seen.has(key)) continue;
    seen.add(key);
    const pos = atKey ? doc.keyPositionOf(path) : doc.positionOf(path);
    out.push({
      severity: 'error',
      file: doc.file,
      line: pos.line,
      column: pos.column,
      path: formatPath(path) || '(root)',
      code: schemaCode(e),
      message,
      ...(typeof extra === 'function' ? extra(path) : extra),
    });
  }
  return out;
}

/** `x-code` on the failing schema names the problem (e.g. bad-duration) better than the keyword does. */
function schemaCode(e: ErrorObject): string {
  const code = (e.parentSchema as Record<string, unknown> | undefined)?.['x-code'];
  return typeof code === 'string' ? code : `schema-${e.keyword}`;
}
