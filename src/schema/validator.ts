import { readFileSync } from 'node:fs';
import { Ajv, type ValidateFunction } from 'ajv';
import addFormats from 'ajv-formats';

/**
 * A lazily compiled validator for one of the project's JSON Schema files (config, plan). `verbose` lets
 * diagnostics read a pattern's `x-message` (what a valid value looks like), which those files may annotate.
 */
export function lazyValidator(schemaUrl: URL): () => ValidateFunction {
  let compiled: ValidateFunction | undefined;
  return () => {
    if (!compiled) {
      const ajv = new Ajv({ allErrors: true, strict: true, verbose: true });
      addFormats.default(ajv);
      ajv.addKeyword({ keyword: 'x-message', schemaType: 'string' });
      ajv.addKeyword({ keyword: 'x-code', schemaType: 'string' });
      compiled = ajv.compile(JSON.parse(readFileSync(schemaUrl, 'utf8')));
    }
    return compiled;
  };
}
