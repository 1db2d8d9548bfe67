import { describe, expect, it } from 'vitest';
import { EVENT_TYPES } from '../../../src/events/catalog.ts';
import { validateBatch, validateEvent } from '../../../src/events/validate.ts';
import { openApiDocument } from '../../../src/server/openapi.ts';
import type { Fields } from '../../../src/server/openapiState.ts';
import { initialAccountState } from '../../../workflows/account/state.ts';
import type { AccountState } from '../../../workflows/account/types.ts';
import { initialState } from '../../../workflows/lead/state.ts';
import type { LeadState } from '../../../workflows/lead/types.ts';
import { errorLines, openApiAjv } from '../../support/openapi.ts';

type Json = Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any -- walking an untyped document
/** Every optional part on, so every operation the server can publish is checked. */
const doc: Json = openApiDocument({ devSink: true, hubspot: true, salesforce: true, codec: true, operations: true, metrics: true });
const METHODS = ['get', 'put', 'post', 'delete', 'options', 'head', 'patch', 'trace'];
const operations = (d: Json) => Object.entries(d.paths as Json).flatMap(([path, item]) => METHODS.filter((m) => item[m]).map((m) => ({ name: `${m.toUpperCase()} ${path}`, op: item[m] as Json })));
const resolve = (d: Json, node: Json): Json =>
  typeof node.$ref === 'string'
    ? node.$ref
        .slice(2)
        .split('/')
        .reduce((n: Json, k: string) => n[k], d)
    : node;

// Answers that are not problem+json on purpose: Salesforce expects SOAP faults, and the health report is the answer itself.
const NOT_PROBLEM_JSON: Record<string, string> = {
  'POST /v1/connectors/salesforce/outbound-message': 'text/xml',
  'GET /healthz': 'application/json',
};

/** What the document lacks: operations without summary or description, error answers that are not problem+json. */
function gaps(d: Json): string[] {
  return operations(d).flatMap(({ name, op }) => [
    ...['summary', 'description'].filter((k) => typeof op[k] !== 'string' || op[k].trim() === '').map((k) => `${name}: no ${k}`),
    ...Object.entries(op.responses as Json)
      .filter(([status]) => Number(status) >= 400)
      .flatMap(([status, res]) => {
        const types = Object.keys(resolve(d, res).content ?? {});
        const ok = types.length > 0 && types.every((t) => t === 'application/problem+json' || t === NOT_PROBLEM_JSON[name]);
        return ok ? [] : [`${name} ${status}: ${types.join(', ') || 'no content'}`];
      }),
  ]);
}

describe('OpenAPI operations', () => {
  it('all have a summary and a description, and declare every error answer as problem+json', () => {
    expect(operations(doc).length).toBeGreaterThan(15);
    expect(gaps(doc)).toEqual([]);
    // The exceptions are real operations, and the walk does notice a gap.
    for (const name of Object.keys(NOT_PROBLEM_JSON)) expect(operations(doc).map((o) => o.name)).toContain(name);
    const broken = structuredClone(doc);
    delete broken.paths['/v1/leads/{id}'].get.description;
    broken.paths['/v1/events'].post.responses['400'] = { description: 'Bad', content: { 'application/json': {} } };
    expect(gaps(broken)).toEqual(['POST /v1/events 400: application/json', 'GET /v1/leads/{id}: no description']);
  });

  it('is a well-formed OpenAPI 3.1 document: unique operation ids, declared path parameters, every schema compiles', () => {
    expect(doc.openapi).toMatch(/^3\.1\.\d+$/);
    const ids = operations(doc).map((o) => o.op.operationId);
    expect(new Set(ids).size).toBe(ids.length);
    for (const [path, item] of Object.entries(doc.paths as Json)) {
      for (const m of METHODS.filter((x) => item[x])) {
        const declared = (item[m].parameters ?? []).map((p: Json) => resolve(doc, p)).filter((p: Json) => p.in === 'path');
        expect({ path, params: declared.map((p: Json) => [p.name, p.required]) }).toEqual({ path, params: [...path.matchAll(/\{(\w+)\}/g)].map((x) => [x[1], true]) });
        for (const [status, res] of Object.entries(item[m].responses as Json))
          expect({ path, status, description: typeof resolve(doc, res).description }).toEqual({ path, status, description: 'string' });
      }
    }
    const { component } = openApiAjv(doc);
    for (const name of Object.keys(doc.components.schemas)) expect(() => component(name)).not.toThrow();
  });
});

