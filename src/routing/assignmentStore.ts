import type { FlywheelConfig, QueueConfig, RepConfig } from '../config/types.ts';
import type { LedgerTx } from '../ledger/types.ts';
import type { HoldInfo } from '../../workflows/lead/types.ts';
import { judgeCandidates, queueMembers, type CandidateVerdict } from './candidates.ts';
import { pickSmoothWeighted } from './smoothWeightedRoundRobin.ts';

export interface Placement {
  rep: string | null;
  pool: string | null;
  queue: string;
  /** `held` (leads: nobody can take it yet) and `unassigned` (CS: nobody could take it) have no rep and no pool. */
  /** `imported`: an imported lead kept its CRM owner without routing (activities/lead/importAssignment.ts). */
  strategy: 'account-owner' | 'weighted-round-robin' | 'pool' | 'overflow' | 'follow-the-sun' | 'held' | 'unassigned' | 'imported';
  skipped: { rep: string; reason: string }[];
  /** Reps who could have taken it but whose weighted turn it was not (for the decision record; not stored). */
  passed?: { rep: string; queue: string }[];
  /** Set on a held placement: why, and when it is routed again. */
  hold: HoldInfo | null;
  /** True when this call found an earlier placement with the same key (an activity retry). */
  replayed: boolean;
  /** Reps whose earlier assignment of this record this placement released (their capacity is free again). */
  freed: string[];
}

type NewPlacement = Omit<Placement, 'replayed' | 'freed' | 'hold'> & { hold?: HoldInfo | null };

export interface PlaceRequest {
  key: string;
  leadId: string;
  at: number;
  exclude: ReadonlySet<string>;
}

/** A stored placement's columns, as `existingPlacement` reads them (and `takeOwnTurn` reads them as JSON). */
export const PLACEMENT_COLUMNS = 'rep, pool, queue, strategy, skipped, hold';
export type PlacementRow = Pick<Placement, 'rep' | 'pool' | 'queue' | 'strategy' | 'skipped'> & { hold: HoldInfo | null };

/** A placement found under its key: replayed, and it freed nobody this time. */
export function foundPlacement(r: PlacementRow): Placement {
  return { ...r, hold: r.hold ?? null, replayed: true, freed: [] };
}

/** Returns the placement already made under this key, so a retried activity never assigns twice. */
export async function existingPlacement(tx: LedgerTx, key: string): Promise<Placement | null> {
  const rows = await tx.query<PlacementRow>(`SELECT ${PLACEMENT_COLUMNS} FROM lead_assignments WHERE assignment_key = $1`, [key]);
  return rows[0] ? foundPlacement(rows[0]) : null;
}

/** Open assignments per rep (what capacity caps count), as the ledger keeps them beside lead_assignments (migration 0010). */
export async function openCounts(tx: LedgerTx, reps: string[]): Promise<Map<string, number>> {
  if (reps.length === 0) return new Map();
  const rows = await tx.query<{ rep: string; open: number }>('SELECT rep, open FROM rep_open_counts WHERE rep = ANY($1::text[])', [reps]);
  return new Map(rows.map((r) => [r.rep, Number(r.open)]));
}

/** Each member's verdict for a request at `at`, against the members' open assignments as the transaction sees them now. */
export async function judgeMembers(tx: LedgerTx, config: FlywheelConfig, members: readonly RepConfig[], at: number, exclude: ReadonlySet<string>): Promise<CandidateVerdict[]> {
  return judgeCandidates(
    config,
    members,
    at,
    await openCounts(
      tx,
      members.map((m) => m.id),
    ),
    exclude,
  );
}

/** Writes the placement under its key, releasing the record's previous open assignment. */
export async function recordPlacement(tx: LedgerTx, req: PlaceRequest, p: NewPlacement): Promise<Placement> {
  const freed = await releaseLead(tx, req.leadId, req.at, 'reassigned');
  const hold = p.hold ?? null;
  await tx.query('INSERT INTO lead_assignments (assignment_key, lead_id, rep, pool, queue, strategy, assigned_at, skipped, hold) VALUES ($1, $2, $3, $4, $5, $6, $7, $8::jsonb, $9::jsonb)', [
    req.key,
    req.leadId,
    p.rep,
    p.pool,
    p.queue,
    p.strategy,
    new Date(req.at).toISOString(),
    JSON.stringify(p.skipped),
    hold === null ? null : JSON.stringify(hold),
  ]);
  return { ...p, hold, replayed: false, freed };
}

/** Takes the queue's row lock for the rest of the transaction, so placements into one queue take turns. */
export async function lockQueue(tx: LedgerTx, queueId: string): Promise<void> {
  const lock = 'SELECT queue_id FROM queue_locks WHERE queue_id = $1 FOR UPDATE';
  // The queue's row exists after its first placement: one statement then, three only the first time.
  if ((await tx.query(lock, [queueId])).length > 0) return;
  await tx.query('INSERT INTO queue_locks (queue_id) VALUES ($1) ON CONFLICT DO NOTHING', [queueId]);
  await tx.query(lock, [queueId]);
}

