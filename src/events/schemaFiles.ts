import { readFileSync } from 'node:fs';
import { ID_PATTERN, LIMITS } from '../limits.ts';

type Json = Record<string, unknown>;

const SCHEMA_DIR = new URL('./schemas/', import.meta.url);
const PLACEHOLDER = /^\$limits\.(\w+)$/;
const VALUES: Readonly<Record<string, number | string>> = { ...LIMITS, idPattern: ID_PATTERN };

/**
 * Reads an event schema with its limits filled in from src/limits.ts: the files write `"maxLength": "$limits.idLength"`
 * so the validator, the published files and the ledger share one number. An unknown name fails at load.
 */
export function readEventSchema(name: string): Json {
  const file = new URL(`${name}.schema.json`, SCHEMA_DIR);
  return JSON.parse(readFileSync(file, 'utf8'), (_key, value: unknown) => {
    if (typeof value !== 'string') return value;
    const m = PLACEHOLDER.exec(value);
    if (!m) return value;
    const resolved = VALUES[m[1]!];
    if (resolved === undefined) throw new Error(`${file.pathname}: unknown limit "${value}" (known: ${Object.keys(VALUES).join(', ')})`);
    return resolved;
  }) as Json;
}
