// What the bench sends: signed CloudEvents to the ingest API (the CRM's path) and bare signal-with-starts (the floor).
import { randomUUID } from 'node:crypto';
import http from 'node:http';
import { SIGNATURE_HEADER, sign, TIMESTAMP_HEADER } from '../src/events/signature.ts';
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

// The bench's own HTTP client shares this process's CPU with the worker, the API and the ledger, and that CPU counts
// against Flywheel: node:http over kept-alive sockets costs about a third of what fetch() (undici's WHATWG streams,
// Request and Response objects) did per request, measured in this process's profile.
const agent = new http.Agent({ keepAlive: true, maxSockets: 256 });

/** One POST over the bench's agent: the status and the body as text. */
function post(url: string, headers: Record<string, string>, body: string): Promise<{ status: number; text: string }> {
  return new Promise((resolve, reject) => {
    const req = http.request(url, { method: 'POST', agent, headers: { ...headers, 'content-length': String(Buffer.byteLength(body)) } }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, text: Buffer.concat(chunks).toString('utf8') }));
      res.on('error', reject);
    });
    req.on('error', reject);
    req.end(body);
  });
}

/** POSTs one event as a CRM would (signed); `accepted` rejects unless the answer is 202. */
export function postEvent(stack: BenchStack, event: CloudEvent): Fired {
  const body = JSON.stringify(event);
  const ts = String(Math.floor(Date.now() / 1000));
  const headers = { 'content-type': 'application/cloudevents+json', [TIMESTAMP_HEADER]: ts, [SIGNATURE_HEADER]: sign(stack.secret, ts, body) };
  const sent = performance.now();
  const accepted = post(`${stack.apiUrl}/v1/events`, headers, body).then(({ status, text }) => {
    if (status !== 202) throw new Error(`POST /v1/events answered ${status}: ${text.slice(0, 200)}`);
  });
  return { id: event.subject, sent, accepted };
}

/**
 * POSTs events as one signed batch (application/cloudevents-batch+json; a single event as itself) and answers how
 * many Temporal took: all on 202, on any other answer those its `accepted` list names (a 503 names what went through
 * before the failure), with the error kept for the report.
 */
export async function postBatch(stack: BenchStack, events: CloudEvent[]): Promise<{ accepted: number; error?: string }> {
  const batch = events.length > 1;
  const body = JSON.stringify(batch ? events : events[0]);
  const ts = String(Math.floor(Date.now() / 1000));
  const type = batch ? 'application/cloudevents-batch+json' : 'application/cloudevents+json';
  const headers = { 'content-type': type, [TIMESTAMP_HEADER]: ts, [SIGNATURE_HEADER]: sign(stack.secret, ts, body) };
  try {
    const { status, text } = await post(`${stack.apiUrl}/v1/events`, headers, body);
    if (status === 202) return { accepted: events.length };
    let accepted = 0;
    try {
      accepted = (JSON.parse(text) as { accepted?: unknown[] }).accepted?.length ?? 0;
    } catch {
      // not JSON: nothing was named as accepted
    }
    return { accepted, error: `POST /v1/events answered ${status}: ${text.slice(0, 200)}` };
  } catch (e) {
    return { accepted: 0, error: `POST /v1/events failed: ${(e as Error).message}` };
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
