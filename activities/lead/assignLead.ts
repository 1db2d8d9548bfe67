import { leadWorkflowId } from '../../workflows/definitions.ts';
import { existingPlacement, placeInQueue, placeWithRep, type Placement } from '../../src/routing/assignmentStore.ts';
import type { Assignment, AssignmentRequest } from '../../workflows/lead/types.ts';
import type { LedgerTx } from '../../src/ledger/types.ts';
import { toRecord } from './decisionRecord.ts';
import type { ActivityDeps } from '../deps.ts';
import { accountFacts, leadFacts } from './facts.ts';

/**
 * The marketing -> sales hand-off: the routing rules pick a strategy and queue, then one transaction places the
 * lead (account owner, weighted round robin, pool, overflow) and writes the ledger row, keyed by lead and attempt.
 */
export function createAssignLead({ rules, ledger, config }: ActivityDeps) {
  return async function assignLead(req: AssignmentRequest): Promise<Assignment> {
    const cfg = config.config;
    const lead = leadFacts(req.leadId, req.lead);
    const account = await accountFacts(ledger, lead.domain);
    const decision = rules.get().decide('routing', {
      now: req.at,
      lead,
      account,
      icp: { tier: req.tier },
      handoff: { type: 'marketing-to-sales', reassignments: req.attempt },
    });
    const route = decision.outcome;
    const at = Date.parse(req.at);
    const key = `${req.leadId}:${req.attempt}`;
    const placeReq = { key, leadId: req.leadId, at, exclude: new Set(req.exclude) };
    const overflowQueue = req.overflowFrom ? (cfg.queues?.find((q) => q.id === req.overflowFrom)?.overflow ?? req.overflowFrom) : undefined;

    // Placement and its ledger row commit together; a retry finds the placement by key and changes nothing.
    const placement: Placement = await ledger.transaction(async (tx) => {
      const prior = await existingPlacement(tx, key);
      if (prior) return prior;
      const p = await place(tx);
      await tx.record([
        {
          key: `lead:${req.leadId}:assigned:${req.attempt}`,
          type: req.attempt === 0 ? 'lead.assigned' : 'lead.reassigned',
          occurredAt: req.at,
          leadId: req.leadId,
          workflowId: leadWorkflowId(req.leadId),
          owner: p.rep ?? undefined,
          team: cfg.reps.find((r) => r.id === p.rep)?.team,
          stage: 'Engage',
          rulesRevision: decision.revision.id,
          data: { queue: p.queue, pool: p.pool, strategy: p.strategy, reason: req.reason, skipped: p.skipped, exclude: req.exclude, rule: decision.matched[0] ?? null, source: req.lead.source ?? null, tier: req.tier },
        },
      ]);
      return p;
    });

    async function place(tx: LedgerTx): Promise<Placement> {
      if (overflowQueue) return placeInQueue(tx, cfg, placeReq, overflowQueue);
      if (route?.strategy === 'account-owner' && typeof account.owner === 'string') {
        const owned = await placeWithRep(tx, cfg, placeReq, account.owner, route.fallbackQueue);
        if (owned) return owned;
      }
      if (route?.strategy === 'queue') return placeInQueue(tx, cfg, placeReq, route.queue, route.fallbackQueue);
      return placeInQueue(tx, cfg, placeReq, route?.fallbackQueue ?? firstOverflow(cfg.queues ?? []));
    }

    return {
      owner: placement.rep,
      pool: placement.pool,
      queue: placement.queue,
      strategy: placement.strategy,
      reason: req.reason,
      decision: toRecord(decision, req.at),
    };
  };
}

function firstOverflow(queues: { id: string; overflow?: string }[]): string {
  return queues.find((q) => !q.overflow)?.id ?? queues[0]?.id ?? 'unassigned';
}
