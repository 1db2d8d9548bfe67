// What the bench sends: signed CloudEvents to the ingest API (the CRM's path) and bare signal-with-starts (the floor).
import { randomUUID } from 'node:crypto';
import { midMarketLead } from '../test/support/leads.ts';
import { benchFloorSignal, benchFloorType } from './floorDefinitions.ts';
import type { Fired } from './load.ts';
import type { BenchStack } from './stack.ts';

export interface CloudEvent {
  specversion: '1.0';
  id: string;
  source: string;
  type: string;
  subject: string;
  time: string;
  data: Record<string, unknown>;
}

export function cloudEvent(type: string, subject: string, data: Record<string, unknown>): CloudEvent {
  return { specversion: '1.0', id: randomUUID(), source: '/crm/bench', type, subject, time: new Date().toISOString(), data };
}

/** A mid-market MQL (tier B, routed to the mid-market queue) with its own person and company. */
export function newLead(leadId: string): CloudEvent {
  const domain = `${leadId.toLowerCase()}.example`;
  return cloudEvent('lead.created', leadId, midMarketLead({ email: `jana.weber@${domain}`, domain, company: `Shop ${leadId} GmbH` }));
}

/** POSTs one event as a CRM would (signed, from the bench's CRM process); `accepted` rejects unless the answer is 202. */
export function postEvent(stack: BenchStack, event: CloudEvent): Fired {
  const sent = performance.now();
  const posted = stack.crm.post([event]);
  const accepted = posted.then(({ status, text }) => {
    if (status !== 202) throw new Error(`POST /v1/events answered ${status}: ${text.slice(0, 200)}`);
  });
  return {
    id: event.subject,
    sent,
    accepted,
    sentAt: posted.then(
      (p) => p.sent,
      () => undefined,
    ),
  };
}

/**
 * POSTs events as one signed batch (application/cloudevents-batch+json; a single event as itself) and answers how
 * many Temporal took: all on 202, on any other answer those its `accepted` list names (a 503 names what went through
 * before the failure), with the error kept for the report.
 */
export async function postBatch(stack: BenchStack, events: CloudEvent[]): Promise<{ accepted: number; error?: string }> {
  try {
    const { status, text } = await stack.crm.post(events);
    if (status === 202) return { accepted: events.length };
    let accepted = 0;
    try {
      accepted = (JSON.parse(text) as { accepted?: unknown[] }).accepted?.length ?? 0;
    } catch {
      // not JSON: nothing was named as accepted
    }
    return { accepted, error: `POST /v1/events answered ${status}: ${text.slice(0, 200)}` };
  } catch (e) {
    return { accepted: 0, error: (e as Error).message };
  }
}

/** Signal-with-start of the one-activity floor workflow, through the API's own client with the sink's deadline. */
export function startFloor(stack: BenchStack, workflowId: string): Fired {
  const sent = performance.now();
  const accepted = stack.client.withDeadline(Date.now() + 10_000, () =>
    stack.client.workflow.signalWithStart(benchFloorType, { workflowId, taskQueue: stack.taskQueue, args: [], signal: benchFloorSignal, signalArgs: [] }),
  );
  return { id: workflowId, sent, accepted };
}
