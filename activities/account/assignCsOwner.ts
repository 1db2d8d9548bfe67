import { accountWorkflowId } from '../../workflows/definitions.ts';
import type { AccountSnapshot, CsAssignment } from '../../workflows/account/types.ts';
import type { FlywheelConfig } from '../../src/config/types.ts';
import { existingPlacement, placeInQueue, placeWithRep, releaseLead, type Placement } from '../../src/routing/assignmentStore.ts';
import type { ActivityDeps } from '../deps.ts';
import { toRecord } from '../lead/decisionRecord.ts';
import { routingCandidates } from '../../src/decisions/candidates.ts';
import { occasions } from '../../src/decisions/keys.ts';
import { decisionRows } from '../decisionRows.ts';
import { accountFacts, handoffFacts } from './facts.ts';

export interface CsAssignmentRequest {
  account: AccountSnapshot;
  at: string;
  /** CSMs who already breached this account's kickoff: never picked again. */
  exclude: string[];
  /** Distinguishes each (re)assignment so a retried activity returns the same CSM. */
  attempt: number;
  /** Force this queue's overflow (after the last allowed reassignment). */
  overflowFrom?: string;
  reason: 'handoff' | 'kickoff-breach' | 'overflow' | 'import';
}

/** Assignment rows key a customer as `account:<id>`, so CSM capacity caps count accounts beside any leads. */
export const csRecordId = (accountId: string) => `account:${accountId}`;

/**
 * The CS owner of a new customer, decided by the cs-routing rules and placed by the same queue machinery as sales
 * routing (weighted round robin, capacity, working hours, out of office, overflow), in one ledger transaction.
 */
export function createAssignCsOwner(deps: ActivityDeps) {
  const { rules, ledger, config } = deps;
  return async function assignCsOwner(req: CsAssignmentRequest): Promise<CsAssignment> {
    const cfg = config.config;
    const engine = rules.get();
    const facts = {
      now: req.at,
      account: accountFacts(req.account),
      icp: { tier: req.account.tier },
      handoff: { ...handoffFacts(req.account.context, null), reassignments: req.attempt },
      deal: { arr: req.account.arr },
    };
    const decision = engine.decide('cs-routing', facts);
    const route = decision.outcome;
    const id = req.account.accountId;
    const key = `${csRecordId(id)}:cs:${req.attempt}`;
    const placeReq = { key, leadId: csRecordId(id), at: Date.parse(req.at), exclude: new Set(req.exclude) };
    const overflowQueue = req.overflowFrom ? (cfg.queues?.find((q) => q.id === req.overflowFrom)?.overflow ?? req.overflowFrom) : undefined;

    const placement: Placement = await ledger.transaction(async (tx) => {
      const prior = await existingPlacement(tx, key);
      if (prior) return prior;
      let p: Placement | null = null;
      if (overflowQueue) p = await placeInQueue(tx, cfg, placeReq, overflowQueue);
      else if (route?.strategy === 'account-owner' && req.account.csOwner) p = await placeWithRep(tx, cfg, placeReq, req.account.csOwner, route.fallbackQueue);
      p ??= route?.strategy === 'queue' ? await placeInQueue(tx, cfg, placeReq, route.queue, route.fallbackQueue) : await placeInQueue(tx, cfg, placeReq, route?.fallbackQueue ?? csQueue(cfg));
      await tx.record([
        {
          key: `account:${id}:cs-assigned:${req.attempt}`,
          type: 'cs.assigned',
          occurredAt: req.at,
          accountId: id,
          workflowId: accountWorkflowId(id),
          owner: p.rep ?? undefined,
          team: cfg.reps.find((r) => r.id === p.rep)?.team,
          stage: 'Delight',
          rulesRevision: decision.revision.id,
          data: { queue: p.queue, strategy: p.strategy, reason: req.reason, skipped: p.skipped, exclude: req.exclude, rule: decision.matched[0] ?? null },
        },
        ...decisionRows(deps, { entity: 'account', id, occasion: occasions.cs(req.attempt) }, decision, facts, {
          at: req.at,
          owner: p.rep,
          stage: 'Delight',
          result: { owner: p.rep, queue: p.queue, strategy: p.strategy, reason: req.reason, exclude: req.exclude },
          candidates: routingCandidates(p),
        }),
      ]);
      return p;
    });
    return { owner: placement.rep, queue: placement.queue, strategy: placement.strategy, decision: toRecord(decision, req.at) };
  };
}

/** Without cs-routing rules: the first queue of a customer-success team. */
export function csQueue(cfg: FlywheelConfig): string {
  const csTeams = new Set(cfg.teams.filter((t) => t.function === 'customer-success').map((t) => t.id));
  return cfg.queues?.find((q) => csTeams.has(q.team))?.id ?? cfg.queues?.[0]?.id ?? 'unassigned';
}

export function createReleaseCsOwner({ ledger }: ActivityDeps) {
  return async function releaseCsOwner(req: { accountId: string; reason: string; at: string }): Promise<void> {
    await ledger.transaction((tx) => releaseLead(tx, csRecordId(req.accountId), Date.parse(req.at), req.reason));
  };
}
