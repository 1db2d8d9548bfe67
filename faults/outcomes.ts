// What became of the leads the API accepted, read from where an operator would look: the lead's workflow (its
// state query and describe()) and the ledger's lead_assignments rows.
import { setTimeout as sleep } from 'node:timers/promises';
import type { Client } from '@temporalio/client';
import type pg from 'pg';
import { leadStateQuery, leadWorkflowId } from '../workflows/definitions.ts';
import type { LeadState } from '../workflows/lead/types.ts';
import { pool } from './send.ts';

/**
 * Where a lead visibly ended up, or undefined while it has not: an owner or a pool, held (waiting, with its hold
 * recorded), a qualification outcome, or a step that failed for good and was marked on the record.
 */
export function visibleOutcome(s: LeadState | undefined): string | undefined {
  if (!s) return undefined;
  if (s.owner) return 'assigned';
  if (s.pool) return 'pool';
  if (s.status === 'held' && s.hold) return 'held';
  if (s.status === 'nurture' || s.status === 'disqualified' || s.status === 'blocked-data') return s.status;
  if ((s.failures?.length ?? 0) > 0) return 'failed';
  return undefined;
}

export async function leadState(client: Client, leadId: string): Promise<LeadState | undefined> {
  try {
    return await client.withDeadline(Date.now() + 5_000, () => client.workflow.getHandle(leadWorkflowId(leadId)).query(leadStateQuery));
  } catch {
    return undefined; // not started yet, no worker answering right now, or Temporal away: asked again next pass
  }
}

/**
 * Polls every lead's state until each has a visible outcome or `timeoutMs` passes; returns the last state seen
 * of each. A bounded poll: each pass asks only the leads still without an outcome.
 */
export async function waitForOutcomes(client: Client, leadIds: readonly string[], timeoutMs: number): Promise<Map<string, LeadState | undefined>> {
  const states = new Map<string, LeadState | undefined>();
  const deadline = performance.now() + timeoutMs;
  let open = [...new Set(leadIds)];
  while (open.length > 0) {
    const seen = await pool(open, 8, (id) => leadState(client, id));
    open.forEach((id, i) => states.set(id, seen[i]));
    open = open.filter((id) => !visibleOutcome(states.get(id)));
    if (open.length === 0 || performance.now() > deadline) break;
    await sleep(500);
  }
  return states;
}

/** lead_assignments rows per lead (a lead absent from the map has none). */
export async function assignmentRows(db: pg.Pool, leadIds: readonly string[]): Promise<Map<string, number>> {
  const r = await db.query<{ lead_id: string; n: string }>('SELECT lead_id, count(*) AS n FROM lead_assignments WHERE lead_id = ANY($1) GROUP BY lead_id', [[...new Set(leadIds)]]);
  return new Map(r.rows.map((row) => [row.lead_id, Number(row.n)]));
}

export interface Stuck {
  workflowId: string;
  what: string;
  attempt: number;
  failure: string;
}

/**
 * Running workflows with an activity (or a workflow task) past `maxAttempts` attempts: retrying something that
 * will not succeed, the record waiting behind it.
 */
export async function stuckWorkflows(client: Client, maxAttempts: number): Promise<{ running: number; stuck: Stuck[] }> {
  const ids: string[] = [];
  for await (const w of client.workflow.list({ query: 'ExecutionStatus = "Running"' })) ids.push(w.workflowId);
  const found = await pool(ids, 8, async (id): Promise<Stuck[]> => {
    const d = await client.workflow
      .getHandle(id)
      .describe()
      .catch(() => undefined);
    if (!d) return [];
    const raw = d.raw.pendingActivities ?? [];
    const out: Stuck[] = raw
      .filter((a) => (a.attempt ?? 0) > maxAttempts)
      .map((a) => ({ workflowId: id, what: `activity ${a.activityType?.name ?? '?'}`, attempt: a.attempt ?? 0, failure: a.lastFailure?.message ?? '' }));
    const task = d.raw.pendingWorkflowTask;
    if (task && (task.attempt ?? 0) > maxAttempts) out.push({ workflowId: id, what: 'workflow task', attempt: task.attempt ?? 0, failure: '' });
    return out;
  });
  return { running: ids.length, stuck: found.flat() };
}
