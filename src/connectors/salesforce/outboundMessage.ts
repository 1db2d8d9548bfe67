import { isUtf8 } from 'node:buffer';
import { XMLParser, XMLValidator } from 'fast-xml-parser';

/**
 * Salesforce Outbound Messages (a Flow's or workflow rule's "Outbound Message" action): the SOAP 1.1 request
 * `notifications` that Salesforce POSTs as text/xml, and the two answers it understands. Salesforce reads only the
 * `notificationsResponse` with `<Ack>true</Ack>`; anything else (another status, a fault, no answer) makes it send
 * the message again, with growing intervals, for up to 24 hours. Pure: no I/O.
 *
 * The WSDL Salesforce generates per message: `notifications` holds OrganizationId, ActionId, SessionId (nillable),
 * EnterpriseUrl, PartnerUrl and 1..100 `Notification`, each an `Id` (the notification's own id, the same on every
 * redelivery) and an `sObject` whose `xsi:type` names the object (`sf:Lead`) and whose children are the fields the
 * admin chose, in the `urn:sobject.enterprise.soap.sforce.com` namespace.
 */

export const MAX_NOTIFICATIONS = 100;
const SALESFORCE_ID = /^[A-Za-z0-9]{15}([A-Za-z0-9]{3})?$/;
/** A field's API name: standard (`Email`) or custom (`Segment__c`, `ns__Score__c`). */
const FIELD_NAME = /^[A-Za-z][A-Za-z0-9_]{0,79}$/;

/** A field value as the message carries it: text (numbers, booleans and dates too), or null for `xsi:nil`. */
export type FieldValue = string | null;

export interface OutboundNotification {
  /** The notification's id: the idempotency key of what it carries. */
  id: string;
  /** The sObject type from `xsi:type` (`Lead`, `Contact`, `Opportunity`, `Account`, ...). */
  objectType: string;
  /** The record's id (`sf:Id`); null when the record was deleted before Salesforce sent the message (no data). */
  recordId: string | null;
  /** Every field of the sObject by API name, including Id. */
  fields: Record<string, FieldValue>;
}

export interface OutboundMessage {
  organizationId: string;
  actionId: string;
  /** Only when the message is configured to send one; Flywheel never uses it (it has its own OAuth client). */
  sessionId: string | null;
  enterpriseUrl: string | null;
  partnerUrl: string | null;
  notifications: OutboundNotification[];
}

export type ParsedOutboundMessage = { ok: true; message: OutboundMessage } | { ok: false; detail: string };

const parser = new XMLParser({
  ignoreAttributes: false,
  attributeNamePrefix: '@_',
  // soapenv:Envelope -> Envelope, sf:Email -> Email, xsi:type -> type: the prefixes are the sender's choice.
  removeNSPrefix: true,
  // Every value stays text: the field mapping types it (an Id like 0012 must not become a number).
  parseTagValue: false,
  parseAttributeValue: false,
  trimValues: true,
  isArray: (_name: string, jpath: unknown) => jpath === 'Envelope.Body.notifications.Notification',
});

/**
 * Reads an Outbound Message. Refuses (with a reason fit for a SOAP fault, never echoing field values) a body that is
 * not UTF-8, not well-formed XML, carries a DTD (SOAP 1.1 forbids them; refusing them rules out entity expansion),
 * is not a SOAP envelope around `notifications`, or lacks what the WSDL requires.
 */
export function parseOutboundMessage(body: Buffer | string): ParsedOutboundMessage {
  if (Buffer.isBuffer(body) && !isUtf8(body)) return { ok: false, detail: 'the body is not UTF-8' };
  const text = Buffer.isBuffer(body) ? body.toString('utf8') : body;
  if (/<!DOCTYPE/i.test(text)) return { ok: false, detail: 'a SOAP message must not contain a DTD' };
  const valid = XMLValidator.validate(text);
  if (valid !== true) return { ok: false, detail: `the body is not well-formed XML (line ${valid.err.line}, column ${valid.err.col}: ${valid.err.msg})` };
  let doc: unknown;
  try {
    doc = parser.parse(text);
  } catch (e) {
    // fast-xml-parser refuses element names such as __proto__ or constructor outright.
    return { ok: false, detail: `the XML could not be read: ${(e as Error).message.replace(/^\[SECURITY\] /, '')}` };
  }
  const envelope = child(doc, 'Envelope');
  const n = child(child(envelope, 'Body'), 'notifications');
  if (!isObject(n)) return { ok: false, detail: 'not a SOAP envelope whose Body holds an Outbound Message (notifications)' };

  const organizationId = text1(n, 'OrganizationId');
  if (!organizationId || !SALESFORCE_ID.test(organizationId)) return { ok: false, detail: 'notifications/OrganizationId is missing or not a Salesforce id' };
  const actionId = text1(n, 'ActionId');
  if (!actionId || !SALESFORCE_ID.test(actionId)) return { ok: false, detail: 'notifications/ActionId is missing or not a Salesforce id' };

  const list = n.Notification;
  if (!Array.isArray(list) || list.length === 0) return { ok: false, detail: 'notifications holds no Notification' };
  if (list.length > MAX_NOTIFICATIONS) return { ok: false, detail: `notifications holds ${list.length} Notification elements; Salesforce sends at most ${MAX_NOTIFICATIONS}` };

  const notifications: OutboundNotification[] = [];
  for (const [i, item] of list.entries()) {
    const at = `Notification[${i + 1}]`;
    const id = text1(item, 'Id');
    if (!id || !SALESFORCE_ID.test(id)) return { ok: false, detail: `${at}/Id is missing or not a Salesforce id` };
    const sObject = child(item, 'sObject');
    if (sObject === undefined || sObject === '') {
      // No sObject at all: nothing to apply, but the notification is Salesforce's to forget (see recordId).
      notifications.push({ id, objectType: '(none)', recordId: null, fields: {} });
      continue;
    }
    if (!isObject(sObject)) return { ok: false, detail: `${at}/sObject is not an element with fields` };
    const type = typeof sObject['@_type'] === 'string' ? sObject['@_type'].replace(/^[^:]*:/, '') : '';
    if (!FIELD_NAME.test(type)) return { ok: false, detail: `${at}/sObject has no xsi:type naming its object (e.g. sf:Lead)` };
    const fields: Record<string, FieldValue> = {};
    for (const [name, value] of Object.entries(sObject)) {
      if (name.startsWith('@_')) continue;
      if (!FIELD_NAME.test(name)) return { ok: false, detail: `${at}/sObject has an element that is not a field name` };
      const v = fieldValue(value);
      if (v === undefined) return { ok: false, detail: `${at}/sObject/${name} is not a single value` };
      fields[name] = v;
    }
    // Salesforce documents that a notification of a record deleted before delivery carries no data: no Id then.
    const recordId = fields.Id ?? null;
    if (recordId !== null && !SALESFORCE_ID.test(recordId)) return { ok: false, detail: `${at}/sObject/Id is not a Salesforce id` };
    notifications.push({ id, objectType: type, recordId, fields });
  }
  return {
    ok: true,
    message: { organizationId, actionId, sessionId: text1(n, 'SessionId'), enterpriseUrl: text1(n, 'EnterpriseUrl'), partnerUrl: text1(n, 'PartnerUrl'), notifications },
  };
}

