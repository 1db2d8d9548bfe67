import { fileURLToPath } from 'node:url';
import { XMLParser } from 'fast-xml-parser';
import { describe, expect, it } from 'vitest';
import { loadConfig } from '../../../src/config/load.ts';
import type { FlywheelConfig, SalesforceConfig } from '../../../src/config/types.ts';
import { validateBatch } from '../../../src/events/validate.ts';
import { notificationEvents } from '../../../src/connectors/salesforce/notificationEvents.ts';
import { ackEnvelope, faultEnvelope, parseOutboundMessage, sameOrganization, type OutboundMessage } from '../../../src/connectors/salesforce/outboundMessage.ts';
import { outboundMessageXml, type NotificationSpec } from '../../contracts/salesforce/outboundMessage.ts';

const ORG = '00D5g000004SmKxEAK';
const LEAD = '00Q5g00000BkXyZEAV';

/** A Lead notification with the fields an admin typically picks for Flywheel. */
function leadNotification(over: Partial<NotificationSpec['fields']> = {}, id = '04l5g000002AbCdAAK'): NotificationSpec {
  return {
    id,
    type: 'Lead',
    fields: {
      Id: LEAD,
      FirstName: 'Jana',
      LastName: 'Weber',
      Email: 'jana.weber@shopco.example',
      Company: 'ShopCo GmbH',
      Website: 'https://www.shopco.example/',
      Country: 'Germany',
      NumberOfEmployees: 450,
      Industry: 'ecommerce',
      LeadSource: 'demo-request',
      Title: null,
      CreatedDate: '2026-05-04T08:00:00.000Z',
      LastModifiedDate: '2026-05-04T08:00:00.000Z',
      ...over,
    },
  };
}

function config(sf: Partial<SalesforceConfig> = {}): FlywheelConfig {
  const loaded = loadConfig(fileURLToPath(new URL('../../../config/flywheel.yaml', import.meta.url)));
  loaded.config.connections = { ...loaded.config.connections, salesforce: { organizationId: ORG, ...sf } };
  return loaded.config;
}

function parsed(xml: string): OutboundMessage {
  const r = parseOutboundMessage(Buffer.from(xml));
  if (!r.ok) throw new Error(r.detail);
  return r.message;
}

