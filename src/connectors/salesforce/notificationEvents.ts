import type { FlywheelConfig, SalesforceConfig } from '../../config/types.ts';
import type { CrmEvent, EventType } from '../../events/catalog.ts';
import { fieldMapFor, mapRecord, type MappingProblem } from '../mapping.ts';
import type { CrmIdentity } from '../writeBack.ts';
import type { OutboundMessage, OutboundNotification } from './outboundMessage.ts';

/**
 * Outbound Message notifications -> Flywheel events. Pure: no I/O.
 *
 * - Every event's CloudEvent `id` is the notification's Id and its `source` is `salesforce://org/<OrganizationId>`:
 *   Salesforce resends a message with the same notification ids, so a redelivery has the same `<source>#<id>` key and
 *   the lead's workflow applies it once.
 * - Lead and Contact: `lead.created` when the message shows the record was never modified since it was created
 *   (CreatedDate = LastModifiedDate, both among the message's fields), else `lead.updated`. The lead workflow treats
 *   both alike (the first one starts it; each merges the facts), so the distinction is informational and an update
 *   for a lead Flywheel has not seen yet simply starts it. The lead id is `leadIdPrefix` + the record id.
 * - Opportunity: its lead is its primary contact (`ContactId`), i.e. Flywheel lead `leadIdPrefix` + ContactId.
 *   StageName in `opportunityStages.won` -> `opportunity.won` (account `accountIdPrefix` + AccountId, ARR from the
 *   mapped `arr` fact, else Amount); in `.lost` -> `opportunity.lost` (reason from a mapped `reason` fact, else the
 *   stage); any other stage -> `opportunity.created` (amount 0 when the opportunity has none yet).
 * - Anything else (Account, Case, an opportunity without a contact, a record deleted before the message was sent)
 *   is acknowledged without an event, with the reason.
 */

export interface IgnoredNotification {
  notificationId: string;
  objectType: string;
  recordId: string | null;
  reason: string;
}

export interface NotificationEvents {
  events: CrmEvent[];
  ignored: IgnoredNotification[];
  /** Field values the mapping left out (named by field, never by value). */
  problems: (MappingProblem & { notificationId: string })[];
}

export function salesforceSource(organizationId: string): string {
  return `salesforce://org/${organizationId}`;
}

export function notificationEvents(message: OutboundMessage, config: FlywheelConfig, now: Date = new Date()): NotificationEvents {
  const sf = config.connections?.salesforce;
  if (!sf) throw new Error('connections.salesforce is not configured');
  const out: NotificationEvents = { events: [], ignored: [], problems: [] };
  const source = salesforceSource(message.organizationId);
  for (const n of message.notifications) {
    const r = eventFor(n, sf, config, source, now);
    if ('reason' in r) out.ignored.push({ notificationId: n.id, objectType: n.objectType, recordId: n.recordId, reason: r.reason });
    else out.events.push(r.event);
    if (r.problems) out.problems.push(...r.problems.map((p) => ({ ...p, notificationId: n.id })));
  }
  return out;
}

type One = { event: CrmEvent; problems: MappingProblem[] } | { reason: string; problems?: MappingProblem[] };

function eventFor(n: OutboundNotification, sf: SalesforceConfig, config: FlywheelConfig, source: string, now: Date): One {
  const leadPrefix = sf.leadIdPrefix ?? 'salesforce-';
  const time = eventTime(n, now);
  const recordId = n.recordId;
  if (recordId === null) return { reason: 'the record was deleted before Salesforce sent the message: the notification carries no data' };
  const event = (type: EventType, subject: string, data: Record<string, unknown>): CrmEvent => ({ specversion: '1.0', id: n.id, source, type, subject, time, data });

  if (n.objectType === 'Lead' || n.objectType === 'Contact') {
    const { facts, problems } = mapRecord(fieldMapFor(config, 'salesforce', n.objectType), n.fields);
    const crm: CrmIdentity = { system: 'salesforce', objectType: n.objectType, id: recordId };
    const created = n.fields.CreatedDate && n.fields.CreatedDate === n.fields.LastModifiedDate;
    return { event: event(created ? 'lead.created' : 'lead.updated', `${leadPrefix}${recordId}`, { ...facts, crm }), problems };
  }

  if (n.objectType === 'Opportunity') {
    const { facts, problems } = mapRecord(fieldMapFor(config, 'salesforce', 'Opportunity'), n.fields);
    const contactId = n.fields.ContactId;
    if (!contactId) return { reason: 'the opportunity names no primary contact: add ContactId to the outbound message fields (Flywheel finds the lead through it)', problems };
    const subject = `${leadPrefix}${contactId}`;
    const stage = typeof facts.stage === 'string' ? facts.stage : (n.fields.StageName ?? null);
    const amount = typeof facts.amount === 'number' ? facts.amount : null;
    const currency = typeof facts.currency === 'string' ? { currency: facts.currency } : {};
    const opportunityId = recordId;
    if (stage !== null && (sf.opportunityStages?.won ?? ['Closed Won']).includes(stage)) {
      const accountId = n.fields.AccountId;
      const arr = typeof facts.arr === 'number' ? facts.arr : amount;
      if (!accountId) return { reason: 'a won opportunity needs AccountId among the outbound message fields (the customer account)', problems };
      if (arr === null) return { reason: 'a won opportunity needs an ARR: map an `arr` fact in connections.salesforce.fields.Opportunity or send Amount', problems };
      const handoff = typeof facts.handoff === 'object' && facts.handoff !== null ? { handoff: facts.handoff } : {};
      return {
        event: event('opportunity.won', subject, {
          opportunityId,
          accountId: `${sf.accountIdPrefix ?? 'salesforce-account-'}${accountId}`,
          arr,
          ...(amount !== null ? { amount } : {}),
          ...currency,
          ...handoff,
        }),
        problems,
      };
    }
    if (stage !== null && (sf.opportunityStages?.lost ?? ['Closed Lost']).includes(stage)) {
      const reason = typeof facts.reason === 'string' && facts.reason.trim() ? facts.reason : stage;
      return { event: event('opportunity.lost', subject, { opportunityId, reason }), problems };
    }
    return { event: event('opportunity.created', subject, { opportunityId, amount: amount ?? 0, ...currency, ...(stage !== null ? { stage } : {}) }), problems };
  }

  return { reason: `Flywheel takes Lead, Contact and Opportunity notifications; ${n.objectType} is acknowledged and not used` };
}

/** The record's last change (LastModifiedDate, else SystemModstamp) orders updates; else the time it arrived. */
function eventTime(n: OutboundNotification, now: Date): string {
  for (const f of ['LastModifiedDate', 'SystemModstamp']) {
    const v = n.fields[f];
    if (v && /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?(Z|[+-]\d{2}:\d{2})$/.test(v) && Number.isFinite(Date.parse(v))) return new Date(Date.parse(v)).toISOString();
  }
  return now.toISOString();
}
