import type { FieldMap, FlywheelConfig, HubSpotConfig } from '../../config/types.ts';
import type { CrmEvent, EventType } from '../../events/catalog.ts';
import { validateEvent, type FieldError } from '../../events/validate.ts';
import type { LedgerEvent } from '../../ledger/types.ts';
import { factsFedBy, fieldMapFor, getFact, mapRecord, propertiesToRead, type CrmProperties, type MappingProblem } from '../mapping.ts';
import type { HubSpotReader, HubSpotRecordRead } from './reader.ts';

/**
 * HubSpot webhook batches -> Flywheel events. HubSpot posts a JSON array of subscription events; each names an
 * object and what happened to it, but carries at most one property value, so the current records are read (one
 * batch read per object type, of the configured properties) and mapped through the configuration's field maps.
 *
 *   contact.creation                         -> lead.created  (the contact's mapped facts)
 *   contact.propertyChange, mapped property  -> lead.updated  (the contact's current mapped facts)
 *   contact.propertyChange hubspot_owner_id  -> lead.updated  with crm.ownerId / crm.owner (a reassignment in HubSpot
 *                                               is recorded on the lead; Flywheel does not re-route for it)
 *   deal.creation                            -> opportunity.created (+ won/lost when it was created in such a stage)
 *   deal.propertyChange dealstage            -> opportunity.won / opportunity.lost by connections.hubspot.dealStages
 *   company.creation / propertyChange        -> lead.updated of the company's contacts Flywheel already knows,
 *                                               carrying the company's mapped facts
 * The lead of a deal is its associated contact (v4 associations; the smallest id when there are several).
 * Everything else (other subscription types, unmapped properties, deleted records, deals without a contact, and
 * changes this app made itself: Flywheel's own write-back coming back) is acknowledged and recorded as ignored
 * (`event.ignored` ledger rows), never dropped silently.
 *
 * Idempotency: HubSpot's eventId is not unique on its own, so a CloudEvent's id is the HubSpot event's identity
 * (subscription type, object, property, eventId, occurredAt) under the portal's source; a redelivery (new
 * attemptNumber) yields the same ids and is applied once.
 */

export interface HubSpotWebhookEvent {
  eventId: number;
  subscriptionId: number;
  portalId: number;
  appId: number;
  occurredAt: number;
  subscriptionType: string;
  attemptNumber?: number;
  objectId: number;
  /** Generic (object.*) subscriptions name the object type: 0-1 contact, 0-2 company, 0-3 deal. */
  objectTypeId?: string;
  propertyName?: string;
  propertyValue?: string;
  changeSource?: string;
  sourceId?: string;
  changeFlag?: string;
}

const REQUIRED_NUMBERS = ['eventId', 'subscriptionId', 'portalId', 'appId', 'occurredAt', 'objectId'] as const;
const OPTIONAL_STRINGS = ['objectTypeId', 'propertyName', 'propertyValue', 'changeSource', 'sourceId', 'changeFlag'] as const;
/** HubSpot sends at most 100 events per request; a few more are tolerated, a flood is not. */
export const MAX_EVENTS_PER_REQUEST = 1000;

export type Parsed = { ok: true; events: HubSpotWebhookEvent[] } | { ok: false; detail: string; errors: FieldError[] };

/** Checks the body's shape: an array of subscription events with the fields HubSpot documents. */
export function parseWebhookBatch(body: unknown): Parsed {
  if (!Array.isArray(body)) return { ok: false, detail: 'HubSpot posts a JSON array of subscription events', errors: [{ pointer: '', detail: 'must be an array' }] };
  if (body.length === 0) return { ok: false, detail: 'the batch is empty', errors: [{ pointer: '', detail: 'needs at least one event' }] };
  if (body.length > MAX_EVENTS_PER_REQUEST) return { ok: false, detail: `at most ${MAX_EVENTS_PER_REQUEST} events per request`, errors: [{ pointer: '', detail: `has ${body.length} events` }] };
  const errors: FieldError[] = [];
  body.forEach((e, i) => {
    if (typeof e !== 'object' || e === null || Array.isArray(e)) {
      errors.push({ pointer: `/${i}`, detail: 'must be an object' });
      return;
    }
    const o = e as Record<string, unknown>;
    for (const f of REQUIRED_NUMBERS) {
      if (!Number.isSafeInteger(o[f]) || (o[f] as number) < 0) errors.push({ pointer: `/${i}/${f}`, detail: o[f] === undefined ? 'is required' : 'must be a non-negative integer' });
    }
    if (o.attemptNumber !== undefined && (!Number.isSafeInteger(o.attemptNumber) || (o.attemptNumber as number) < 0))
      errors.push({ pointer: `/${i}/attemptNumber`, detail: 'must be a non-negative integer' });
    if (typeof o.subscriptionType !== 'string' || !/^[a-z_]+\.[A-Za-z_]+$/.test(o.subscriptionType)) {
      errors.push({ pointer: `/${i}/subscriptionType`, detail: o.subscriptionType === undefined ? 'is required' : 'must be a subscription type such as contact.creation' });
    }
    for (const f of OPTIONAL_STRINGS) {
      if (o[f] !== undefined && o[f] !== null && typeof o[f] !== 'string') errors.push({ pointer: `/${i}/${f}`, detail: 'must be a string' });
    }
  });
  if (errors.length > 0) return { ok: false, detail: `${errors.length} invalid field(s); nothing of the batch was applied`, errors };
  return { ok: true, events: body as HubSpotWebhookEvent[] };
}

