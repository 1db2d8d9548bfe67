import type { FastifyInstance } from 'fastify';
import { currentRules, whyRecord } from '../../decisions/why.ts';
import type { DecisionEntity } from '../../decisions/types.ts';
import type { Ledger } from '../../ledger/types.ts';
import type { RulesEngine } from '../../rules/engine.ts';
import { problem, sendProblem } from '../problem.ts';
import { requestTargetOf, signatureGuard, type SignatureAuth } from '../signatureGuard.ts';

export interface DecisionReadOptions {
  ledger: Pick<Ledger, 'query'>;
  /** The current rules, for the matched rules' descriptions (a RulesCache fits); absent: descriptions unknown. */
  rules?: { get(): RulesEngine };
  /** Decisions carry masked personal data and routing detail: signed like the state reads when there is a secret. */
  auth?: SignatureAuth;
}

const READS: { path: string; entity: DecisionEntity }[] = [
  { path: '/v1/leads/:id/decisions', entity: 'lead' },
  { path: '/v1/accounts/:id/decisions', entity: 'account' },
];

/** GET a record's decisions from the ledger: the same answer as `flywheel lead|account why --json`. */
export function registerDecisionRoutes(app: FastifyInstance, opts: DecisionReadOptions): void {
  const preHandler = opts.auth ? signatureGuard(opts.auth, requestTargetOf) : [];
  for (const read of READS) {
    app.get<{ Params: { id: string } }>(read.path, { preHandler }, async (req, reply) => {
      const rules = opts.rules ? currentRules(() => opts.rules!.get()) : { error: 'this API was started without the rules folder: rule descriptions are not shown' };
      let answer;
      try {
        answer = await whyRecord(opts.ledger, read.entity, req.params.id, rules);
      } catch (e) {
        req.log.error({ err: e }, `${read.entity} decisions read failed`);
        return sendProblem(reply, problem('ledger-unavailable', 503, { instance: req.url, detail: `the ledger did not answer the decisions read for ${read.entity} ${req.params.id}` }));
      }
      if (!answer) return sendProblem(reply, problem('not-found', 404, { instance: req.url, detail: `no decisions recorded for ${read.entity} ${req.params.id} in the ledger` }));
      return reply.send(answer);
    });
  }
}
