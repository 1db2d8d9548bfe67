import { createHmac } from 'node:crypto';

/**
 * HubSpot webhook batches shaped like the examples in HubSpot's webhooks documentation (a JSON array of subscription
 * events with objectId, eventId, subscriptionId, portalId, appId, occurredAt in milliseconds, subscriptionType,
 * attemptNumber, changeSource, sourceId, and propertyName / propertyValue for property changes), and the headers
 * HubSpot signs them with. The signature here is written from HubSpot's description independently of the
 * connector's code, so a test catches a connector that signs the wrong bytes.
 */

export interface WebhookEvent {
  objectId: number;
  eventId: number;
  subscriptionId: number;
  portalId: number;
  appId: number;
  occurredAt: number;
  subscriptionType: string;
  attemptNumber: number;
  changeSource?: string;
  sourceId?: string;
  changeFlag?: string;
  propertyName?: string;
  propertyValue?: string;
  objectTypeId?: string;
}

export interface Portal {
  portalId: number;
  appId: number;
}

let nextEventId = 3_816_279_340 + Math.floor(Math.random() * 1_000_000);
const eventId = () => nextEventId++;

/** `contact.creation` as HubSpot sends it for a contact created in the CRM UI. */
export function contactCreation(p: Portal, objectId: number, extra: Partial<WebhookEvent> = {}): WebhookEvent {
  return {
    objectId,
    changeFlag: 'CREATED',
    changeSource: 'CRM_UI',
    sourceId: 'userId:45678',
    eventId: eventId(),
    subscriptionId: 22,
    portalId: p.portalId,
    appId: p.appId,
    occurredAt: Date.now(),
    subscriptionType: 'contact.creation',
    attemptNumber: 0,
    ...extra,
  };
}

export function contactPropertyChange(p: Portal, objectId: number, propertyName: string, propertyValue: string, extra: Partial<WebhookEvent> = {}): WebhookEvent {
  return {
    objectId,
    propertyName,
    propertyValue,
    changeSource: 'CRM_UI',
    sourceId: 'userId:45678',
    eventId: eventId(),
    subscriptionId: 25,
    portalId: p.portalId,
    appId: p.appId,
    occurredAt: Date.now(),
    subscriptionType: 'contact.propertyChange',
    attemptNumber: 0,
    ...extra,
  };
}

export function dealCreation(p: Portal, objectId: number, extra: Partial<WebhookEvent> = {}): WebhookEvent {
  return {
    objectId,
    changeFlag: 'CREATED',
    changeSource: 'CRM_UI',
    sourceId: 'userId:45678',
    eventId: eventId(),
    subscriptionId: 31,
    portalId: p.portalId,
    appId: p.appId,
    occurredAt: Date.now(),
    subscriptionType: 'deal.creation',
    attemptNumber: 0,
    ...extra,
  };
}

export function dealStageChange(p: Portal, objectId: number, stage: string, extra: Partial<WebhookEvent> = {}): WebhookEvent {
  return {
    objectId,
    propertyName: 'dealstage',
    propertyValue: stage,
    changeSource: 'CRM_UI',
    sourceId: 'userId:45678',
    eventId: eventId(),
    subscriptionId: 32,
    portalId: p.portalId,
    appId: p.appId,
    occurredAt: Date.now(),
    subscriptionType: 'deal.propertyChange',
    attemptNumber: 0,
    ...extra,
  };
}

/** A subscription type Flywheel has no event for (HubSpot documents ticket and conversation subscriptions too). */
export function ticketCreation(p: Portal, objectId: number, extra: Partial<WebhookEvent> = {}): WebhookEvent {
  return {
    objectId,
    changeFlag: 'CREATED',
    changeSource: 'CRM_UI',
    sourceId: 'userId:45678',
    eventId: eventId(),
    subscriptionId: 41,
    portalId: p.portalId,
    appId: p.appId,
    occurredAt: Date.now(),
    subscriptionType: 'ticket.creation',
    attemptNumber: 0,
    ...extra,
  };
}

/** The same events delivered again: HubSpot bumps attemptNumber and signs with a new timestamp. */
export function redelivery(events: WebhookEvent[]): WebhookEvent[] {
  return events.map((e) => ({ ...e, attemptNumber: e.attemptNumber + 1 }));
}

/** HubSpot's v3 signature: base64(HMAC-SHA256(client secret, method + URI + body + timestamp in ms)). */
export function v3Headers(secret: string, url: string, body: string, timestampMs = Date.now(), method = 'POST'): Record<string, string> {
  const ts = String(timestampMs);
  const signature = createHmac('sha256', secret)
    .update(method + url + body + ts)
    .digest('base64');
  return {
    'content-type': 'application/json',
    'x-hubspot-signature-v3': signature,
    'x-hubspot-request-timestamp': ts,
    'user-agent': 'HubSpot Connect 2.0 (http://dev.hubspot.com/) (namespace: webhooks-nio-http-client) - WebhooksExecutorDaemon-executor',
  };
}

/** Posts a batch the way HubSpot does, signed for `url` (the target URL configured in the app). */
export async function postWebhook(
  url: string,
  secret: string,
  events: unknown,
  opts: { timestampMs?: number; signWith?: string; rawBody?: string } = {},
): Promise<{ status: number; headers: Headers; body: Record<string, unknown> }> {
  const body = opts.rawBody ?? JSON.stringify(events);
  const res = await fetch(url, { method: 'POST', headers: v3Headers(opts.signWith ?? secret, url, body, opts.timestampMs), body });
  const text = await res.text();
  return { status: res.status, headers: res.headers, body: text ? (JSON.parse(text) as Record<string, unknown>) : {} };
}

/** A HubSpot-like numeric record id nobody else uses on the shared dev server. */
export function freshObjectId(): number {
  return 10_000_000_000 + Math.floor(Math.random() * 89_999_999_999);
}
