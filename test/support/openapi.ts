import { Ajv2020, type ValidateFunction } from 'ajv/dist/2020.js';
import addFormats from 'ajv-formats';

const DOC_ID = 'https://flywheel.test/openapi.json';

/**
 * Ajv over an OpenAPI 3.1 document, strict: its schemas are JSON Schema 2020-12 plus OpenAPI's own annotation
 * keywords, which are declared so that any other unknown keyword still fails. Union types (`["string", "null"]`)
 * are plain JSON Schema and allowed.
 */
export function openApiAjv(doc: Record<string, unknown>): { ajv: Ajv2020; component: (name: string) => ValidateFunction } {
  const ajv = new Ajv2020({ strict: true, allowUnionTypes: true, allErrors: true });
  addFormats.default(ajv);
  // `components` only holds the schemas here, so their `#/components/schemas/...` references resolve as in the document.
  ajv.addVocabulary(['discriminator', 'xml', 'externalDocs', 'example', 'components']);
  ajv.addSchema({ $id: DOC_ID, components: { schemas: (doc.components as { schemas: unknown }).schemas } });
  const component = (name: string) => {
    const validate = ajv.getSchema(`${DOC_ID}#/components/schemas/${name}`);
    if (!validate) throw new Error(`no component schema ${name}`);
    return validate;
  };
  return { ajv, component };
}

/** Ajv's errors as one line each, so a failed assertion names the field. */
export const errorLines = (v: ValidateFunction) => (v.errors ?? []).map((e) => `${e.instancePath || '/'} ${e.message ?? e.keyword} ${JSON.stringify(e.params)}`);
