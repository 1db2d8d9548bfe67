import type { FastifyInstance } from 'fastify';
import { PROBLEM_TYPES, type ProblemSlug } from '../problem.ts';

/** Serves the problem type URIs so a client that follows `type` gets a human description. */
export function registerProblemRoutes(app: FastifyInstance): void {
  app.get<{ Params: { slug: string } }>('/problems/:slug', async (req, reply) => {
    const title = PROBLEM_TYPES[req.params.slug as ProblemSlug];
    if (!title) return reply.callNotFound();
    return reply.type('text/plain; charset=utf-8').send(`${req.params.slug}: ${title}\n`);
  });
}
