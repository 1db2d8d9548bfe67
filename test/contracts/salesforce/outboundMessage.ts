/**
 * Outbound Messages as Salesforce sends them, in the shape of the documented WSDL and its sample messages: a SOAP
 * 1.1 envelope whose Body holds `notifications` (namespace http://soap.sforce.com/2005/09/outbound) with
 * OrganizationId, ActionId, SessionId (xsi:nil when the message does not send one), EnterpriseUrl, PartnerUrl and up
 * to 100 Notification elements; each sObject names its type in xsi:type (sf:Lead) and holds the chosen fields in the
 * urn:sobject.enterprise.soap.sforce.com namespace. Field values are text; a null field is xsi:nil.
 */

export interface NotificationSpec {
  /** The notification id (04l...): the same on every redelivery of this notification. */
  id: string;
  type: string;
  fields: Record<string, string | number | boolean | null>;
}

export interface OutboundMessageSpec {
  organizationId: string;
  actionId?: string;
  sessionId?: string | null;
  instance?: string;
  notifications: NotificationSpec[];
}

const esc = (s: string) => s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');

export function outboundMessageXml(m: OutboundMessageSpec): string {
  const instance = m.instance ?? 'https://northwind.my.salesforce.com';
  const session = m.sessionId ? `<SessionId>${esc(m.sessionId)}</SessionId>` : '<SessionId xsi:nil="true"/>';
  const notifications = m.notifications
    .map((n) => {
      const fields = Object.entries(n.fields)
        .map(([k, v]) => (v === null ? `<sf:${k} xsi:nil="true"/>` : `<sf:${k}>${esc(String(v))}</sf:${k}>`))
        .join('\n     ');
      return [
        '   <Notification>',
        `    <Id>${n.id}</Id>`,
        `    <sObject xsi:type="sf:${n.type}" xmlns:sf="urn:sobject.enterprise.soap.sforce.com">`,
        `     ${fields}`,
        '    </sObject>',
        '   </Notification>',
      ].join('\n');
    })
    .join('\n');
  return [
    '<?xml version="1.0" encoding="UTF-8"?>',
    '<soapenv:Envelope xmlns:soapenv="http://schemas.xmlsoap.org/soap/envelope/" xmlns:xsd="http://www.w3.org/2001/XMLSchema" xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance">',
    ' <soapenv:Body>',
    '  <notifications xmlns="http://soap.sforce.com/2005/09/outbound">',
    `   <OrganizationId>${m.organizationId}</OrganizationId>`,
    `   <ActionId>${m.actionId ?? '04k5g000000TcLbAAK'}</ActionId>`,
    `   ${session}`,
    `   <EnterpriseUrl>${instance}/services/Soap/c/62.0/${m.organizationId.slice(0, 15)}</EnterpriseUrl>`,
    `   <PartnerUrl>${instance}/services/Soap/u/62.0/${m.organizationId.slice(0, 15)}</PartnerUrl>`,
    notifications,
    '  </notifications>',
    ' </soapenv:Body>',
    '</soapenv:Envelope>',
  ].join('\n');
}

/** Salesforce's own HTTP request: POST, text/xml; charset=utf-8, a SOAPAction header. */
export function postOutboundMessage(url: string, xml: string): Promise<Response> {
  return fetch(url, { method: 'POST', headers: { 'content-type': 'text/xml; charset=utf-8', soapaction: '""' }, body: xml });
}
