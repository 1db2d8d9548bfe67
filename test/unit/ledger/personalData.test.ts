import { describe, expect, it } from 'vitest';
import { ERASED, identityValues, isPersonalPath, maskValue, scrubData, type ScrubCount } from '../../../src/ledger/personalData.ts';

const lead = {
  id: 'L-1',
  email: 'lukas.meyer@acme.example',
  firstName: 'Lukas',
  lastName: 'Meyer',
  phone: '+49 30 1234567',
  title: 'CTO',
  custom: { shoeSize: 44 },
  company: 'Acme GmbH',
  domain: 'acme.example',
  country: 'DE',
  region: 'emea',
  employees: 450,
  industry: 'software',
  consent: { marketing: true },
};

describe('personal data in the ledger', () => {
  it('calls a lead field personal unless it describes the company or the funnel, and names people wherever they appear', () => {
    expect(['lead.email', 'lead.firstName', 'lead.title', 'lead.custom.x', 'lead.whatever', 'handoff.champion', 'contact.phone'].filter(isPersonalPath)).toHaveLength(7);
    expect(['lead.country', 'lead.employees', 'lead.domain', 'lead.intent.score', 'icp.tier', 'account.arr', 'handoff.goals'].filter(isPersonalPath)).toEqual([]);
  });

  it('masks values enough to recognise them, not to contact anyone', () => {
    expect([lead.email, lead.phone, lead.firstName, true, null, ERASED].map(maskValue)).toEqual(['l***@acme.example', '***67', 'L***', true, null, ERASED]);
  });

  it('erases personal fields and the person in free text, keeps ids, rep slugs, flags and company facts, and changes nothing twice', () => {
    const identity = identityValues([{ facts: { lead } }], { contacts: false });
    expect(identity).toEqual(expect.arrayContaining([lead.email, 'lukas.meyer', 'Lukas', 'Meyer', lead.phone]));
    const data = {
      kind: 'routing',
      facts: { lead, health: { executiveSponsor: true } },
      inputs: { 'lead.email': lead.email, 'lead.employees': 450 },
      // A rep who shares the lead's surname keeps their id; prose about the lead loses the name.
      candidates: [{ rep: 'lukas-meyer', queue: 'mid-market', verdict: 'chosen' }],
      note: 'Call Lukas Meyer after the demo',
      summary: 'met with meyer, Lukasz and Meyerhof',
    };
    const count: ScrubCount = { values: 0 };
    const once = scrubData(data, identity, count);
    expect(once).toEqual({
      kind: 'routing',
      facts: { lead: { ...lead, email: ERASED, firstName: ERASED, lastName: ERASED, phone: ERASED, title: ERASED, custom: { shoeSize: ERASED } }, health: { executiveSponsor: true } },
      inputs: { 'lead.email': ERASED, 'lead.employees': 450 },
      candidates: [{ rep: 'lukas-meyer', queue: 'mid-market', verdict: 'chosen' }],
      note: ERASED,
      summary: `met with ${ERASED}, Lukasz and Meyerhof`,
    });
    expect(count.values).toBe(9);
    const again: ScrubCount = { values: 0 };
    expect(scrubData(once, identityValues([once], { contacts: false }), again)).toBe(once);
    expect(again.values).toBe(0);
  });

  it("keeps another record's contacts in rows that only quote this one, erasing just this person's values", () => {
    const account = { handoff: { champion: 'Lukas Meyer', executiveSponsor: 'Dana Okafor', goals: ['dashboards'] } };
    const count: ScrubCount = { values: 0 };
    expect(scrubData(account, ['Lukas', 'Meyer'], count, { fields: false })).toEqual({ handoff: { champion: `${ERASED} ${ERASED}`, executiveSponsor: 'Dana Okafor', goals: ['dashboards'] } });
    expect(identityValues([account], { contacts: false })).toEqual([]);
    expect(identityValues([account], { contacts: true })).toEqual(['Lukas Meyer', 'Dana Okafor']);
  });
});
