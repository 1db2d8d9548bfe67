// Full lead lifecycles through the ingest API, to count what one costs in Temporal history.
import { setTimeout as sleep } from 'node:timers/promises';
import type { WorkflowHandle } from '@temporalio/client';
import { leadStateQuery, leadWorkflowId } from '../workflows/definitions.ts';
import type { BenchStack } from './stack.ts';
import { cloudEvent, newLead, postEvent } from './traffic.ts';

export interface HistoryCount {
  workflowId: string;
  historyLength: number;
  /** History events by type, e.g. ActivityTaskScheduled: 9. */
  types: Record<string, number>;
}

/**
 * created -> assigned -> touched by the owner (SLA met) -> meeting booked -> opportunity created -> won. Each event
 * is sent once the lead has finished with the one before (no workflow task, no activity pending), as a CRM's events
 * come minutes to days apart: every event then has its own workflow task, so the count is what a real lead's
 * history holds, not fewer because two events shared a task. Nothing queries the lead until it is done: a query that
 * reaches it while a workflow task runs a local activity makes the worker complete that task early and ask for
 * another (three more events, counted as the lead's when they are the bench's).
 */
export async function runLifecycle(stack: BenchStack, leadId: string): Promise<HistoryCount & { ms: number; closed: 'completed' | 'waiting' }> {
  const t0 = performance.now();
  const handle = stack.client.workflow.getHandle(leadWorkflowId(leadId));
  const assigned = stack.assigned.wait(leadId);
  await postEvent(stack, newLead(leadId)).accepted;
  // The SLA clock starts in the placement's transaction: once assigned, a touch counts against it.
  await assigned;
  await quiescent(handle);
  const opp = `opp-${leadId}`;
  // Since the closed-lead grace period a won lead stays open on a timer instead of completing: it is counted once it
  // has nothing left to do (no workflow task, no activity pending), whichever of the two it does.
  let closed: 'completed' | 'waiting' = 'waiting';
  for (const e of [
    cloudEvent('lead.touched', leadId, { by: stack.owners.get(leadId), channel: 'phone' }),
    cloudEvent('meeting.booked', leadId, { meetingId: `m-${leadId}` }),
    cloudEvent('opportunity.created', leadId, { opportunityId: opp, amount: 48000, currency: 'EUR' }),
    cloudEvent('opportunity.won', leadId, { opportunityId: opp, accountId: `acc-${leadId}`, arr: 48000 }),
  ]) {
    await postEvent(stack, e).accepted;
    closed = await quiescent(handle);
  }
  const ms = performance.now() - t0;
  const won = closed === 'completed' ? undefined : await handle.query(leadStateQuery);
  const types = (await stack.ledger.query<{ type: string }>('SELECT DISTINCT type FROM ledger_events WHERE lead_id = $1', [leadId])).map((r) => r.type);
  const missing = ['lead.assigned', 'sla.met', 'meeting.booked', 'deal.created', 'deal.won'].filter((t) => !types.includes(t));
  if (missing.length > 0 || (won && (won.status !== 'won' || won.sla?.status !== 'met'))) {
    throw new Error(`lifecycle of ${leadId} did not run through: status ${won?.status ?? closed}, SLA ${won?.sla?.status ?? '-'}, missing ledger rows ${missing.join(', ') || 'none'}`);
  }
  return { ...(await countHistory(handle)), ms, closed };
}

export async function countHistory(handle: WorkflowHandle): Promise<HistoryCount> {
  const { historyLength } = await handle.describe();
  const { events } = await handle.fetchHistory();
  const types: Record<string, number> = {};
  for (const e of events ?? []) {
    // Each history event carries exactly one `<type>EventAttributes` field; its name is the event type.
    const key = Object.keys(e).find((k) => k.endsWith('EventAttributes') && (e as Record<string, unknown>)[k] != null);
    const type = key ? key[0]!.toUpperCase() + key.slice(1, -'EventAttributes'.length) : 'Unknown';
    types[type] = (types[type] ?? 0) + 1;
  }
  return { workflowId: handle.workflowId, historyLength, types };
}

/** Waits until the workflow has completed, or is running with no workflow task and no activity pending. */
async function quiescent(handle: WorkflowHandle, timeoutMs = 30_000): Promise<'completed' | 'waiting'> {
  const deadline = Date.now() + timeoutMs;
  for (let pause = 20; Date.now() < deadline; pause = Math.min(pause * 2, 250)) {
    const d = await handle.describe();
    if (d.status.name === 'COMPLETED') return 'completed';
    if (d.status.name !== 'RUNNING') throw new Error(`${handle.workflowId} ended ${d.status.name}`);
    if (!d.raw.pendingWorkflowTask && (d.raw.pendingActivities ?? []).length === 0) return 'waiting';
    await sleep(pause);
  }
  throw new Error(`${handle.workflowId} still busy after ${timeoutMs} ms`);
}
