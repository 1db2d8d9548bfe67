import { Ajv2020 } from 'ajv/dist/2020.js';
import addFormats from 'ajv-formats';
import { describe, expect, it } from 'vitest';
import { EVENT_TYPES } from '../../../src/events/catalog.ts';
import { readEventSchema } from '../../../src/events/schemaFiles.ts';
import { validateEvent } from '../../../src/events/validate.ts';
import { buildApp } from '../../../src/server/app.ts';

const app = () => buildApp({ checks: {} });

/** Every `$ref` in the document, so a renamed component cannot leave a dangling reference. */
function refs(node: unknown, out: string[] = []): string[] {
  if (Array.isArray(node)) node.forEach((n) => refs(n, out));
  else if (node && typeof node === 'object') {
    for (const [k, v] of Object.entries(node)) {
      if (k === '$ref' && typeof v === 'string') out.push(v);
      else refs(v, out);
    }
  }
  return out;
}

function resolve(doc: Record<string, unknown>, ref: string): unknown {
  return ref
    .replace(/^#\//, '')
    .split('/')
    .reduce<unknown>((n, part) => (n as Record<string, unknown> | undefined)?.[part.replace(/~1/g, '/').replace(/~0/g, '~')], doc);
}

describe('GET /openapi.json', () => {
  it('is an OpenAPI 3.1 document with the API paths, answers and media types', async () => {
    const res = await app().inject({ method: 'GET', url: '/openapi.json' });
    expect(res.statusCode).toBe(200);
    expect(res.headers['content-type']).toMatch(/^application\/json/);
    const doc = JSON.parse(res.body);
    expect(doc.openapi).toBe('3.1.0');
    expect(Object.keys(doc.paths)).toEqual(expect.arrayContaining(['/v1/events', '/v1/leads/{id}', '/v1/accounts/{id}', '/healthz', '/openapi.json']));
    expect(doc.paths['/v1/dev/crm-sink']).toBeUndefined();
    const post = doc.paths['/v1/events'].post;
    expect(Object.keys(post.requestBody.content).sort()).toEqual(['application/cloudevents+json', 'application/cloudevents-batch+json', 'application/json']);
    expect(Object.keys(post.responses)).toEqual(expect.arrayContaining(['202', '400', '401', '413', '415', '503']));
    expect(Object.keys(doc.paths['/v1/leads/{id}'].get.responses)).toEqual(expect.arrayContaining(['200', '401', '404', '503']));
    expect(doc.paths['/v1/accounts/{id}'].get.responses['200'].content['application/json'].schema).toEqual({ $ref: '#/components/schemas/AccountState' });
    expect(doc.components.securitySchemes.signatureHeader).toMatchObject({ type: 'apiKey', in: 'header', name: 'x-flywheel-signature' });
    expect(doc.components.schemas.Problem.required).toEqual(['type', 'title', 'status']);
    for (const r of refs(doc)) expect({ ref: r, resolved: resolve(doc, r) !== undefined }).toEqual({ ref: r, resolved: true });
  });

  it('embeds the event schemas the validator uses, one per event type', async () => {
    const doc = JSON.parse((await app().inject({ method: 'GET', url: '/openapi.json' })).body);
    const schemas = doc.components.schemas;
    expect(schemas.Event.oneOf).toHaveLength(Object.keys(EVENT_TYPES).length);
    for (const [type, { schema }] of Object.entries(EVENT_TYPES)) {
      const file = readEventSchema(schema);
      expect(schemas[`${schema}.data`].properties).toEqual((file as { properties: unknown }).properties);
      expect(schemas[`event.${type}`].allOf[1].properties.type).toEqual({ const: type });
    }
    expect(schemas.CloudEvent.required).toEqual(['specversion', 'id', 'source', 'type', 'subject', 'time', 'data']);
  });

  it('describes events exactly as the API validates them', async () => {
    const doc = JSON.parse((await app().inject({ method: 'GET', url: '/openapi.json' })).body);
    // OpenAPI 3.1 schemas are JSON Schema 2020-12; non-strict, so OpenAPI's own keywords (discriminator) are ignored.
    const ajv = new Ajv2020({ strict: false });
    addFormats.default(ajv);
    ajv.addSchema({ ...doc, $id: 'https://flywheel.test/openapi.json' });
    const event = ajv.getSchema('https://flywheel.test/openapi.json#/components/schemas/Event')!;
    const ok = { specversion: '1.0', id: 'e1', source: '/crm', type: 'opportunity.won', subject: 'L-1', time: '2026-11-23T09:00:00Z', data: { opportunityId: 'o1', accountId: 'a1', arr: 1200 } };
    const samples = [ok, { ...ok, data: { opportunityId: 'o1' } }, { ...ok, type: 'lead.sneezed' }, { ...ok, specversion: '0.3' }, { ...ok, Extra: 1 }, { ...ok, traceparent: 'x' }];
    for (const sample of samples) expect({ sample, openapi: event(sample) }).toEqual({ sample, openapi: validateEvent(sample).length === 0 });
    expect(samples.filter((x) => event(x))).toHaveLength(2);
  });

  it('serves the schema files themselves and lists the dev sink only when it is on', async () => {
    const res = await app().inject({ method: 'GET', url: '/schemas/events/lead.touched.schema.json' });
    expect(res.statusCode).toBe(200);
    expect(res.json().$id).toBe('https://flywheel.dev/schemas/events/lead.touched.schema.json');
    expect((await app().inject({ method: 'GET', url: '/schemas/events/nope.schema.json' })).statusCode).toBe(404);
    const dev = JSON.parse((await buildApp({ checks: {}, devSink: true }).inject({ method: 'GET', url: '/openapi.json' })).body);
    expect(dev.paths['/v1/dev/crm-sink']).toBeDefined();
  });
});
