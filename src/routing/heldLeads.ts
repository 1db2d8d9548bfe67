/**
 * The line of held leads per queue (table held_leads, migration 0004). Whoever next places a lead into a queue
 * places the leads waiting there longer first, under the key their own workflow will ask with, so leads held
 * overnight are assigned in arrival order however their timers fire.
 */
import type { LedgerTx } from '../ledger/types.ts';
import type { AssignmentRequest, HoldCandidate } from '../../workflows/lead/types.ts';
import { existingPlacement, foundPlacement, PLACEMENT_COLUMNS, type Placement, type PlacementRow } from './assignmentStore.ts';

type Query = Pick<LedgerTx, 'query'>;

/** What placing a held lead needs without deciding the rules again, and what its ledger row says. */
export interface HeldRequest {
  /** The attempt its workflow asks with next; the placement key is `${leadId}:${attempt}`. */
  attempt: number;
  reason: AssignmentRequest['reason'];
  exclude: string[];
  tier: string | null;
  source: string | null;
  rule: string | null;
  rulesRevision: string | null;
}

export interface HeldLead {
  leadId: string;
  queue: string;
  since: string;
  nextKey: string;
  request: HeldRequest;
  candidates: HoldCandidate[];
}

interface Row {
  lead_id: string;
  queue: string;
  since: Date | string;
  next_key: string;
  request: HeldRequest;
  candidates: HoldCandidate[];
}

const COLUMNS = 'lead_id, queue, since, next_key, request, candidates';

function fromRow(r: Row): HeldLead {
  return { leadId: r.lead_id, queue: r.queue, since: new Date(r.since).toISOString(), nextKey: r.next_key, request: r.request, candidates: r.candidates };
}

/** Puts the lead in its queue's line, or updates its place (a lead held again keeps its `since`). */
export async function rememberHeld(tx: Query, h: HeldLead): Promise<void> {
  await tx.query(
    `INSERT INTO held_leads (${COLUMNS}) VALUES ($1, $2, $3, $4, $5::jsonb, $6::jsonb)
     ON CONFLICT (lead_id) DO UPDATE SET queue = EXCLUDED.queue, since = EXCLUDED.since, next_key = EXCLUDED.next_key,
       request = EXCLUDED.request, candidates = EXCLUDED.candidates`,
    [h.leadId, h.queue, h.since, h.nextKey, JSON.stringify(h.request), JSON.stringify(h.candidates)],
  );
}

export async function forgetHeld(tx: Query, leadId: string): Promise<void> {
  await tx.query('DELETE FROM held_leads WHERE lead_id = $1', [leadId]);
}

/** Leads waiting in `queue` ahead of the lead `leadId` held since `since`, longest first. */
export async function heldAhead(tx: Query, queue: string, since: number, leadId: string): Promise<HeldLead[]> {
  const rows = await tx.query<Row>(
    `SELECT ${COLUMNS} FROM held_leads WHERE queue = $1 AND lead_id <> $3 AND (since < $2 OR (since = $2 AND lead_id < $3))
     ORDER BY since, lead_id FOR UPDATE`,
    [queue, new Date(since).toISOString(), leadId],
  );
  return rows.map(fromRow);
}

/** The lead at the front of each queue's line. */
export async function frontOfLines(q: Query, queues: readonly string[]): Promise<HeldLead[]> {
  if (queues.length === 0) return [];
  const rows = await q.query<Row>(`SELECT DISTINCT ON (queue) ${COLUMNS} FROM held_leads WHERE queue = ANY($1::text[]) ORDER BY queue, since, lead_id`, [[...queues]]);
  return rows.map(fromRow);
}

/** What a lead placing itself finds first: whether it waits in a queue's line, and a placement already under its key. */
export interface OwnTurn {
  inLine: boolean;
  prior: Placement | null;
}

/**
 * A lead placing itself reads its own line entry and its key's placement in one statement. A held lead then takes
 * its queue's lock and its own entry, in the order a lead placing the line takes them, so the two take turns instead
 * of both placing it, and reads its key again: the other may have placed it meanwhile. A lead not in a line cannot
 * be placed by anyone else, so the first read stands.
 */
export async function takeOwnTurn(tx: LedgerTx, leadId: string, key: string, lockQueue: (queue: string) => Promise<void>): Promise<OwnTurn> {
  const [first] = await tx.query<{ held: Row | null; prior: PlacementRow | null }>(
    `SELECT (SELECT row_to_json(h) FROM (SELECT ${COLUMNS} FROM held_leads WHERE lead_id = $1) h) AS held,
            (SELECT row_to_json(p) FROM (SELECT ${PLACEMENT_COLUMNS} FROM lead_assignments WHERE assignment_key = $2) p) AS prior`,
    [leadId, key],
  );
  if (!first?.held) return { inLine: false, prior: first?.prior ? foundPlacement(first.prior) : null };
  await lockQueue(first.held.queue);
  await tx.query('SELECT lead_id FROM held_leads WHERE lead_id = $1 FOR UPDATE', [leadId]);
  return { inLine: true, prior: await existingPlacement(tx, key) };
}