describe('Outbound Message SOAP envelope', () => {
  it('reads the documented notifications shape: org, action, nil session, URLs, each notification and its sObject fields', () => {
    const m = parsed(outboundMessageXml({ organizationId: ORG, notifications: [leadNotification()] }));
    expect(m).toMatchObject({
      organizationId: ORG,
      actionId: '04k5g000000TcLbAAK',
      sessionId: null,
      enterpriseUrl: `https://northwind.my.salesforce.com/services/Soap/c/62.0/${ORG.slice(0, 15)}`,
      partnerUrl: `https://northwind.my.salesforce.com/services/Soap/u/62.0/${ORG.slice(0, 15)}`,
    });
    expect(m.notifications).toEqual([
      {
        id: '04l5g000002AbCdAAK',
        objectType: 'Lead',
        recordId: LEAD,
        fields: expect.objectContaining({ Id: LEAD, Email: 'jana.weber@shopco.example', NumberOfEmployees: '450', Title: null, Company: 'ShopCo GmbH' }),
      },
    ]);
  });

  it('keeps text exactly (entities decoded, ids never turned into numbers) and reads a session id when one is sent', () => {
    const m = parsed(outboundMessageXml({ organizationId: ORG, sessionId: '00D5g!AQ0AQ.session', notifications: [leadNotification({ Company: 'Müller & Söhne <GmbH>', Phone: '0049301234' })] }));
    expect(m.sessionId).toBe('00D5g!AQ0AQ.session');
    expect(m.notifications[0]!.fields.Company).toBe('Müller & Söhne <GmbH>');
    expect(m.notifications[0]!.fields.Phone).toBe('0049301234');
  });

  it('reads up to 100 notifications in order, and refuses 101', () => {
    const many = Array.from({ length: 100 }, (_, i) => leadNotification({ Id: `00Q5g00000Bk${String(i).padStart(3, '0')}EAV` }, `04l5g000002Ab${String(i).padStart(3, '0')}AK`));
    expect(parsed(outboundMessageXml({ organizationId: ORG, notifications: many })).notifications.map((n) => n.id)).toEqual(many.map((n) => n.id));
    const tooMany = parseOutboundMessage(outboundMessageXml({ organizationId: ORG, notifications: [...many, leadNotification({}, '04l5g000002AbZZZAK')] }));
    expect(tooMany).toEqual({ ok: false, detail: 'notifications holds 101 Notification elements; Salesforce sends at most 100' });
  });

  it('refuses what is not an Outbound Message, naming why and never echoing field values', () => {
    const good = outboundMessageXml({ organizationId: ORG, notifications: [leadNotification()] });
    const cases: [string, string | Buffer, RegExp][] = [
      ['truncated XML', good.slice(0, -30), /not well-formed XML/],
      ['a DTD', good.replace('<soapenv:Envelope', '<!DOCTYPE x [<!ENTITY a "aaaa">]><soapenv:Envelope'), /must not contain a DTD/],
      ['not UTF-8', Buffer.concat([Buffer.from(good.slice(0, 200)), Buffer.from([0xff, 0xfe]), Buffer.from(good.slice(200))]), /not UTF-8/],
      ['another SOAP call', good.replace(/notifications/g, 'upsert'), /not a SOAP envelope whose Body holds an Outbound Message/],
      ['no Notification', outboundMessageXml({ organizationId: ORG, notifications: [] }), /holds no Notification/],
      ['a bad OrganizationId', good.replace(`<OrganizationId>${ORG}`, '<OrganizationId>org-1'), /OrganizationId is missing or not a Salesforce id/],
      ['a notification without Id', good.replace('<Id>04l5g000002AbCdAAK</Id>', ''), /Notification\[1\]\/Id is missing/],
      ['an sObject without xsi:type', good.replace(' xsi:type="sf:Lead"', ''), /has no xsi:type/],
      ['an sObject whose Id is not an id', good.replace(`<sf:Id>${LEAD}</sf:Id>`, '<sf:Id>lead-1</sf:Id>'), /sObject\/Id is not a Salesforce id/],
      ['an element named __proto__', good.replace('<sf:FirstName>', '<sf:__proto__>x</sf:__proto__><sf:FirstName>'), /could not be read|not a field name/],
      ['a nested element as a field', good.replace('<sf:FirstName>Jana</sf:FirstName>', '<sf:FirstName><a>Jana</a></sf:FirstName>'), /FirstName is not a single value/],
    ];
    for (const [what, body, reason] of cases) {
      const r = parseOutboundMessage(body);
      expect({ what, ok: r.ok }).toEqual({ what, ok: false });
      if (!r.ok) {
        expect(r.detail, what).toMatch(reason);
        expect(r.detail, what).not.toContain('jana.weber');
      }
    }
  });

  it('answers with the documented Ack, and faults carrying the problem details', () => {
    const xml = new XMLParser({ removeNSPrefix: true, parseTagValue: false });
    expect(xml.parse(ackEnvelope()).Envelope.Body).toEqual({ notificationsResponse: { Ack: 'true' } });
    const fault = xml.parse(faultEnvelope('Client', { type: '/problems/forbidden', title: 'Request refused', status: 403, detail: 'org <x> & co' })).Envelope.Body.Fault;
    expect(fault).toEqual({
      faultcode: 'soapenv:Client',
      faultstring: 'Request refused: org <x> & co',
      detail: { problem: { type: '/problems/forbidden', title: 'Request refused', status: '403', detail: 'org <x> & co' } },
    });
  });

  it('compares org ids on their case-sensitive 15 characters', () => {
    expect(sameOrganization(ORG, ORG.slice(0, 15))).toBe(true);
    expect(sameOrganization(ORG, '00D5g000004SmKyEAK')).toBe(false);
    expect(sameOrganization(ORG, ORG.toLowerCase())).toBe(false);
  });
});