/** Events of another app (or portal, when one is configured) are refused, each named. */
export function senderProblems(events: readonly HubSpotWebhookEvent[], hs: HubSpotConfig): FieldError[] {
  const out: FieldError[] = [];
  events.forEach((e, i) => {
    if (e.appId !== hs.appId) out.push({ pointer: `/${i}/appId`, detail: `app ${e.appId} is not this connector's app (connections.hubspot.appId)` });
    if (hs.portalId !== undefined && e.portalId !== hs.portalId) out.push({ pointer: `/${i}/portalId`, detail: `portal ${e.portalId} is not the configured portal (connections.hubspot.portalId)` });
  });
  return out;
}

/** The CloudEvent source of a portal. */
export const portalSource = (portalId: number): string => `hubspot://portal/${portalId}`;

/**
 * The event's identity across HubSpot's redeliveries: attemptNumber changes, these do not. eventId alone is not
 * unique (HubSpot says so), hence the subscription, object, property and time beside it.
 */
export function eventIdentity(e: HubSpotWebhookEvent): string {
  const type = e.objectTypeId ? `${e.subscriptionType}(${e.objectTypeId})` : e.subscriptionType;
  return [type, e.objectId, e.propertyName ?? '', e.eventId, e.occurredAt].join(':');
}

/**
 * Whether this app made the change: Flywheel's own write-back coming back as a webhook. HubSpot names the app in
 * `sourceId` (`app-<appId>`; plain `<appId>` is accepted too) for changes made through it (changeSource
 * INTEGRATION or API).
 */
export function isOwnWrite(e: HubSpotWebhookEvent, appId: number): boolean {
  const src = (e.sourceId ?? '').trim();
  if (src === '') return false;
  const id = /^(?:app-|appid:|app:)?(\d+)$/i.exec(src)?.[1];
  return id !== undefined && Number(id) === appId;
}

const OBJECT_TYPE_IDS: Record<string, 'contact' | 'company' | 'deal'> = { '0-1': 'contact', '0-2': 'company', '0-3': 'deal' };

/** `contact.creation` -> contact / creation; generic `object.propertyChange` with 0-3 -> deal / propertyChange. */
export function kindOf(e: HubSpotWebhookEvent): { object: string; action: string } {
  const [object = '', action = ''] = e.subscriptionType.split('.', 2);
  if (object === 'object' && e.objectTypeId) return { object: OBJECT_TYPE_IDS[e.objectTypeId] ?? `object(${e.objectTypeId})`, action };
  return { object, action };
}

export type IgnoredKind = 'echo' | 'unsupported' | 'unmapped' | 'no-record' | 'no-contact' | 'stage' | 'no-lead' | 'invalid';

export interface IgnoredEvent {
  event: HubSpotWebhookEvent;
  identity: string;
  kind: IgnoredKind;
  reason: string;
  leadId?: string;
}

export interface ResolvedBatch {
  events: CrmEvent[];
  ignored: IgnoredEvent[];
  /** CRM values the mapping (or the event schema) left out: record, fact and property names, never values. */
  dropped: (MappingProblem & { objectType: string; id: string })[];
}

export interface ResolveDeps {
  config: FlywheelConfig;
  reader: HubSpotReader;
  /** Which of these lead ids Flywheel already knows (company changes go to known leads only). */
  knownLeads(leadIds: string[]): Promise<Set<string>>;
}

/** Properties always read beside the mapped ones. */
const CONTACT_EXTRA = ['hubspot_owner_id'];
const DEAL_EXTRA = ['dealstage', 'amount', 'deal_currency_code', 'closed_lost_reason'];

