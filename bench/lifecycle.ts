// Full lead lifecycles through the ingest API, to count what one costs in Temporal history.
import { setTimeout as sleep } from 'node:timers/promises';
import type { WorkflowHandle } from '@temporalio/client';
import { leadStateQuery, leadWorkflowId } from '../workflows/definitions.ts';
import type { LeadState } from '../workflows/lead/types.ts';
import type { BenchStack } from './stack.ts';
import { cloudEvent, newLead, postEvent } from './traffic.ts';

export interface HistoryCount {
  workflowId: string;
  historyLength: number;
  /** History events by type, e.g. ActivityTaskScheduled: 9. */
  types: Record<string, number>;
}

/** created -> assigned -> touched by the owner (SLA met) -> meeting booked -> opportunity created -> won. */
export async function runLifecycle(stack: BenchStack, leadId: string): Promise<HistoryCount & { ms: number; closed: 'completed' | 'waiting' }> {
  const t0 = performance.now();
  await postEvent(stack, newLead(leadId)).accepted;
  const handle = stack.client.workflow.getHandle(leadWorkflowId(leadId));
  // The touch must come after the SLA clock started, or the workflow rightly ignores it as older than the hand-off.
  const assigned = await waitForState(handle, (s) => s.sla?.status === 'running');
  const opp = `opp-${leadId}`;
  for (const e of [
    cloudEvent('lead.touched', leadId, { by: assigned.owner, channel: 'phone' }),
    cloudEvent('meeting.booked', leadId, { meetingId: `m-${leadId}` }),
    cloudEvent('opportunity.created', leadId, { opportunityId: opp, amount: 48000, currency: 'EUR' }),
    cloudEvent('opportunity.won', leadId, { opportunityId: opp, accountId: `acc-${leadId}`, arr: 48000 }),
  ]) {
    await postEvent(stack, e).accepted;
  }
  const won = await waitForState(handle, (st) => st.status === 'won');
  // Since the closed-lead grace period a won lead stays open on a timer instead of completing: count its history
  // once it has nothing left to do (no workflow task, no activity pending), whichever of the two it does.
  const closed = await quiescent(handle);
  const ms = performance.now() - t0;
  const types = (await stack.ledger.query<{ type: string }>('SELECT DISTINCT type FROM ledger_events WHERE lead_id = $1', [leadId])).map((r) => r.type);
  const missing = ['lead.assigned', 'sla.met', 'meeting.booked', 'deal.created', 'deal.won'].filter((t) => !types.includes(t));
  if (missing.length > 0 || won.sla?.status !== 'met') {
    throw new Error(`lifecycle of ${leadId} did not run through: SLA ${won.sla?.status ?? 'none'}, missing ledger rows ${missing.join(', ') || 'none'}`);
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

/** Queries with backoff until the lead reaches a state; only used where no latency is measured. */
async function waitForState(handle: WorkflowHandle, done: (s: LeadState) => boolean, timeoutMs = 30_000): Promise<LeadState> {
  const deadline = Date.now() + timeoutMs;
  let pause = 20;
  let last: LeadState | undefined;
  while (Date.now() < deadline) {
    try {
      last = await handle.query(leadStateQuery);
      if (done(last)) return last;
    } catch (e) {
      if (!/not found/i.test(String(e))) throw e;
    }
    await sleep(pause);
    pause = Math.min(pause * 2, 250);
  }
  throw new Error(`${handle.workflowId} did not get there in ${timeoutMs} ms; last status ${last?.status ?? 'none'}`);
}