describe('Outbound Message notifications -> Flywheel events', () => {
  it('a new Lead becomes lead.created for salesforce-<id>, keyed by the notification id, with mapped facts and its CRM identity', () => {
    const { events, ignored, problems } = notificationEvents(parsed(outboundMessageXml({ organizationId: ORG, notifications: [leadNotification()] })), config());
    expect(ignored).toEqual([]);
    expect(problems).toEqual([]);
    expect(events).toEqual([
      {
        specversion: '1.0',
        id: '04l5g000002AbCdAAK',
        source: `salesforce://org/${ORG}`,
        type: 'lead.created',
        subject: `salesforce-${LEAD}`,
        time: '2026-05-04T08:00:00.000Z',
        data: {
          email: 'jana.weber@shopco.example',
          firstName: 'Jana',
          lastName: 'Weber',
          company: 'ShopCo GmbH',
          domain: 'shopco.example',
          country: 'DE',
          employees: 450,
          industry: 'ecommerce',
          source: 'demo-request',
          crm: { system: 'salesforce', objectType: 'Lead', id: LEAD },
        },
      },
    ]);
    expect(validateBatch(events)).toEqual([]);
  });

  it('a changed Lead or Contact is lead.updated at its LastModifiedDate; a value the mapping cannot use is named, not sent', () => {
    const contact: NotificationSpec = {
      id: '04l5g000002AbCeAAK',
      type: 'Contact',
      fields: { Id: '0035g00000XyZabAAB', Email: 'max@acme.example', MailingCountry: 'Atlantis', LastModifiedDate: '2026-05-04T09:30:00.000Z' },
    };
    const lead = leadNotification({ LastModifiedDate: '2026-05-04T09:00:00.000Z', NumberOfEmployees: 'about 400' });
    const { events, problems } = notificationEvents(parsed(outboundMessageXml({ organizationId: ORG, notifications: [lead, contact] })), config());
    expect(events.map((e) => [e.type, e.subject, e.time])).toEqual([
      ['lead.updated', `salesforce-${LEAD}`, '2026-05-04T09:00:00.000Z'],
      ['lead.updated', 'salesforce-0035g00000XyZabAAB', '2026-05-04T09:30:00.000Z'],
    ]);
    expect(events[0]!.data).not.toHaveProperty('employees');
    expect(events[1]!.data).toEqual({ email: 'max@acme.example', crm: { system: 'salesforce', objectType: 'Contact', id: '0035g00000XyZabAAB' } });
    expect(problems).toEqual([
      { notificationId: lead.id, fact: 'employees', property: 'NumberOfEmployees', detail: 'is not a number' },
      { notificationId: contact.id, fact: 'country', property: 'MailingCountry', detail: 'is not an ISO 3166-1 alpha-2 code or a country name' },
    ]);
    expect(validateBatch(events)).toEqual([]);
  });

  it('an Opportunity reaches the lead of its primary contact: open stages create, won hands the account over, lost names the reason', () => {
    const contact = '0035g00000XyZabAAB';
    const opp = (id: string, StageName: string, extra: Record<string, string | null> = {}): NotificationSpec => ({
      id,
      type: 'Opportunity',
      fields: { Id: '0065g00000Opp01AAA', StageName, Amount: '48000.0', ContactId: contact, AccountId: '0015g00000Acc01AAA', ...extra },
    });
    const cfg = config({ opportunityStages: { won: ['Closed Won', 'Signed'], lost: ['Closed Lost'] }, fields: { Opportunity: { amount: 'Amount', stage: 'StageName', reason: 'Loss_Reason__c' } } });
    const m = parsed(
      outboundMessageXml({
        organizationId: ORG,
        notifications: [
          opp('04l5g000002Opp1AAA', 'Proposal/Price Quote'),
          opp('04l5g000002Opp2AAA', 'Signed'),
          opp('04l5g000002Opp3AAA', 'Closed Lost', { Loss_Reason__c: 'Budget' }),
          opp('04l5g000002Opp4AAA', 'Closed Lost'),
        ],
      }),
    );
    const { events, ignored } = notificationEvents(m, cfg);
    expect(ignored).toEqual([]);
    expect(events.map((e) => ({ type: e.type, subject: e.subject, data: e.data }))).toEqual([
      { type: 'opportunity.created', subject: `salesforce-${contact}`, data: { opportunityId: '0065g00000Opp01AAA', amount: 48000, stage: 'Proposal/Price Quote' } },
      { type: 'opportunity.won', subject: `salesforce-${contact}`, data: { opportunityId: '0065g00000Opp01AAA', accountId: 'salesforce-account-0015g00000Acc01AAA', arr: 48000, amount: 48000 } },
      { type: 'opportunity.lost', subject: `salesforce-${contact}`, data: { opportunityId: '0065g00000Opp01AAA', reason: 'Budget' } },
      { type: 'opportunity.lost', subject: `salesforce-${contact}`, data: { opportunityId: '0065g00000Opp01AAA', reason: 'Closed Lost' } },
    ]);
    expect(validateBatch(events)).toEqual([]);
  });

  it('acknowledges without an event what Flywheel cannot place: an Account, an opportunity without contact or account', () => {
    const m = parsed(
      outboundMessageXml({
        organizationId: ORG,
        notifications: [
          { id: '04l5g000002Acc1AAA', type: 'Account', fields: { Id: '0015g00000Acc01AAA', Name: 'Acme' } },
          { id: '04l5g000002Opp5AAA', type: 'Opportunity', fields: { Id: '0065g00000Opp02AAA', StageName: 'Prospecting', Amount: '1000' } },
          { id: '04l5g000002Opp6AAA', type: 'Opportunity', fields: { Id: '0065g00000Opp03AAA', StageName: 'Closed Won', Amount: '1000', ContactId: '0035g00000XyZabAAB' } },
        ],
      }),
    );
    const { events, ignored } = notificationEvents(m, config());
    expect(events).toEqual([]);
    expect(ignored.map((i) => [i.notificationId, i.objectType, i.reason])).toEqual([
      ['04l5g000002Acc1AAA', 'Account', expect.stringContaining('Account is acknowledged and not used')],
      ['04l5g000002Opp5AAA', 'Opportunity', expect.stringContaining('add ContactId')],
      ['04l5g000002Opp6AAA', 'Opportunity', expect.stringContaining('needs AccountId')],
    ]);
  });

  it('acknowledges without an event a notification whose record was deleted before Salesforce sent it (no data)', () => {
    const good = outboundMessageXml({ organizationId: ORG, notifications: [leadNotification(), { id: '04l5g000002Del1AAA', type: 'Lead', fields: {} }, leadNotification({}, '04l5g000002Del2AAA')] });
    // The third notification arrives without its sObject at all.
    const xml = good.replace(/(<Id>04l5g000002Del2AAA<\/Id>)\s*<sObject[\s\S]*?<\/sObject>/, '$1');
    const m = parsed(xml);
    expect(m.notifications.map((n) => [n.id, n.objectType, n.recordId])).toEqual([
      ['04l5g000002AbCdAAK', 'Lead', LEAD],
      ['04l5g000002Del1AAA', 'Lead', null],
      ['04l5g000002Del2AAA', '(none)', null],
    ]);
    const { events, ignored } = notificationEvents(m, config());
    expect(events.map((e) => e.id)).toEqual(['04l5g000002AbCdAAK']);
    expect(ignored.map((i) => [i.notificationId, i.reason])).toEqual([
      ['04l5g000002Del1AAA', 'the record was deleted before Salesforce sent the message: the notification carries no data'],
      ['04l5g000002Del2AAA', 'the record was deleted before Salesforce sent the message: the notification carries no data'],
    ]);
  });

  it('uses the configured lead id prefix, and the arrival time when the message carries no modification date', () => {
    const now = new Date('2026-05-04T10:00:00.000Z');
    const spec = leadNotification({ CreatedDate: null, LastModifiedDate: null });
    const { events } = notificationEvents(parsed(outboundMessageXml({ organizationId: ORG, notifications: [spec] })), config({ leadIdPrefix: 'sf-' }), now);
    expect(events.map((e) => [e.type, e.subject, e.time])).toEqual([['lead.updated', `sf-${LEAD}`, now.toISOString()]]);
  });
});
