import { lockQueue, type Placement } from '../../src/routing/assignmentStore.ts';
import { takeOwnTurn } from '../../src/routing/heldLeads.ts';
import { placeLead, type LeadRoute } from '../../src/routing/leadPlacement.ts';
import type { LedgerEvent } from '../../src/ledger/types.ts';
import type { Assignment, AssignmentRequest, HoldInfo } from '../../workflows/lead/types.ts';
import { toRecord } from './decisionRecord.ts';
import { routingCandidates } from '../../src/decisions/candidates.ts';
import { occasions } from '../../src/decisions/keys.ts';
import { decisionRows } from '../decisionRows.ts';
import type { ActivityDeps } from '../deps.ts';
import { accountFacts, leadFacts } from './facts.ts';
import { heldRow, placedRow } from './assignmentRows.ts';
import { tellPlacedFromLine, wakeHeldLeads } from './routeSignals.ts';

/**
 * The marketing -> sales hand-off: the routing rules pick a strategy and queue, then one transaction places the
 * lead (account owner, weighted round robin, pool, follow the sun, overflow) or holds it when nobody can take it,
 * and writes the ledger rows, keyed by lead and attempt. Leads held longer in a queue are placed into it first.
 */
export function createAssignLead(deps: ActivityDeps) {
  return (req: AssignmentRequest): Promise<Assignment> => placeLeadWith(deps, req);
}

/**
 * What a placement causes, written in its transaction: rows decided before it (the Attract decisions that led
 * here) and rows that follow from it (the stage change, the SLA clock). Called again on a retry that finds the
 * placement already made, for its answer; its rows are then already written.
 */
export interface Alongside {
  /** The account facts the caller already read for this lead (the same step's Attract decisions). */
  account?: Record<string, unknown>;
  before?: LedgerEvent[];
  after?: (a: Assignment) => LedgerEvent[];
}

/** The routing decision and the placement, with everything they cause, in one transaction. */
export async function placeLeadWith(deps: ActivityDeps, req: AssignmentRequest, alongside: Alongside = {}): Promise<Assignment> {
  const { rules, ledger, config } = deps;
  const cfg = config.config;
  const lead = leadFacts(req.leadId, req.lead);
  const account = alongside.account ?? (await accountFacts(ledger, lead.domain));
  const facts = { now: req.at, lead, account, icp: { tier: req.tier }, handoff: { type: 'marketing-to-sales', reassignments: req.attempt } };
  const decision = rules.get().decide('routing', facts);
  const outcome = decision.outcome;
  const at = Date.parse(req.at);
  const key = `${req.leadId}:${req.attempt}`;
  const placeReq = { key, leadId: req.leadId, at, exclude: new Set(req.exclude) };
  const overflowQueue = req.overflowFrom ? (cfg.queues?.find((q) => q.id === req.overflowFrom)?.overflow ?? req.overflowFrom) : undefined;
  const rule = decision.matched[0] ?? null;
  const source = typeof req.lead.source === 'string' ? req.lead.source : null;
  const route: LeadRoute = {
    ...(overflowQueue
      ? { queue: overflowQueue }
      : outcome?.strategy === 'account-owner'
        ? { owner: typeof account.owner === 'string' ? account.owner : undefined, queue: outcome.fallbackQueue }
        : outcome?.strategy === 'queue'
          ? { queue: outcome.queue, fallbackQueue: outcome.fallbackQueue }
          : { queue: firstOverflow(cfg.queues ?? []) }),
    policy: outcome ?? {},
    rule,
    since: req.heldSince ?? req.at,
    next: { attempt: req.attempt + 1, reason: req.reason, exclude: req.exclude, tier: req.tier, source, rule, rulesRevision: decision.revision.id },
  };

  // Placement and its ledger rows commit together; a retry finds the placement by key and changes nothing.
  const { placement, fromLine } = await ledger.transaction(async (tx) => {
    const { inLine, prior } = await takeOwnTurn(tx, req.leadId, key, (q) => lockQueue(tx, q));
    if (prior) {
      alongside.after?.(answer(prior));
      return { placement: prior, fromLine: [] };
    }
    const placed = await placeLead(tx, cfg, placeReq, route, inLine);
    const rows = placed.placedFromLine.map(({ held, placement: p }) => placedRow(cfg, p, { leadId: held.leadId, at: req.at, since: held.since, held: true, ...held.request }));
    const p = placed.placement;
    rows.push(
      p.strategy === 'held'
        ? heldRow(cfg, p.hold!, { leadId: req.leadId, attempt: req.attempt, at: req.at, reason: req.reason, exclude: req.exclude, tier: req.tier, source, rulesRevision: decision.revision.id })
        : placedRow(cfg, p, { ...route.next, attempt: req.attempt, leadId: req.leadId, at: req.at, since: route.since, held: req.heldSince !== undefined }),
    );
    const subject = { entity: 'lead' as const, id: req.leadId, occasion: occasions.route(req.attempt) };
    const result = {
      owner: p.rep,
      pool: p.pool,
      queue: p.queue,
      strategy: leadStrategy(p),
      reason: req.reason,
      exclude: req.exclude,
      ...(req.overflowFrom ? { overflowFrom: req.overflowFrom } : {}),
      ...(p.hold ? { nextRouteAt: p.hold.nextRouteAt } : {}),
    };
    rows.push(...decisionRows(deps, subject, decision, facts, { at: req.at, owner: p.rep, stage: 'Engage', source, result, candidates: routingCandidates(p) }));
    await tx.record([...(alongside.before ?? []), ...rows, ...(alongside.after?.(answer(p)) ?? [])]);
    return { placement: p, fromLine: placed.placedFromLine };
  });

  // After the commit: the leads placed from the line learn it now, not at their timers, and released reps'
  // queues route their first held lead. Both are only wake-ups: a lead's own timer and key still decide.
  await tellPlacedFromLine(
    ledger,
    cfg,
    fromLine.map((f) => f.held.leadId),
    req.at,
  );
  await wakeHeldLeads(ledger, cfg, placement.freed);

  return answer(placement);

  function answer(p: Placement): Assignment {
    return {
      owner: p.rep,
      pool: p.pool,
      queue: p.queue,
      strategy: leadStrategy(p),
      reason: req.reason,
      decision: toRecord(decision, req.at),
      held: leadStrategy(p) === 'held' ? (p.hold ?? legacyHold(p, route)) : null,
    };
  }
}

/** Rows written before holding existed may say `unassigned`: that lead waited for nobody, which is a hold now. */
function leadStrategy(p: Placement): Assignment['strategy'] {
  return p.strategy === 'unassigned' ? 'held' : p.strategy;
}

/** A pre-holding `unassigned` row found by key: a hold that only freed capacity (a route signal) ends. */
function legacyHold(p: Placement, route: LeadRoute): HoldInfo {
  return { queue: p.queue, since: route.since, candidates: [], nextRouteAt: null, maxHoldAt: null, notify: route.policy.holdNotify ?? ['manager'], rule: route.rule };
}

function firstOverflow(queues: { id: string; overflow?: string }[]): string {
  return queues.find((q) => !q.overflow)?.id ?? queues[0]?.id ?? 'unassigned';
}