/** Assigns to a named rep (account owner) if they can take it now; null when they cannot. */
export async function placeWithRep(tx: LedgerTx, config: FlywheelConfig, req: PlaceRequest, repId: string, queue: string): Promise<Placement | null> {
  const rep = config.reps.find((r) => r.id === repId);
  if (!rep) return null;
  const verdict = judgeCandidates(config, [rep], req.at, await openCounts(tx, [rep.id]), req.exclude)[0]!;
  if (!verdict.eligible) return null;
  return recordPlacement(tx, req, { rep: rep.id, pool: null, queue, strategy: 'account-owner', skipped: [] });
}

/**
 * Places the lead in `queue`: weighted round robin over the members who can take it now, a pool for pool queues,
 * the overflow chain when nobody can, and last the rule's fallback queue (and its chain). The queue row is locked
 * for the whole placement.
 */
export async function placeInQueue(tx: LedgerTx, config: FlywheelConfig, req: PlaceRequest, queueId: string, fallbackQueue?: string): Promise<Placement> {
  const skipped: Placement['skipped'] = [];
  const visited = new Set<string>();
  const byId = (id: string | undefined) => config.queues?.find((q) => q.id === id);
  let queue: QueueConfig | undefined = byId(queueId);
  let fallback = fallbackQueue;
  let viaOverflow = false;
  while (queue && !visited.has(queue.id)) {
    visited.add(queue.id);
    await lockQueue(tx, queue.id);
    const members = queueMembers(config, queue);
    const verdicts = await judgeMembers(tx, config, members, req.at, req.exclude);
    skipped.push(...verdicts.filter((v) => !v.eligible).map((v) => ({ rep: v.rep.id, reason: `${queue!.id}: ${v.reason}` })));
    const eligible = verdicts.filter((v) => v.eligible);
    if (queue.strategy === 'pool' && eligible.length > 0) {
      return recordPlacement(tx, req, { rep: null, pool: queue.id, queue: queue.id, strategy: 'pool', skipped });
    }
    const rep = await rotate(tx, queue.id, eligible);
    if (rep) return recordPlacement(tx, req, { rep, pool: null, queue: queue.id, strategy: viaOverflow ? 'overflow' : 'weighted-round-robin', skipped, passed: passedOver(queue.id, eligible, rep) });
    queue = byId(queue.overflow);
    if ((!queue || visited.has(queue.id)) && fallback) {
      queue = byId(fallback);
      fallback = undefined;
    }
    viaOverflow = true;
  }
  return recordPlacement(tx, req, { rep: null, pool: null, queue: queueId, strategy: 'unassigned', skipped });
}

/** The eligible reps of a queue that the weighted round robin did not pick. */
export function passedOver(queue: string, eligible: CandidateVerdict[], chosen: string): { rep: string; queue: string }[] {
  return eligible.filter((v) => v.rep.id !== chosen).map((v) => ({ rep: v.rep.id, queue }));
}

/** The next rep of the queue's weighted round robin among the eligible, advancing its stored weights. */
export async function rotate(tx: LedgerTx, queueId: string, eligible: CandidateVerdict[]): Promise<string | null> {
  if (eligible.length === 0) return null;
  const rows = await tx.query<{ rep: string; current_weight: number }>('SELECT rep, current_weight FROM queue_rotation WHERE queue_id = $1', [queueId]);
  const current = new Map(rows.map((r) => [r.rep, Number(r.current_weight)]));
  const pick = pickSmoothWeighted(eligible.map((v) => ({ rep: v.rep.id, weight: v.rep.weight ?? 1, current: current.get(v.rep.id) ?? 0 })));
  if (!pick) return null;
  // Every member's new weight in one statement.
  const next = [...pick.next];
  await tx.query(
    'INSERT INTO queue_rotation (queue_id, rep, current_weight) SELECT $1, rep, w FROM unnest($2::text[], $3::float8[]) AS t(rep, w) ON CONFLICT (queue_id, rep) DO UPDATE SET current_weight = EXCLUDED.current_weight',
    [queueId, next.map(([rep]) => rep), next.map(([, w]) => w)],
  );
  return pick.rep;
}

/** Closes the record's open assignment; returns the rep it held, if any (their capacity is free again). */
export async function releaseLead(tx: LedgerTx, leadId: string, at: number, reason: string): Promise<string[]> {
  const rows = await tx.query<{ rep: string | null }>('UPDATE lead_assignments SET released_at = $2, release_reason = $3 WHERE lead_id = $1 AND released_at IS NULL RETURNING rep', [
    leadId,
    new Date(at).toISOString(),
    reason,
  ]);
  return rows.flatMap((r) => (r.rep ? [r.rep] : []));
}

/** A pool member claims a pooled lead with their first touch: the open row becomes theirs. */
export async function claimPooled(tx: LedgerTx, config: FlywheelConfig, leadId: string, rep: string, pool: string): Promise<boolean> {
  const queue = config.queues?.find((q) => q.id === pool);
  if (!queue || !queueMembers(config, queue).some((m) => m.id === rep)) return false;
  const rows = await tx.query<{ assignment_key: string }>('UPDATE lead_assignments SET rep = $2 WHERE lead_id = $1 AND released_at IS NULL AND pool = $3 AND rep IS NULL RETURNING assignment_key', [
    leadId,
    rep,
    pool,
  ]);
  return rows.length > 0;
}
