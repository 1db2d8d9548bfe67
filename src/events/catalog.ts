/**
 * Every CRM event type Flywheel accepts, with the schema of its `data` and the workflow its subject names.
 * One table, so the API, the OpenAPI document and the workflows cannot disagree about the contract.
 */
export const EVENT_TYPES = {
  'lead.created': { schema: 'lead.created', entity: 'lead' },
  'lead.updated': { schema: 'lead.created', entity: 'lead' },
  'lead.touched': { schema: 'lead.touched', entity: 'lead' },
  'meeting.booked': { schema: 'meeting.booked', entity: 'lead' },
  'opportunity.created': { schema: 'opportunity.created', entity: 'lead' },
  'opportunity.won': { schema: 'opportunity.won', entity: 'lead' },
  'opportunity.lost': { schema: 'opportunity.lost', entity: 'lead' },
  // An open lead from the CRM or a file (flywheel import leads): kept in its stage with its owner unless it asks to be routed.
  'lead.imported': { schema: 'lead.imported', entity: 'lead' },
  'account.kickoff_held': { schema: 'account.kickoff_held', entity: 'account' },
  'account.health_reported': { schema: 'account.health_reported', entity: 'account' },
  'account.renewed': { schema: 'account.renewed', entity: 'account' },
  'account.expanded': { schema: 'account.expanded', entity: 'account' },
  'account.contracted': { schema: 'account.contracted', entity: 'account' },
  'account.churned': { schema: 'account.churned', entity: 'account' },
  // Stop and restart a hand-off clock (a prospect asks to be called next week, a customer moves the kickoff).
  'lead.sla_paused': { schema: 'clock.paused', entity: 'lead' },
  'lead.sla_resumed': { schema: 'clock.resumed', entity: 'lead' },
  'account.kickoff_paused': { schema: 'clock.paused', entity: 'account' },
  'account.kickoff_resumed': { schema: 'clock.resumed', entity: 'account' },
  // The subject is the referring customer; the referred contact becomes a new lead.
  'referral.submitted': { schema: 'referral.submitted', entity: 'account' },
  // An existing customer brought in by an import (issue 14): starts the account in its current state.
  'account.imported': { schema: 'account.imported', entity: 'account' },
} as const satisfies Record<string, { schema: string; entity: 'lead' | 'account' }>;

export type EventType = keyof typeof EVENT_TYPES;
/** The event types whose subject is a record of `entity`: the workflows' event unions derive from this table. */
export type EventTypeOf<E extends 'lead' | 'account'> = { [K in EventType]: (typeof EVENT_TYPES)[K]['entity'] extends E ? K : never }[EventType];

export interface CrmEvent<D = Record<string, unknown>> {
  specversion: '1.0';
  id: string;
  source: string;
  type: EventType;
  subject: string;
  time: string;
  data: D;
  [extension: string]: unknown;
}

export function isKnownEventType(t: unknown): t is EventType {
  return typeof t === 'string' && Object.hasOwn(EVENT_TYPES, t);
}

/** Redelivery of the same CloudEvent (same source and id) must have no second effect. */
export function eventKey(e: Pick<CrmEvent, 'source' | 'id'>): string {
  return `${e.source}#${e.id}`;
}

export function workflowIdFor(e: Pick<CrmEvent, 'type' | 'subject'>): string {
  return `${EVENT_TYPES[e.type].entity}:${e.subject}`;
}