type Planned =
  | { kind: 'contact'; e: HubSpotWebhookEvent; type: 'lead.created' | 'lead.updated'; owner: boolean }
  | { kind: 'deal'; e: HubSpotWebhookEvent; creation: boolean; stage: string | null }
  | { kind: 'company'; e: HubSpotWebhookEvent };

/**
 * Turns a verified batch into Flywheel events and ignored entries, reading what it needs from HubSpot. Throws the
 * reader's HubSpotReadError when a read fails: then nothing of the batch may be acknowledged.
 */
export async function resolveBatch(events: readonly HubSpotWebhookEvent[], deps: ResolveDeps): Promise<ResolvedBatch> {
  const hs = deps.config.connections!.hubspot!;
  const leadPrefix = hs.leadIdPrefix ?? 'hubspot-';
  const accountPrefix = hs.accountIdPrefix ?? 'hubspot-company-';
  const contactMap = fieldMapFor(deps.config, 'hubspot', 'contact');
  const companyMap = fieldMapFor(deps.config, 'hubspot', 'company');
  const dealMap = fieldMapFor(deps.config, 'hubspot', 'deal');
  const won = new Set(hs.dealStages?.won ?? ['closedwon']);
  const lost = new Set(hs.dealStages?.lost ?? ['closedlost']);
  const ignored: IgnoredEvent[] = [];
  const planned: Planned[] = [];
  const ignore = (e: HubSpotWebhookEvent, kind: IgnoredKind, reason: string, leadId?: string) => ignored.push({ event: e, identity: eventIdentity(e), kind, reason, leadId });

  for (const e of events) {
    const { object, action } = kindOf(e);
    const contactLead = object === 'contact' ? `${leadPrefix}${e.objectId}` : undefined;
    if (isOwnWrite(e, hs.appId)) {
      ignore(e, 'echo', `flywheel's own write (sourceId ${e.sourceId}, app ${hs.appId}) coming back from HubSpot`, contactLead);
      continue;
    }
    if (object === 'contact' && action === 'creation') planned.push({ kind: 'contact', e, type: 'lead.created', owner: false });
    else if (object === 'contact' && action === 'propertyChange') {
      const p = e.propertyName ?? '';
      if (p === 'hubspot_owner_id') planned.push({ kind: 'contact', e, type: 'lead.updated', owner: true });
      else if (factsFedBy(contactMap, p).length > 0) planned.push({ kind: 'contact', e, type: 'lead.updated', owner: false });
      else ignore(e, 'unmapped', `contact property ${JSON.stringify(p)} feeds no fact (connections.hubspot.properties.contact)`, contactLead);
    } else if (object === 'deal' && action === 'creation') planned.push({ kind: 'deal', e, creation: true, stage: null });
    else if (object === 'deal' && action === 'propertyChange') {
      if (e.propertyName !== 'dealstage') ignore(e, 'unmapped', `deal property ${JSON.stringify(e.propertyName ?? '')} changes no opportunity (only dealstage does)`);
      else {
        const stage = e.propertyValue ?? '';
        if (won.has(stage) || lost.has(stage)) planned.push({ kind: 'deal', e, creation: false, stage });
        else ignore(e, 'stage', `deal stage ${JSON.stringify(stage)} is neither won nor lost (connections.hubspot.dealStages)`);
      }
    } else if (object === 'company' && (action === 'creation' || action === 'propertyChange')) {
      if (action === 'propertyChange' && factsFedBy(companyMap, e.propertyName ?? '').length === 0) {
        ignore(e, 'unmapped', `company property ${JSON.stringify(e.propertyName ?? '')} feeds no fact (connections.hubspot.properties.company)`);
      } else planned.push({ kind: 'company', e });
    } else ignore(e, 'unsupported', `subscription type ${e.subscriptionType}${e.objectTypeId ? ` (${e.objectTypeId})` : ''} has no Flywheel event`, contactLead);
  }

  // HubSpot does not promise order within a batch: apply in time order (stable, so batch order breaks ties; the
  // events of one contact at one instant carry the same current record anyway).
  planned.sort((a, b) => a.e.occurredAt - b.e.occurredAt);

  // The reads: one batch read per object type (chunked by the reader), associations where deals and companies need them.
  const ids = (k: Planned['kind']) => [...new Set(planned.filter((p) => p.kind === k).map((p) => String(p.e.objectId)))];
  const contactIds = ids('contact');
  const dealIds = ids('deal');
  const companyIds = ids('company');
  const wonDealIds = [...new Set(planned.filter((p): p is Extract<Planned, { kind: 'deal' }> => p.kind === 'deal' && (p.creation || won.has(p.stage ?? ''))).map((p) => String(p.e.objectId)))];
  const none = async <T>() => new Map<string, T>();
  const [contacts, deals, companies, dealContacts, companyContacts] = await Promise.all([
    contactIds.length ? deps.reader.batchRead('contacts', contactIds, propertiesToRead(contactMap, CONTACT_EXTRA)) : none<HubSpotRecordRead>(),
    dealIds.length ? deps.reader.batchRead('deals', dealIds, propertiesToRead(dealMap, DEAL_EXTRA)) : none<HubSpotRecordRead>(),
    companyIds.length ? deps.reader.batchRead('companies', companyIds, propertiesToRead(companyMap)) : none<HubSpotRecordRead>(),
    dealIds.length ? deps.reader.associations('deals', 'contacts', dealIds) : none<string[]>(),
    companyIds.length ? deps.reader.associations('companies', 'contacts', companyIds) : none<string[]>(),
  ]);
  const dealCompanies = wonDealIds.length ? await deps.reader.associations('deals', 'companies', wonDealIds) : new Map<string, string[]>();
  const companyLeads = [...new Set([...companyContacts.values()].flat().map((id) => `${leadPrefix}${id}`))];
  const known = companyLeads.length ? await deps.knownLeads(companyLeads) : new Set<string>();

  const dropped: ResolvedBatch['dropped'] = [];
  const mapped = (objectType: string, map: FieldMap, rec: { id: string; properties: CrmProperties }) => {
    const m = mapRecord(map, rec.properties);
    for (const p of m.problems) dropped.push({ ...p, objectType, id: rec.id });
    return m;
  };
  const repByOwner = new Map(Object.entries(hs.owners ?? {}).map(([rep, owner]) => [owner, rep]));
  const out: CrmEvent[] = [];
  const sourceOf: HubSpotWebhookEvent[] = [];
  const emit = (e: HubSpotWebhookEvent, type: EventType, subject: string, data: Record<string, unknown>, suffix = '') => {
    sourceOf.push(e);
    out.push({
      specversion: '1.0',
      id: `${eventIdentity(e)}${suffix}`,
      source: portalSource(e.portalId),
      type,
      subject,
      time: new Date(e.occurredAt).toISOString(),
      datacontenttype: 'application/json',
      data,
    });
  };

  for (const p of planned) {
    const e = p.e;
    const id = String(e.objectId);
    if (p.kind === 'contact') {
      const leadId = `${leadPrefix}${id}`;
      const rec = contacts.get(id);
      if (!rec) {
        ignore(e, 'no-record', `HubSpot has no contact ${id} any more (deleted or merged)`, leadId);
        continue;
      }
      const { facts } = mapped('contact', contactMap, rec);
      const ownerId = rec.properties.hubspot_owner_id || null;
      const crm: Record<string, unknown> = { system: 'hubspot', objectType: 'contact', id, portalId: e.portalId };
      if (ownerId) {
        crm.ownerId = ownerId;
        const rep = repByOwner.get(ownerId);
        if (rep) crm.owner = rep;
      }
      if (p.owner) crm.ownerChangedAt = new Date(e.occurredAt).toISOString();
      emit(e, p.type, leadId, { ...facts, crm });
      continue;
    }
    if (p.kind === 'deal') {
      const rec = deals.get(id);
      if (!rec) {
        ignore(e, 'no-record', `HubSpot has no deal ${id} any more (deleted or merged)`);
        continue;
      }
      const contact = dealContacts.get(id)?.[0];
      if (!contact) {
        ignore(e, 'no-contact', `deal ${id} has no associated contact, so no lead to apply it to`);
        continue;
      }
      const leadId = `${leadPrefix}${contact}`;
      const { facts } = mapped('deal', dealMap, rec);
      const amount = typeof facts.amount === 'number' ? facts.amount : 0;
      const currency = typeof facts.currency === 'string' ? facts.currency : undefined;
      const company = dealCompanies.get(id)?.[0];
      const accountId = company ? `${accountPrefix}${company}` : `${accountPrefix}deal-${id}`;
      const wonData = () => {
        const arr = typeof getFact(facts, 'arr') === 'number' ? (getFact(facts, 'arr') as number) : amount;
        const handoff = getFact(facts, 'handoff');
        return {
          opportunityId: id,
          accountId,
          amount,
          arr,
          ...(currency ? { currency } : {}),
          ...(handoff && typeof handoff === 'object' ? { handoff } : {}),
          crm: { system: 'hubspot', objectType: 'deal', id, portalId: e.portalId },
        };
      };
      const lostData = () => {
        const why = rec.properties.closed_lost_reason?.trim();
        return {
          opportunityId: id,
          reason: why || `closed lost in HubSpot (dealstage ${rec.properties.dealstage ?? p.stage ?? 'unknown'})`,
          crm: { system: 'hubspot', objectType: 'deal', id, portalId: e.portalId },
        };
      };
      if (p.creation) {
        const stage = rec.properties.dealstage ?? undefined;
        emit(e, 'opportunity.created', leadId, {
          opportunityId: id,
          amount,
          ...(currency ? { currency } : {}),
          ...(stage ? { stage } : {}),
          crm: { system: 'hubspot', objectType: 'deal', id, portalId: e.portalId },
        });
        // A deal created already closed (an import, a quick win): both events, the close after the create.
        if (stage && won.has(stage)) emit(e, 'opportunity.won', leadId, wonData(), '/won');
        else if (stage && lost.has(stage)) emit(e, 'opportunity.lost', leadId, lostData(), '/lost');
      } else if (won.has(p.stage!)) emit(e, 'opportunity.won', leadId, wonData());
      else emit(e, 'opportunity.lost', leadId, lostData());
      continue;
    }
    const rec = companies.get(id);
    if (!rec) {
      ignore(e, 'no-record', `HubSpot has no company ${id} any more (deleted or merged)`);
      continue;
    }
    const leads = (companyContacts.get(id) ?? []).map((c) => `${leadPrefix}${c}`).filter((l) => known.has(l));
    if (leads.length === 0) {
      ignore(e, 'no-lead', `company ${id} has no contact Flywheel knows as a lead`);
      continue;
    }
    const { facts } = mapped('company', companyMap, rec);
    for (const leadId of leads) {
      // Company facts only: the lead's `crm` (its contact and owner) stays as the contact's events set it.
      emit(e, 'lead.updated', leadId, { ...facts }, `/${leadId.slice(leadPrefix.length)}`);
    }
  }
  // The schema has the last word: a fact it refuses is left out (named in `dropped`), and an event that still is not
  // valid is recorded as ignored, so one odd CRM value never makes HubSpot redeliver the whole batch forever.
  const valid: CrmEvent[] = [];
  for (const [i, ev] of out.entries()) {
    const fixed = withoutInvalidFacts(ev, (fact) => dropped.push({ fact, property: '', detail: 'refused by the event schema', objectType: ev.type, id: ev.subject }));
    if (fixed) valid.push(fixed);
    else {
      const source = sourceOf[i]!;
      ignore(
        source,
        'invalid',
        `the ${ev.type} built from HubSpot is not a valid Flywheel event: ${validateEvent(ev)
          .map((x) => `${x.pointer} ${x.detail}`)
          .join('; ')
          .slice(0, 300)}`,
      );
    }
  }
  return { events: valid, ignored, dropped };
}

