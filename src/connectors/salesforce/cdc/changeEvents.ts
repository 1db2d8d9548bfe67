import type { FlywheelConfig } from '../../../config/types.ts';
import type { CrmEvent } from '../../../events/catalog.ts';
import { fieldMapFor, mapRecord, type SalesforceObjectType } from '../../mapping.ts';
import type { DecodedChangeEvent } from './avro.ts';
import type { IgnoredRow } from './replayStore.ts';

/**
 * Change Data Capture events -> Flywheel events. A Lead (or Contact) CREATE is lead.created with every mapped field;
 * an UPDATE is lead.updated with the mapped fields it changed (an update that changed none, such as Flywheel's own
 * OwnerId write-back, is ignored). An Opportunity belongs to the lead of its primary contact (ContactId), as with
 * Outbound Messages: a CREATE is opportunity.created (or won/lost when created closed); an UPDATE whose StageName
 * changed to a won or lost stage (connections.salesforce.opportunityStages) is opportunity.won / opportunity.lost.
 * Everything else is recorded as ignored with the reason: deletes, gap events (Salesforce sent no field values: the
 * record needs a re-read) and overflow events (a transaction too large to describe: a full re-read is needed).
 */

/** Salesforce's default stage names of a closed opportunity, used when opportunityStages names none. */
export const DEFAULT_OPPORTUNITY_STAGES = { won: ['Closed Won'], lost: ['Closed Lost'] };

/**
 * Reads what a change event leaves out (Pub/Sub API sends unchanged fields as null): the Opportunity's current
 * fields by REST name (ContactId, AccountId, Amount, ...), null when it no longer exists. Optional: without it an
 * Opportunity update is used only when the event itself carries what its Flywheel event needs.
 */
export type OpportunityLookup = (opportunityId: string) => Promise<Record<string, unknown> | null>;

export interface ChangeContext {
  config: FlywheelConfig;
  /** CloudEvent source of this org: salesforce://org/<org id>. */
  source: string;
  topic: string;
  /** The event's replay id, hex. */
  position: string;
  /** The Pub/Sub event id (a UUID for change events); empty when the server sent none. */
  eventId: string;
  lookupOpportunity?: OpportunityLookup;
}

export interface ChangeOutcome {
  events: CrmEvent[];
  ignored: IgnoredRow[];
}

/** The event's identity: its UUID, or topic and replay id when the server sent none. Stable across redeliveries. */
export function baseEventId(ctx: Pick<ChangeContext, 'eventId' | 'topic' | 'position'>): string {
  return ctx.eventId || `${ctx.topic}:${ctx.position}`;
}

/** One CloudEvent id per record: a merged change event (several recordIds) becomes one event per record. */
function cloudEventId(ctx: ChangeContext, recordIds: readonly string[], recordId: string): string {
  const base = baseEventId(ctx);
  return recordIds.length > 1 ? `${base}:${recordId}` : base;
}

const LEAD_ENTITIES: Record<string, SalesforceObjectType> = { Lead: 'Lead', Contact: 'Contact' };

