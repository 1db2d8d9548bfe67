import { Ajv, type ErrorObject, type ValidateFunction } from 'ajv';
import addFormats from 'ajv-formats';
import { carriageProblems, LIMITS } from '../limits.ts';
import { EVENT_TYPES, isKnownEventType, type CrmEvent } from './catalog.ts';
import { readEventSchema } from './schemaFiles.ts';

export interface FieldError {
  pointer: string;
  detail: string;
}

const ajv = new Ajv({ allErrors: true, strict: true });
addFormats.default(ajv);
const envelope = ajv.compile(readEventSchema('cloudevent'));
const dataValidators = new Map<string, ValidateFunction>();
for (const { schema } of Object.values(EVENT_TYPES)) {
  if (!dataValidators.has(schema)) dataValidators.set(schema, ajv.compile(readEventSchema(schema)));
}

/** An `anyOf` failure reports every branch; the client needs one line per field: "must match format date or ... date-time". */
function collapseAnyOf(errors: ErrorObject[]): ErrorObject[] {
  const anyOfs = errors.filter((e) => e.keyword === 'anyOf');
  if (anyOfs.length === 0) return errors;
  const inBranch = (e: ErrorObject, a: ErrorObject) => e !== a && e.instancePath === a.instancePath && e.schemaPath.startsWith(`${a.schemaPath}/`);
  return errors
    .filter((e) => !anyOfs.some((a) => inBranch(e, a)))
    .map((e) =>
      e.keyword === 'anyOf'
        ? {
            ...e,
            message:
              errors
                .filter((b) => inBranch(b, e))
                .map((b) => b.message)
                .join(' or ') || e.message,
          }
        : e,
    );
}

function toFieldErrors(errors: ErrorObject[] | null | undefined, prefix: string): FieldError[] {
  return collapseAnyOf(errors ?? []).map((e) => {
    const p = e.params as Record<string, unknown>;
    if (e.keyword === 'required') return { pointer: `${prefix}${e.instancePath}/${String(p.missingProperty)}`, detail: 'is required' };
    if (e.keyword === 'additionalProperties') {
      return { pointer: `${prefix}${e.instancePath}/${String(p.additionalProperty)}`, detail: 'is not a CloudEvents attribute (extensions are lower-case alphanumeric)' };
    }
    return { pointer: `${prefix}${e.instancePath}`, detail: e.message ?? e.keyword };
  });
}

/**
 * Every problem with one event, as JSON pointers relative to `prefix` (e.g. `/3` inside a batch): the schema's, and
 * what the pipeline behind the schema cannot carry (characters, depth, lengths; see src/limits.ts).
 */
export function validateEvent(value: unknown, prefix = ''): FieldError[] {
  return [...schemaProblems(value, prefix), ...carriageProblems(value, prefix, EVENT_CARRIAGE)];
}

// The event itself is level 0, so `data` (and an extension attribute's value) is level 1.
const EVENT_CARRIAGE = { maxDepth: LIMITS.dataDepth, level: 0, stringLength: LIMITS.stringLength, propertyNameLength: LIMITS.propertyNameLength, finiteNumbers: true };

function schemaProblems(value: unknown, prefix: string): FieldError[] {
  if (!envelope(value)) return toFieldErrors(envelope.errors, prefix);
  const e = value as CrmEvent;
  if (!isKnownEventType(e.type)) {
    return [{ pointer: `${prefix}/type`, detail: `unknown event type "${String(e.type)}"; known: ${Object.keys(EVENT_TYPES).join(', ')}` }];
  }
  const data = dataValidators.get(EVENT_TYPES[e.type].schema)!;
  return data(e.data) ? [] : toFieldErrors(data.errors, `${prefix}/data`);
}

/** Validates every event of a batch; the batch is accepted only when all are valid, so nothing is dropped silently. */
export function validateBatch(values: unknown[]): FieldError[] {
  if (values.length === 0) return [{ pointer: '', detail: 'a batch needs at least one event' }];
  return values.flatMap((v, i) => validateEvent(v, `/${i}`));
}
