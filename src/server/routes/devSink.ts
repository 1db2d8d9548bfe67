import type { FastifyInstance } from 'fastify';
import { SIGNATURE_HEADER } from '../../events/signature.ts';
import { problem, sendProblem } from '../problem.ts';
import { acceptRawBodies, CLOUDEVENTS_JSON, jsonBodyParser, PLAIN_JSON } from '../rawBody.ts';
import { signatureGuard } from '../signatureGuard.ts';

export interface DevSinkOptions {
  /** The outbound webhook secret; when set, unsigned or wrongly signed webhooks are refused as a real CRM would. */
  secret?: string;
  toleranceSeconds?: number;
  capacity?: number;
}

export interface SinkEntry {
  receivedAt: string;
  /** True when the signature was checked against the configured secret. */
  verified: boolean;
  signed: boolean;
  /** The sender's `idempotency-key`: a real CRM drops repeats of a key, so the demo shows them. */
  idempotencyKey: string | null;
  body: unknown;
}

/**
 * A stand-in CRM for `flywheel dev`: keeps the webhooks Flywheel sends (assignment, escalation) so the demo can show
 * them. Memory only and bounded, since it runs for as long as the dev stack does.
 */
/** Where `flywheel dev` serves its stand-in CRM; production processes never send there (see buildActivityDeps). */
export const DEV_SINK_PATH = '/v1/dev/crm-sink';

export function registerDevSinkRoutes(app: FastifyInstance, opts: DevSinkOptions = {}): void {
  const capacity = opts.capacity ?? 1000;
  const received: SinkEntry[] = [];
  void app.register(async (scope) => {
    acceptRawBodies(scope, [PLAIN_JSON, CLOUDEVENTS_JSON]);
    const parseJson = jsonBodyParser(scope);
    const preHandler = opts.secret ? signatureGuard({ secret: opts.secret, toleranceSeconds: opts.toleranceSeconds ?? 300 }) : [];

    scope.post(DEV_SINK_PATH, { preHandler }, async (req, reply) => {
      const parsed = Buffer.isBuffer(req.body) ? await parseJson(req, req.body) : { ok: false as const, detail: 'a JSON body is required' };
      if (!parsed.ok) return sendProblem(reply, problem('validation-error', 400, { instance: req.url, detail: parsed.detail }));
      const key = req.headers['idempotency-key'];
      received.push({
        receivedAt: new Date().toISOString(),
        verified: opts.secret !== undefined,
        signed: req.headers[SIGNATURE_HEADER] !== undefined,
        idempotencyKey: typeof key === 'string' ? key : null,
        body: parsed.value,
      });
      if (received.length > capacity) received.splice(0, received.length - capacity);
      return reply.code(204).send();
    });

    scope.get(DEV_SINK_PATH, async () => ({ count: received.length, capacity, received }));
  });
}