export async function changeToEvents(change: DecodedChangeEvent, ctx: ChangeContext): Promise<ChangeOutcome> {
  const h = change.header;
  const sf = ctx.config.connections!.salesforce!;
  const time = new Date(h.commitTimestamp || Date.now()).toISOString();
  const events: CrmEvent[] = [];
  const ignored: IgnoredRow[] = [];
  const ignore = (recordId: string | null, reason: string, kind: IgnoredRow['kind'] = 'ignored') =>
    ignored.push({
      kind,
      position: ctx.position,
      eventId: baseEventId(ctx),
      recordId,
      entity: h.entityName || null,
      changeType: h.changeType || null,
      reason,
      occurredAt: h.commitTimestamp ? time : null,
    });
  const leadId = (recordId: string) => `${sf.leadIdPrefix ?? 'salesforce-'}${recordId}`;

  if (h.changeType === 'GAP_OVERFLOW') {
    ignore(
      null,
      `overflow event: one transaction changed more than Salesforce describes in change events, so no ${h.entityName} record ids or fields came for the rest; a full re-read of ${h.entityName} records changed at ${time} is needed`,
      'gap',
    );
    return { events, ignored };
  }
  if (h.changeType.startsWith('GAP_')) {
    const records = h.recordIds.length > 0 ? h.recordIds : [null];
    for (const r of records) ignore(r, `gap event (${h.changeType}): Salesforce could not send this change's fields; re-read the ${h.entityName} record to bring Flywheel up to date`, 'gap');
    return { events, ignored };
  }

  const objectType = LEAD_ENTITIES[h.entityName];
  if (objectType) {
    if (h.changeType !== 'CREATE' && h.changeType !== 'UPDATE') {
      for (const r of h.recordIds) ignore(r, `${h.changeType} of a ${h.entityName}: Flywheel has no event for it and keeps the lead as it is`);
      return { events, ignored };
    }
    const map = fieldMapFor(ctx.config, 'salesforce', objectType);
    const { facts, problems } = mapRecord(map, h.changeType === 'UPDATE' ? changedOnly(change) : change.fields);
    const unusable = problems.length > 0 ? ` (left out: ${problems.map((p) => `${p.property} ${p.detail}`).join('; ')})` : '';
    if (h.changeType === 'UPDATE' && Object.keys(facts).length === 0) {
      const changed = h.changedFields.filter((f) => !f.includes('.'));
      for (const r of h.recordIds) ignore(r, `no mapped field changed (changed: ${changed.join(', ') || 'none named'})${unusable}`);
      return { events, ignored };
    }
    for (const r of h.recordIds) {
      events.push({
        specversion: '1.0',
        id: cloudEventId(ctx, h.recordIds, r),
        source: ctx.source,
        type: h.changeType === 'CREATE' ? 'lead.created' : 'lead.updated',
        subject: leadId(r),
        time,
        data: { ...facts, crm: { system: 'salesforce', objectType, id: r } },
      });
    }
    return { events, ignored };
  }

  if (h.entityName === 'Opportunity') {
    for (const r of h.recordIds) {
      const out = await opportunityEvents(change, ctx, r, time, leadId);
      if ('reason' in out) ignore(r, out.reason);
      else events.push(...out.events);
    }
    return { events, ignored };
  }

  for (const r of h.recordIds.length > 0 ? h.recordIds : [null]) ignore(r, `Flywheel has no event for ${h.entityName} changes (subscribed to ${ctx.topic})`);
  return { events, ignored };
}

/**
 * The fields an update changed. Pub/Sub API sends unchanged fields as null already; the header's changedFields
 * (a component of a compound such as Name, or the whole compound) makes it exact. Without changedFields, the
 * non-null fields are the changes.
 */
export function changedOnly(change: DecodedChangeEvent): Record<string, unknown> {
  const named = change.header.changedFields;
  if (named.length === 0) return change.fields;
  const allowed = new Set(named);
  for (const [compound, components] of Object.entries(change.compounds)) if (allowed.has(compound)) for (const c of components) allowed.add(c);
  // A component named on its own (FirstName) also admits its dotted form (Name.FirstName), and the other way round.
  for (const components of Object.values(change.compounds)) {
    for (let i = 0; i + 1 < components.length; i += 2) {
      if (allowed.has(components[i]!) || allowed.has(components[i + 1]!)) {
        allowed.add(components[i]!);
        allowed.add(components[i + 1]!);
      }
    }
  }
  return Object.fromEntries(Object.entries(change.fields).filter(([k]) => allowed.has(k)));
}