describe('OpenAPI event examples', () => {
  const content = doc.paths['/v1/events'].post.requestBody.content;
  const catalogue = Object.keys(EVENT_TYPES).sort();

  it('has one example per catalogue event type, each valid for POST /v1/events and for the Event schema', () => {
    const event = openApiAjv(doc).component('Event');
    for (const media of ['application/cloudevents+json', 'application/json']) {
      const examples = content[media].examples as Json;
      expect(Object.keys(examples).sort()).toEqual(catalogue);
      for (const [type, ex] of Object.entries(examples)) {
        const { value } = resolve(doc, ex);
        expect({ type, errors: validateEvent(value) }).toEqual({ type, errors: [] });
        expect(value.type).toBe(type);
        expect({ type, schema: event(value) && [] }).toEqual({ type, schema: [] });
      }
    }
    for (const { value } of Object.values(content['application/cloudevents-batch+json'].examples as Json)) expect(validateBatch(value)).toEqual([]);
    expect(Object.keys(doc.components.examples).sort()).toEqual(catalogue);
  });
});

describe('OpenAPI state schemas', () => {
  const { component } = openApiAjv(doc);

  it('accept a fresh lead and account, and refuse a field or a value the code does not have', () => {
    const lead = component('LeadState');
    const account = component('AccountState');
    const fresh = { lead: initialState('L-1'), account: initialAccountState('ACC-1') };
    expect({ valid: lead(fresh.lead), errors: errorLines(lead) }).toEqual({ valid: true, errors: [] });
    expect({ valid: account(fresh.account), errors: errorLines(account) }).toEqual({ valid: true, errors: [] });
    expect(lead({ ...fresh.lead, score: 3 })).toBe(false);
    expect(lead({ ...fresh.lead, status: 'mql' })).toBe(false);
    expect(account({ ...fresh.account, contract: { start: null, end: null, signed: true } })).toBe(false);
    expect(account({ ...fresh.account, arr: undefined })).toBe(false);
  });

  it('list every field of the state types, with enums from the code', () => {
    const s = doc.components.schemas;
    // Every key of a fresh state is a property, and every required property is in a fresh state.
    for (const [name, fresh] of [
      ['LeadState', initialState('L-1')],
      ['AccountState', initialAccountState('ACC-1')],
    ] as const) {
      expect(Object.keys(s[name].properties)).toEqual(expect.arrayContaining(Object.keys(fresh)));
      expect(Object.keys(fresh)).toEqual(expect.arrayContaining(s[name].required));
      expect(s[name].additionalProperties).toBe(false);
    }
    expect(s.LeadState.properties.stage.enum).toEqual(['Attract', 'Engage', 'Delight', 'Closed']);
    expect(s.AccountState.properties.kickoff.properties.handoff.enum).toEqual(['marketing-to-sales', 'sales-to-cs']);
    expect(s.EarlyLeadEvent.properties.type.enum).toEqual(Object.keys(EVENT_TYPES).filter((t) => EVENT_TYPES[t as keyof typeof EVENT_TYPES].entity === 'lead'));
  });
});

// Compile-time guards, checked by `npm run typecheck`: a state field the schema lacks, or a schema field the state
// lacks, does not build. These lines must stay errors.
// @ts-expect-error LeadState gains `score`: the schema's fields for the old type are incomplete.
export const gained: Fields<LeadState & { score: number }> = {} as Fields<LeadState>;
// @ts-expect-error AccountState loses `arr`: the schema's fields for the old type have one too many.
export const lost: Fields<Omit<AccountState, 'arr'>> = { ...({} as Fields<AccountState>), arr: { type: 'number' } };
