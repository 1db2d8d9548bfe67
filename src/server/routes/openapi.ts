import type { FastifyInstance } from 'fastify';
import { readEventSchema } from '../../events/schemaFiles.ts';
import { EVENT_SCHEMA_NAMES, openApiDocument } from '../openapi.ts';

/** Publishes the API description and the event schemas it embeds, built once: they only change with the code. */
export function registerOpenApiRoutes(
  app: FastifyInstance,
  opts: { devSink: boolean; bodyLimitBytes: number; hubspot?: boolean; salesforce?: boolean; codec?: boolean; operations?: boolean; metrics?: boolean },
): void {
  const doc = JSON.stringify(openApiDocument(opts));
  const schemas = new Map(EVENT_SCHEMA_NAMES.map((n) => [`${n}.schema.json`, JSON.stringify(readEventSchema(n))]));
  app.get('/openapi.json', async (_req, reply) => reply.type('application/json; charset=utf-8').send(doc));
  app.get<{ Params: { file: string } }>('/schemas/events/:file', async (req, reply) => {
    const schema = schemas.get(req.params.file);
    if (schema === undefined) return reply.callNotFound();
    return reply.type('application/schema+json; charset=utf-8').send(schema);
  });
}
