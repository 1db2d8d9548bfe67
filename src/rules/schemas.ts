import { readFileSync } from 'node:fs';
import { Ajv, type ValidateFunction } from 'ajv';
import addFormats from 'ajv-formats';
import { KINDS, type Kind } from './kinds.ts';

export type JsonSchema = Record<string, unknown>;

/** Where the published schemas live; rule files point editors here with `# yaml-language-server: $schema=`. */
export const SCHEMA_DIR = new URL('./schemas/', import.meta.url);

export function readSchema(name: string): JsonSchema {
  return JSON.parse(readFileSync(new URL(`${name}.schema.json`, SCHEMA_DIR), 'utf8')) as JsonSchema;
}

interface Compiled {
  kinds: Record<Kind, ValidateFunction>;
  facts: ValidateFunction;
  tests: ValidateFunction;
  factsSchema: JsonSchema;
}

let compiled: Compiled | undefined;

/**
 * One ajv instance for all rule schemas, compiled on first use. `verbose` lets diagnostics read a pattern's
 * `x-message`; strictRequired/strictTypes are off because the outcome schemas use `if`/`then` with
 * `required` (routing: a queue strategy needs a queue), which those checks reject.
 */
export function ruleSchemas(): Compiled {
  if (compiled) return compiled;
  const ajv = new Ajv({ allErrors: true, strict: true, strictRequired: false, strictTypes: false, verbose: true });
  addFormats.default(ajv);
  ajv.addKeyword({ keyword: 'x-message', schemaType: 'string' });
  ajv.addKeyword({ keyword: 'x-code', schemaType: 'string' });
  const kinds = Object.fromEntries(KINDS.map((k) => [k, ajv.compile(readSchema(k))])) as Record<Kind, ValidateFunction>;
  const factsSchema = readSchema('facts');
  compiled = { kinds, facts: ajv.compile(factsSchema), tests: ajv.compile(readSchema('rule-tests')), factsSchema };
  return compiled;
}
