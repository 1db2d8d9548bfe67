import { readFileSync } from 'node:fs';
import os from 'node:os';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { checkConfigText, loadConfig } from '../../../src/config/load.ts';
import type { FlywheelConfig } from '../../../src/config/types.ts';
import { avroType, decodeChangeEvent, expandBitmap } from '../../../src/connectors/salesforce/cdc/avro.ts';
import { changeToEvents, type ChangeContext } from '../../../src/connectors/salesforce/cdc/changeEvents.ts';
import { validateEvent } from '../../../src/events/validate.ts';
import { LEAD_CHANGE_EVENT, OPPORTUNITY_CHANGE_EVENT } from '../../contracts/salesforce/changeEventSchemas.ts';
import { changeEventType, encodeChange, type ChangeSpec } from '../../contracts/salesforce/pubsub.ts';

const ORG = '00D5g000004XyZaEAK';
const LEAD = '00Q5g00000AbCdEEAZ';
const LEAD2 = '00Q5g00000AbCdFEAZ';
const OPP = '0065g00000OpPoRAAV';
const CONTACT = '0035g00000CoNtAAAJ';

function config(): FlywheelConfig {
  const loaded = loadConfig(fileURLToPath(new URL('../../../config/flywheel.yaml', import.meta.url)));
  loaded.config.connections = { ...loaded.config.connections, salesforce: { organizationId: ORG, opportunityStages: { won: ['Closed Won'], lost: ['Closed Lost', 'Disqualified'] } } };
  return loaded.config;
}

const leadType = avroType(LEAD_CHANGE_EVENT);
const oppType = avroType(OPPORTUNITY_CHANGE_EVENT);

/** Written by the contract server's encoder, read by the connector's decoder: two implementations of one format. */
function decodeLead(change: ChangeSpec) {
  return decodeChangeEvent(leadType, encodeChange(changeEventType('/data/LeadChangeEvent'), change));
}
function decodeOpp(change: ChangeSpec) {
  return decodeChangeEvent(oppType, encodeChange(changeEventType('/data/OpportunityChangeEvent'), change));
}

const ctx = (over: Partial<ChangeContext> = {}): ChangeContext => ({
  config: config(),
  source: `salesforce://org/${ORG}`,
  topic: '/data/LeadChangeEvent',
  position: '000000000000a001',
  eventId: '9b2f7c1e-3d4a-4b5c-8d6e-7f8091a2b3c4',
  ...over,
});

const newLead = {
  FirstName: 'Jana',
  LastName: 'Weber',
  Title: 'Head of Analytics',
  Company: 'ShopCo GmbH',
  Email: 'jana.weber@shopco.example',
  Website: 'https://www.shopco.example/about',
  Country: 'Germany',
  NumberOfEmployees: 450,
  Industry: 'ecommerce',
  LeadSource: 'demo-request',
  OwnerId: '005000000000002AAA',
};

describe('Pub/Sub API change event payloads', () => {
  it('decodes the header and flattens compound fields to their REST names', () => {
    const d = decodeLead({ changeType: 'CREATE', recordIds: [LEAD], fields: newLead, commitTimestamp: Date.parse('2026-03-02T09:30:00Z') });
    expect(d.header).toMatchObject({ entityName: 'Lead', recordIds: [LEAD], changeType: 'CREATE', commitTimestamp: Date.parse('2026-03-02T09:30:00Z'), changedFields: [] });
    expect(d.fields).toMatchObject({ FirstName: 'Jana', LastName: 'Weber', 'Name.FirstName': 'Jana', Country: 'Germany', 'Address.Country': 'Germany', NumberOfEmployees: 450 });
    expect(d.fields).not.toHaveProperty('Name');
    expect(d.fields).not.toHaveProperty('Address');
    expect(d.fields).not.toHaveProperty('Phone');
  });

  it('expands changedFields bitmaps: top-level positions and components of a compound', () => {
    const d = decodeLead({ changeType: 'UPDATE', recordIds: [LEAD], fields: { Title: 'VP Data', LastName: 'Weber-Ruiz', City: 'Berlin' } });
    expect(d.header.changedFields.sort()).toEqual(['City', 'LastModifiedDate', 'LastName', 'Title']);
  });

  it('reads a bitmap bit by bit from the lowest: bit 0 is the schema first field', () => {
    const type = leadType as Parameters<typeof expandBitmap>[0];
    // 0x6 = bits 1 and 2: Name and Title; '1-0x4' = component 2 of Name: LastName; a plain name is kept.
    expect(expandBitmap(type, ['0x6', '1-0x4', 'Email'])).toEqual(['Name', 'Title', 'LastName', 'Email']);
    // An entry beyond the schema is kept as it came, not dropped.
    expect(expandBitmap(type, ['0x8000000000'])).toEqual(['0x8000000000']);
  });
});

