/**
 * Placing a lead: the account owner, the queue, follow-the-sun queues, the overflow chain and the fallback queue, as
 * the routing rule's hold policy says; and when nobody can take it, a hold that says why and when to route again.
 * Before a lead takes a rep of a queue, the leads held longer in that queue are placed (arrival order).
 */
import type { FlywheelConfig, QueueConfig } from '../config/types.ts';
import type { LedgerTx } from '../ledger/types.ts';
import type { HoldPolicy } from '../rules/types.ts';
import type { HoldCandidate, HoldInfo } from '../../workflows/lead/types.ts';
import { judgeMembers, lockQueue, openCounts, passedOver, placeWithRep, recordPlacement, rotate, existingPlacement, type PlaceRequest, type Placement } from './assignmentStore.ts';
import { queueMembers } from './candidates.ts';
import { candidateAt, holdCandidates, maxHoldAt, nextRouteAt } from './holdCandidates.ts';
import { forgetHeld, heldAhead, rememberHeld, type HeldLead, type HeldRequest } from './heldLeads.ts';

export interface LeadRoute {
  /** The account owner to try first (strategy account-owner). */
  owner?: string;
  /** The queue the rule chose (for account-owner: its fallback); a held lead waits for this one. */
  queue: string;
  /** Tried after the queue's overflow chain. */
  fallbackQueue?: string;
  policy: HoldPolicy;
  rule: string | null;
  /** When the lead was first held (req.heldSince ?? req.at). */
  since: string;
  /** Stored with a hold, for placing the lead's next attempt from another lead's call. */
  next: HeldRequest;
}

/** A lead held ahead of this one and placed by this call, under its own next key; its ledger row is still to write. */
export interface PlacedFromLine {
  held: HeldLead;
  placement: Placement;
}

export interface LeadPlacement {
  placement: Placement;
  placedFromLine: PlacedFromLine[];
}