/** The event with each top-level `data` field the schema refuses removed, or null when it is still invalid. */
function withoutInvalidFacts(ev: CrmEvent, onDrop: (fact: string) => void): CrmEvent | null {
  const errors = validateEvent(ev);
  if (errors.length === 0) return ev;
  const fields = new Set(errors.map((e) => /^\/data\/([^/]+)/.exec(e.pointer)?.[1]).filter((f): f is string => f !== undefined));
  if (fields.size === 0) return null;
  const data = { ...ev.data };
  for (const f of fields) {
    delete data[f];
    onDrop(f);
  }
  const fixed = { ...ev, data };
  return validateEvent(fixed).length === 0 ? fixed : null;
}

/** The `event.ignored` ledger rows of a batch: keyed by the HubSpot event identity, so a redelivery writes none. */
export function ignoredRows(ignored: readonly IgnoredEvent[]): LedgerEvent[] {
  return ignored.map((i) => ({
    key: `connector:hubspot:ignored:${portalSource(i.event.portalId)}#${i.identity}`,
    type: 'event.ignored',
    occurredAt: new Date(i.event.occurredAt).toISOString(),
    ...(i.leadId ? { leadId: i.leadId } : {}),
    data: {
      connector: 'hubspot',
      source: portalSource(i.event.portalId),
      id: i.identity,
      kind: i.kind,
      reason: i.reason,
      subscriptionType: i.event.subscriptionType,
      objectId: String(i.event.objectId),
      ...(i.event.propertyName ? { propertyName: i.event.propertyName } : {}),
      ...(i.event.changeSource ? { changeSource: i.event.changeSource } : {}),
      ...(i.event.sourceId ? { sourceId: i.event.sourceId } : {}),
      attemptNumber: i.event.attemptNumber ?? 0,
    },
  }));
}