async function opportunityEvents(
  change: DecodedChangeEvent,
  ctx: ChangeContext,
  opportunityId: string,
  time: string,
  leadId: (r: string) => string,
): Promise<{ events: CrmEvent[] } | { reason: string }> {
  const h = change.header;
  const sf = ctx.config.connections!.salesforce!;
  if (h.changeType !== 'CREATE' && h.changeType !== 'UPDATE') return { reason: `${h.changeType} of an Opportunity: Flywheel has no event for it` };
  if (h.changeType === 'UPDATE' && !h.changedFields.includes('StageName')) return { reason: 'the stage did not change' };
  const map = fieldMapFor(ctx.config, 'salesforce', 'Opportunity');
  let fields: Record<string, unknown> = change.fields;
  let stage = stageOf(mapRecord(map, fields).facts, fields);
  const stages = { won: sf.opportunityStages?.won ?? DEFAULT_OPPORTUNITY_STAGES.won, lost: sf.opportunityStages?.lost ?? DEFAULT_OPPORTUNITY_STAGES.lost };
  const outcome = stage !== null && stages.won.includes(stage) ? 'won' : stage !== null && stages.lost.includes(stage) ? 'lost' : 'open';
  if (h.changeType === 'UPDATE' && outcome === 'open') return { reason: `stage "${stage ?? '(none)'}" is neither won nor lost (connections.salesforce.opportunityStages)` };

  // Pub/Sub API sends what an update did not change as null: the primary contact, the account and the amount come
  // from a read of the record then. The event's own values are the newest and win.
  if (!fields.ContactId || (outcome === 'won' && (!fields.AccountId || fields.Amount === undefined))) {
    const read = ctx.lookupOpportunity ? await ctx.lookupOpportunity(opportunityId) : null;
    if (read) fields = { ...read, ...change.fields };
  }
  const { facts } = mapRecord(map, fields);
  stage = stageOf(facts, fields);
  const contactId = typeof fields.ContactId === 'string' && fields.ContactId ? fields.ContactId : null;
  if (!contactId) {
    return {
      reason: `the opportunity names no primary contact (ContactId): Flywheel finds the lead through it${ctx.lookupOpportunity ? '' : ' (the record could not be read: no Salesforce REST connection)'}`,
    };
  }
  const envelope = { specversion: '1.0' as const, id: cloudEventId(ctx, h.recordIds, opportunityId), source: ctx.source, subject: leadId(contactId), time };
  const amount = typeof facts.amount === 'number' ? facts.amount : null;
  const currency = typeof facts.currency === 'string' ? { currency: facts.currency } : {};
  if (outcome === 'lost') {
    const reason = typeof facts.reason === 'string' && facts.reason.trim() ? facts.reason : stage!;
    return { events: [{ ...envelope, type: 'opportunity.lost', data: { opportunityId, reason } }] };
  }
  if (outcome === 'won') {
    const accountId = typeof fields.AccountId === 'string' && fields.AccountId ? fields.AccountId : null;
    const arr = typeof facts.arr === 'number' ? facts.arr : amount;
    if (!accountId) return { reason: 'a won opportunity needs its AccountId (the customer account), and neither the change event nor a read of the record gave it' };
    if (arr === null) return { reason: 'a won opportunity needs an ARR: map an `arr` fact in connections.salesforce.fields.Opportunity or fill Amount' };
    const handoff = typeof facts.handoff === 'object' && facts.handoff !== null ? { handoff: facts.handoff } : {};
    const data = { opportunityId, accountId: `${sf.accountIdPrefix ?? 'salesforce-account-'}${accountId}`, arr, ...(amount !== null ? { amount } : {}), ...currency, ...handoff };
    return { events: [{ ...envelope, type: 'opportunity.won', data }] };
  }
  return { events: [{ ...envelope, type: 'opportunity.created', data: { opportunityId, amount: amount ?? 0, ...currency, ...(stage !== null ? { stage } : {}) } }] };
}

function stageOf(facts: Record<string, unknown>, fields: Record<string, unknown>): string | null {
  if (typeof facts.stage === 'string') return facts.stage;
  return typeof fields.StageName === 'string' ? fields.StageName : null;
}