/** `inLine`: false when the caller read that the lead has no line entry (takeOwnTurn), so there is none to take out. */
export async function placeLead(tx: LedgerTx, config: FlywheelConfig, req: PlaceRequest, route: LeadRoute, inLine = true): Promise<LeadPlacement> {
  const byId = (id: string | undefined) => config.queues?.find((q) => q.id === id);
  const skipped: Placement['skipped'] = [];
  const candidates: HoldCandidate[] = [];
  const placedFromLine: PlacedFromLine[] = [];
  const visited = new Set<string>();
  const done = async (p: Placement): Promise<LeadPlacement> => {
    if (inLine) await forgetHeld(tx, req.leadId);
    return { placement: p, placedFromLine };
  };

  if (route.owner) {
    const owned = await placeWithRep(tx, config, req, route.owner, route.queue);
    if (owned) return done(owned);
    const rep = config.reps.find((r) => r.id === route.owner);
    const c = rep && candidateAt(config, route.queue, rep, req.at, await openCounts(tx, [rep.id]), req.exclude);
    if (c) candidates.push(c);
  }

  const tryQueue = async (queue: QueueConfig, strategy: 'weighted-round-robin' | 'overflow' | 'follow-the-sun'): Promise<Placement | null> => {
    visited.add(queue.id);
    await lockQueue(tx, queue.id);
    const members = queueMembers(config, queue);
    const judge = () => judgeMembers(tx, config, members, req.at, req.exclude);
    let verdicts = await judge();
    if (verdicts.some((v) => v.eligible)) {
      const before = placedFromLine.length;
      await placeLine(tx, config, queue, req, Date.parse(route.since), placedFromLine);
      if (placedFromLine.length > before) verdicts = await judge();
    }
    skipped.push(...verdicts.filter((v) => !v.eligible).map((v) => ({ rep: v.rep.id, reason: `${queue.id}: ${v.reason}` })));
    const eligible = verdicts.filter((v) => v.eligible);
    if (eligible.length > 0 && queue.strategy === 'pool') {
      return recordPlacement(tx, req, { rep: null, pool: queue.id, queue: queue.id, strategy: 'pool', skipped });
    }
    const rep = await rotate(tx, queue.id, eligible);
    if (rep) return recordPlacement(tx, req, { rep, pool: null, queue: queue.id, strategy, skipped, passed: passedOver(queue.id, eligible, rep) });
    candidates.push(
      ...holdCandidates(
        config,
        queue.id,
        members,
        req.at,
        await openCounts(
          tx,
          members.map((m) => m.id),
        ),
        req.exclude,
      ),
    );
    return null;
  };

  const primary = byId(route.queue);
  if (primary) {
    const p = await tryQueue(primary, 'weighted-round-robin');
    if (p) return done(p);
  }
  // "Out of hours" means someone in the queue would take it once their working hours begin.
  const outOfHours = candidates.some((c) => c.queue === route.queue && c.reason === 'outside-hours');
  const mode = route.policy.outOfHours ?? 'overflow';
  if (outOfHours && mode === 'follow-the-sun') {
    for (const id of route.policy.followTheSun ?? []) {
      const q = byId(id);
      if (!q || visited.has(q.id)) continue;
      const p = await tryQueue(q, 'follow-the-sun');
      if (p) return done(p);
    }
  }
  if (!(outOfHours && mode === 'hold')) {
    let queue = byId(primary?.overflow);
    let fallback = route.fallbackQueue;
    for (;;) {
      if ((!queue || visited.has(queue.id)) && fallback) {
        queue = byId(fallback);
        fallback = undefined;
      }
      if (!queue || visited.has(queue.id)) break;
      const p = await tryQueue(queue, 'overflow');
      if (p) return done(p);
      queue = byId(queue.overflow);
    }
  }

  const hold: HoldInfo = {
    queue: route.queue,
    since: route.since,
    candidates,
    nextRouteAt: nextRouteAt(candidates),
    maxHoldAt: maxHoldAt(route.since, route.policy.maxHold),
    notify: route.policy.holdNotify ?? ['manager'],
    rule: route.rule,
  };
  const placement = await recordPlacement(tx, req, { rep: null, pool: null, queue: route.queue, strategy: 'held', skipped, hold });
  await rememberHeld(tx, { leadId: req.leadId, queue: route.queue, since: route.since, nextKey: `${req.leadId}:${route.next.attempt}`, request: route.next, candidates });
  return { placement, placedFromLine };
}

/**
 * Places the leads held in `queue` ahead of the current one into it, longest held first, while it has reps who can
 * take them (each with its own exclusions). Called under the queue's lock.
 */
async function placeLine(tx: LedgerTx, config: FlywheelConfig, queue: QueueConfig, current: PlaceRequest, since: number, out: PlacedFromLine[]): Promise<void> {
  const members = queueMembers(config, queue);
  for (const held of await heldAhead(tx, queue.id, since, current.leadId)) {
    if (await existingPlacement(tx, held.nextKey)) {
      await forgetHeld(tx, held.leadId);
      continue;
    }
    const req: PlaceRequest = { key: held.nextKey, leadId: held.leadId, at: current.at, exclude: new Set(held.request.exclude) };
    const verdicts = await judgeMembers(tx, config, members, req.at, req.exclude);
    const eligible = verdicts.filter((v) => v.eligible);
    if (eligible.length === 0) {
      // Nobody at all (not only this lead's exclusions): the rest of the line waits too.
      if (held.request.exclude.length === 0) return;
      continue;
    }
    const skipped = verdicts.filter((v) => !v.eligible).map((v) => ({ rep: v.rep.id, reason: `${queue.id}: ${v.reason}` }));
    const rep = queue.strategy === 'pool' ? null : await rotate(tx, queue.id, eligible);
    const placement = await recordPlacement(
      tx,
      req,
      rep ? { rep, pool: null, queue: queue.id, strategy: 'weighted-round-robin', skipped } : { rep: null, pool: queue.id, queue: queue.id, strategy: 'pool', skipped },
    );
    await forgetHeld(tx, held.leadId);
    out.push({ held, placement });
  }
}
