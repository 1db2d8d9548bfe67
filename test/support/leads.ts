import { randomUUID } from 'node:crypto';
import { eventKey } from '../../src/events/catalog.ts';
import type { LoadedConfig } from '../../src/config/types.ts';
import { deliver as deliverEvent } from '../../src/temporal/deliver.ts';
import { leadStateQuery, leadWorkflowId } from '../../workflows/definitions.ts';
import type { LeadEvent, LeadState } from '../../workflows/lead/types.ts';
import { eventually, queried } from './eventually.ts';
import type { TestHarness } from './temporal.ts';

/** A demo-request from a 450-person German online retailer: tier B, MQL, routed to the mid-market queue. */
export function midMarketLead(overrides: Record<string, unknown> = {}): Record<string, unknown> {
  return {
    email: 'jana.weber@shopco.example',
    firstName: 'Jana',
    lastName: 'Weber',
    title: 'Head of Analytics',
    company: 'ShopCo GmbH',
    domain: 'shopco.example',
    country: 'DE',
    employees: 450,
    industry: 'ecommerce',
    source: 'demo-request',
    ...overrides,
  };
}

export function leadEvent(type: LeadEvent['type'], subject: string, data: Record<string, unknown>, time = new Date().toISOString()): LeadEvent {
  const e = { id: randomUUID(), source: 'crm://test', type, subject, time, data };
  return { ...e, key: eventKey(e) };
}

/** Delivers like the ingest API: signal-with-start on the lead's workflow. */
export async function deliver(h: TestHarness, e: LeadEvent): Promise<void> {
  h.track(leadWorkflowId(e.subject));
  await deliverEvent(h.client, h.taskQueue, { entity: 'lead', id: e.subject, event: e });
}

export function leadState(h: TestHarness, leadId: string): Promise<LeadState> {
  return h.client.workflow.getHandle(leadWorkflowId(leadId)).query(leadStateQuery);
}

/** Queries until the lead's workflow reaches a state (see eventually). */
export function waitForState(h: TestHarness, leadId: string, done: (s: LeadState) => boolean, what: string, timeoutMs = 30_000): Promise<LeadState> {
  return eventually(
    () => queried(() => leadState(h, leadId)),
    done,
    (last) => `lead ${leadId} never reached "${what}"; last state: ${JSON.stringify(last && { status: last.status, owner: last.owner, sla: last.sla?.status, ignored: last.ignored })}`,
    timeoutMs,
  );
}

/** Opens every calendar around the clock, so dev-server tests do not depend on the hour they run at. */
export function alwaysOpen(loaded: LoadedConfig): void {
  const allDay = ['00:00-24:00'];
  for (const c of loaded.config.calendars) {
    c.hours = { mon: allDay, tue: allDay, wed: allDay, thu: allDay, fri: allDay, sat: allDay, sun: allDay };
    c.holidays = [];
  }
  for (const r of loaded.config.reps) delete r.outOfOffice;
}

/** Workflow ids matching a visibility query, once the query returns at least `min` (visibility lags a little). */
export function waitForList(h: TestHarness, query: string, min: number, timeoutMs = 15_000): Promise<string[]> {
  const list = async () => {
    const ids: string[] = [];
    for await (const w of h.client.workflow.list({ query })) ids.push(w.workflowId);
    return ids;
  };
  return eventually(
    list,
    (ids) => ids.length >= min,
    (ids) => `query ${query} returned ${ids?.length ?? 0} workflow(s), expected ${min}`,
    timeoutMs,
  );
}