/** Whether two org ids name the same org: an 18-character id is the 15-character one plus a checksum suffix. */
export function sameOrganization(a: string, b: string): boolean {
  return a.slice(0, 15) === b.slice(0, 15);
}

const SOAP_ENV = 'http://schemas.xmlsoap.org/soap/envelope/';
const OUTBOUND_NS = 'http://soap.sforce.com/2005/09/outbound';

/** The documented acknowledgement: Salesforce removes the message from its queue once it reads `<Ack>true</Ack>`. */
export function ackEnvelope(): string {
  return (
    '<?xml version="1.0" encoding="UTF-8"?>' +
    `<soapenv:Envelope xmlns:soapenv="${SOAP_ENV}">` +
    '<soapenv:Body>' +
    `<notificationsResponse xmlns="${OUTBOUND_NS}"><Ack>true</Ack></notificationsResponse>` +
    '</soapenv:Body>' +
    '</soapenv:Envelope>'
  );
}

export interface FaultProblem {
  type: string;
  title: string;
  status: number;
  detail?: string;
}

/**
 * A SOAP 1.1 fault: `Client` when the request itself is wrong, `Server` when Flywheel could not take it now.
 * Salesforce treats it as "not acknowledged" and retries; its Outbound Message queue in Setup shows the fault string
 * as the delivery failure reason. The same facts as RFC 9457 problem details sit in `detail`, in the RFC's XML form.
 */
export function faultEnvelope(code: 'Client' | 'Server', p: FaultProblem): string {
  const reason = p.detail ? `${p.title}: ${p.detail}` : p.title;
  return (
    '<?xml version="1.0" encoding="UTF-8"?>' +
    `<soapenv:Envelope xmlns:soapenv="${SOAP_ENV}">` +
    '<soapenv:Body><soapenv:Fault>' +
    `<faultcode>soapenv:${code}</faultcode>` +
    `<faultstring>${escapeXml(reason)}</faultstring>` +
    '<detail><problem xmlns="urn:ietf:rfc:7807">' +
    `<type>${escapeXml(p.type)}</type><title>${escapeXml(p.title)}</title><status>${p.status}</status>` +
    (p.detail ? `<detail>${escapeXml(p.detail)}</detail>` : '') +
    '</problem></detail>' +
    '</soapenv:Fault></soapenv:Body>' +
    '</soapenv:Envelope>'
  );
}

export function escapeXml(s: string): string {
  return s.replace(/[<>&'"]/g, (c) => ({ '<': '&lt;', '>': '&gt;', '&': '&amp;', "'": '&apos;', '"': '&quot;' })[c]!);
}

function isObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

function child(v: unknown, name: string): unknown {
  return isObject(v) ? v[name] : undefined;
}

/** A simple element's text; null when absent, empty or `xsi:nil`. */
function text1(parent: unknown, name: string): string | null {
  const v = fieldValue(child(parent, name));
  return v ? v : null;
}

/** Text, null (`xsi:nil="true"` or an empty element), or undefined for anything that is not one value. */
function fieldValue(v: unknown): FieldValue | undefined {
  if (v === undefined || v === null) return null;
  if (typeof v === 'string') return v === '' ? null : v;
  if (isObject(v)) {
    const keys = Object.keys(v);
    if (keys.every((k) => k.startsWith('@_'))) return null;
    if (typeof v['#text'] === 'string' && keys.every((k) => k === '#text' || k.startsWith('@_'))) return v['#text'] === '' ? null : v['#text'];
  }
  return undefined;
}