describe('change events -> Flywheel events', () => {
  it('a Lead CREATE is lead.created with every mapped field and the CRM identity', async () => {
    const out = await changeToEvents(decodeLead({ changeType: 'CREATE', recordIds: [LEAD], fields: newLead, commitTimestamp: Date.parse('2026-03-02T09:30:00Z') }), ctx());
    expect(out.ignored).toEqual([]);
    expect(out.events).toEqual([
      {
        specversion: '1.0',
        id: '9b2f7c1e-3d4a-4b5c-8d6e-7f8091a2b3c4',
        source: `salesforce://org/${ORG}`,
        type: 'lead.created',
        subject: `salesforce-${LEAD}`,
        time: '2026-03-02T09:30:00.000Z',
        data: {
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
          crm: { system: 'salesforce', objectType: 'Lead', id: LEAD },
        },
      },
    ]);
    expect(validateEvent(out.events[0])).toEqual([]);
  });

  it('a Lead UPDATE carries only the mapped fields it changed', async () => {
    const out = await changeToEvents(decodeLead({ changeType: 'UPDATE', recordIds: [LEAD], fields: { Title: 'VP Data', NumberOfEmployees: 520 } }), ctx());
    expect(out.events).toHaveLength(1);
    expect(out.events[0]).toMatchObject({ type: 'lead.updated', subject: `salesforce-${LEAD}`, data: { title: 'VP Data', employees: 520, crm: { id: LEAD } } });
    expect(Object.keys(out.events[0]!.data).sort()).toEqual(['crm', 'employees', 'title']);
  });

  it('an update of unmapped fields only (such as the owner Flywheel wrote back) is ignored, naming the fields', async () => {
    const out = await changeToEvents(decodeLead({ changeType: 'UPDATE', recordIds: [LEAD], fields: { OwnerId: '005000000000003AAA' } }), ctx());
    expect(out.events).toEqual([]);
    expect(out.ignored).toEqual([
      expect.objectContaining({ kind: 'ignored', recordId: LEAD, entity: 'Lead', changeType: 'UPDATE', reason: expect.stringMatching(/no mapped field changed \(changed: .*OwnerId/) }),
    ]);
  });

  it('a merged change event (several recordIds) becomes one event per record with distinct ids', async () => {
    const out = await changeToEvents(decodeLead({ changeType: 'UPDATE', recordIds: [LEAD, LEAD2], fields: { Industry: 'retail' } }), ctx());
    expect(out.events.map((e) => [e.subject, e.id])).toEqual([
      [`salesforce-${LEAD}`, `9b2f7c1e-3d4a-4b5c-8d6e-7f8091a2b3c4:${LEAD}`],
      [`salesforce-${LEAD2}`, `9b2f7c1e-3d4a-4b5c-8d6e-7f8091a2b3c4:${LEAD2}`],
    ]);
  });

  it('without an event id the CloudEvent id is the topic and replay id', async () => {
    const out = await changeToEvents(decodeLead({ changeType: 'CREATE', recordIds: [LEAD], fields: newLead }), ctx({ eventId: '' }));
    expect(out.events[0]!.id).toBe('/data/LeadChangeEvent:000000000000a001');
  });

  it('gap events are recorded with the records to re-read; an overflow event asks for a full re-read', async () => {
    const gap = await changeToEvents(decodeLead({ changeType: 'GAP_UPDATE', recordIds: [LEAD, LEAD2] }), ctx());
    expect(gap.events).toEqual([]);
    expect(gap.ignored.map((r) => [r.kind, r.recordId])).toEqual([
      ['gap', LEAD],
      ['gap', LEAD2],
    ]);
    expect(gap.ignored[0]!.reason).toMatch(/re-read the Lead record/);
    const overflow = await changeToEvents(decodeLead({ changeType: 'GAP_OVERFLOW', recordIds: [] }), ctx());
    expect(overflow.ignored).toEqual([expect.objectContaining({ kind: 'gap', recordId: null, changeType: 'GAP_OVERFLOW', reason: expect.stringMatching(/full re-read of Lead records/) })]);
  });

  it('a deleted Lead is recorded as ignored', async () => {
    const out = await changeToEvents(decodeLead({ changeType: 'DELETE', recordIds: [LEAD] }), ctx());
    expect(out.events).toEqual([]);
    expect(out.ignored[0]).toMatchObject({ kind: 'ignored', changeType: 'DELETE', reason: expect.stringMatching(/no event for it/) });
  });

  it('an Opportunity moved to a won stage is opportunity.won on its primary contact, reading what the update left out', async () => {
    const reads: string[] = [];
    const lookupOpportunity = async (id: string) => {
      reads.push(id);
      return { Id: id, ContactId: CONTACT, AccountId: '0015g00000AcCoUAAZ', Amount: 48_000, StageName: 'Negotiation' };
    };
    const out = await changeToEvents(
      decodeOpp({ changeType: 'UPDATE', recordIds: [OPP], fields: { StageName: 'Closed Won', IsClosed: true, IsWon: true } }),
      ctx({ topic: '/data/OpportunityChangeEvent', lookupOpportunity }),
    );
    expect(reads).toEqual([OPP]);
    expect(out.events).toEqual([
      expect.objectContaining({
        type: 'opportunity.won',
        subject: `salesforce-${CONTACT}`,
        data: { opportunityId: OPP, accountId: 'salesforce-account-0015g00000AcCoUAAZ', arr: 48_000, amount: 48_000 },
      }),
    ]);
    expect(validateEvent(out.events[0])).toEqual([]);
  });

  it('an Opportunity lost or moved to an open stage: lost with the stage as reason, open stages ignored', async () => {
    const lookupOpportunity = async () => ({ ContactId: CONTACT });
    const lost = await changeToEvents(decodeOpp({ changeType: 'UPDATE', recordIds: [OPP], fields: { StageName: 'Disqualified' } }), ctx({ lookupOpportunity }));
    expect(lost.events).toEqual([expect.objectContaining({ type: 'opportunity.lost', data: { opportunityId: OPP, reason: 'Disqualified' } })]);
    const open = await changeToEvents(decodeOpp({ changeType: 'UPDATE', recordIds: [OPP], fields: { StageName: 'Proposal' } }), ctx({ lookupOpportunity }));
    expect(open.events).toEqual([]);
    expect(open.ignored[0]!.reason).toMatch(/"Proposal" is neither won nor lost/);
    const amountOnly = await changeToEvents(decodeOpp({ changeType: 'UPDATE', recordIds: [OPP], fields: { Amount: 1 } }), ctx({ lookupOpportunity }));
    expect(amountOnly.ignored[0]!.reason).toBe('the stage did not change');
  });

  it('an Opportunity without a primary contact and no REST read is ignored with the reason', async () => {
    const out = await changeToEvents(decodeOpp({ changeType: 'UPDATE', recordIds: [OPP], fields: { StageName: 'Closed Won' } }), ctx());
    expect(out.events).toEqual([]);
    expect(out.ignored[0]!.reason).toMatch(/no primary contact \(ContactId\).*no Salesforce REST connection/);
  });

  it('an Opportunity created open is opportunity.created from the event alone', async () => {
    const out = await changeToEvents(
      decodeOpp({ changeType: 'CREATE', recordIds: [OPP], fields: { Name: 'ShopCo rollout', StageName: 'Prospecting', Amount: 12_000, ContactId: CONTACT, AccountId: '0015g00000AcCoUAAZ' } }),
      ctx(),
    );
    expect(out.events).toEqual([expect.objectContaining({ type: 'opportunity.created', subject: `salesforce-${CONTACT}`, data: { opportunityId: OPP, amount: 12_000, stage: 'Prospecting' } })]);
  });

  it('an entity Flywheel has no event for is ignored', async () => {
    const type = avroType({ ...LEAD_CHANGE_EVENT, name: 'CaseChangeEvent' });
    const payload = encodeChange(changeEventType('/data/LeadChangeEvent'), { changeType: 'CREATE', recordIds: ['5005g000001AbCdAAK'] });
    const d = decodeChangeEvent(type, payload);
    d.header.entityName = 'Case';
    const out = await changeToEvents(d, ctx({ topic: '/data/CaseChangeEvent' }));
    expect(out.ignored[0]!.reason).toMatch(/no event for Case changes/);
  });
});

describe('connections.salesforce.changeDataCapture in the configuration', () => {
  const shipped = readFileSync(new URL('../../../config/flywheel.yaml', import.meta.url), 'utf8').trimEnd();
  const lineCount = shipped.split('\n').length;
  const withCdc = (cdc: string) => `${shipped}\n  salesforce:\n    organizationId: ${ORG}\n    changeDataCapture:\n${cdc.replace(/^/gm, '      ')}\n`;

  it('accepts a start position, a batch size and plain-text gRPC to this machine', () => {
    const text = withCdc('enabled: true\npubSubEndpoint: 127.0.0.1:7443\ninsecure: true\nstartFrom: EARLIEST\nbatchSize: 25');
    expect(checkConfigText('config/flywheel.yaml', text, os.tmpdir()).diagnostics).toEqual([]);
  });

  it('refuses plain-text gRPC to another host, at its line: the access token would travel unencrypted', () => {
    const text = withCdc('enabled: true\npubSubEndpoint: api.pubsub.salesforce.com:7443\ninsecure: true');
    const { diagnostics } = checkConfigText('config/flywheel.yaml', text, os.tmpdir());
    expect(diagnostics).toEqual([expect.objectContaining({ severity: 'error', line: lineCount + 6, path: 'connections.salesforce.changeDataCapture.insecure', code: 'insecure-endpoint' })]);
  });

  it('refuses a batch size above what the Pub/Sub API serves and an unknown start position', () => {
    const { diagnostics } = checkConfigText('config/flywheel.yaml', withCdc('enabled: true\nbatchSize: 500\nstartFrom: CUSTOM'), os.tmpdir());
    expect(diagnostics.map((d) => d.path).sort()).toEqual(['connections.salesforce.changeDataCapture.batchSize', 'connections.salesforce.changeDataCapture.startFrom']);
  });
});
