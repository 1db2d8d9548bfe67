import { describe, expect, it } from 'vitest';
import type { FlywheelConfig } from '../../../src/config/types.ts';
import { validateEvent } from '../../../src/events/validate.ts';
import { DEFAULT_FIELD_MAPS, factsFedBy, fieldMapFor, getFact, mapRecord, propertiesToRead, setFact } from '../../../src/connectors/mapping.ts';

// A contact as HubSpot's CRM v3 API returns it: every value a string, unset ones null.
const HUBSPOT_CONTACT = {
  email: 'jana.weber@shopco.example',
  firstname: 'Jana',
  lastname: 'Weber',
  jobtitle: 'Head of Analytics',
  company: 'ShopCo GmbH',
  website: 'https://www.shopco.example/about',
  country: 'Germany',
  numberofemployees: '450',
  industry: 'ecommerce',
  annualrevenue: '',
  phone: null,
};

describe('CRM properties -> Flywheel facts', () => {
  it("maps HubSpot's default contact properties into a valid lead.created", () => {
    const { facts, problems } = mapRecord(DEFAULT_FIELD_MAPS.hubspot.contact, HUBSPOT_CONTACT);
    expect(problems).toEqual([]);
    expect(facts).toEqual({
      email: 'jana.weber@shopco.example',
      firstName: 'Jana',
      lastName: 'Weber',
      title: 'Head of Analytics',
      company: 'ShopCo GmbH',
      domain: 'shopco.example',
      country: 'DE',
      employees: 450,
      industry: 'ecommerce',
    });
    const event = { specversion: '1.0', id: 'x', source: 'hubspot://portal/1', type: 'lead.created', subject: 'hubspot-1', time: '2026-01-01T00:00:00Z', data: facts };
    expect(validateEvent(event)).toEqual([]);
  });

  it('builds dotted fact paths and parses numbers for numeric facts', () => {
    const map = { 'custom.segment': 'segment__c', 'custom.tier.name': 'tier', amount: 'amount', arr: 'hs_arr', 'intent.score': 'score' };
    const { facts } = mapRecord(map, { segment__c: 'retail', tier: 'gold', amount: '1000.50', hs_arr: '12000', score: '87' });
    expect(facts).toEqual({ custom: { segment: 'retail', tier: { name: 'gold' } }, amount: 1000.5, arr: 12000, intent: { score: 87 } });
    expect(getFact(facts, 'custom.tier.name')).toBe('gold');
    const target: Record<string, unknown> = { custom: 'not an object' };
    setFact(target, 'custom.segment', 'x');
    expect(target).toEqual({ custom: { segment: 'x' } });
  });

  it('treats empty strings and nulls as absent and leaves out what cannot be a fact, naming it but not its value', () => {
    const { facts, problems } = mapRecord(
      { email: 'email', employees: 'numberofemployees', country: 'country', amount: 'amount', domain: 'website', firstName: 'firstname' },
      { email: 'not-an-address', numberofemployees: '12.5', country: 'Atlantis', amount: '1,000', website: '   ', firstname: '' },
    );
    expect(facts).toEqual({});
    expect(problems.map((p) => `${p.fact}<-${p.property}: ${p.detail}`).sort()).toEqual([
      'amount<-amount: is not a number',
      'country<-country: is not an ISO 3166-1 alpha-2 code or a country name',
      'email<-email: is not an e-mail address',
      'employees<-numberofemployees: is not a whole number',
    ]);
    expect(JSON.stringify(problems)).not.toContain('not-an-address');
  });

  it("takes Salesforce's typed JSON values and case-insensitive field names", () => {
    const { facts } = mapRecord(DEFAULT_FIELD_MAPS.salesforce.Lead, { Email: 'a@b.example', Company: 'Acme', NumberOfEmployees: 120, country: 'us', AnnualRevenue: 5e6, LeadSource: 'Web' });
    expect(facts).toEqual({ email: 'a@b.example', company: 'Acme', employees: 120, country: 'US', annualRevenue: 5e6, source: 'Web' });
  });

  it('uses the configured map instead of the default, and says which properties to read', () => {
    const config = { connections: { hubspot: { appId: 1, properties: { contact: { email: 'email', source: 'lead_source' } } } } } as unknown as FlywheelConfig;
    expect(fieldMapFor(config, 'hubspot', 'contact')).toEqual({ email: 'email', source: 'lead_source' });
    expect(fieldMapFor(config, 'hubspot', 'deal')).toBe(DEFAULT_FIELD_MAPS.hubspot.deal);
    expect(propertiesToRead(fieldMapFor(config, 'hubspot', 'contact'), ['hubspot_owner_id', 'email'])).toEqual(['email', 'hubspot_owner_id', 'lead_source']);
    expect(factsFedBy({ email: 'email', 'custom.mail': 'email' }, 'email')).toEqual(['email', 'custom.mail']);
    expect(factsFedBy({ email: 'email' }, 'lifecyclestage')).toEqual([]);
  });
});
