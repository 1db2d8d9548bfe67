import { describe, expect, it } from 'vitest';
import { bandOf, importedHealth } from '../../../activities/account/importAccount.ts';
import { importedArrAt, importRefusal, initialAccountState, startImportedCustomer } from '../../../workflows/account/state.ts';
import type { HealthScoring } from '../../../src/rules/types.ts';

const scoring = { base: 70, min: 0, max: 100, bands: { green: 70, yellow: 45 }, playbooks: {} } as unknown as HealthScoring;

describe('an imported customer as a pure state step', () => {
  it('takes the real state: ARR in cents, contract, owners, marked imported, nothing won or onboarding', () => {
    const s = initialAccountState('ACC-1');
    startImportedCustomer(
      s,
      { time: '2027-03-01T10:00:00Z', source: 'import://file/book.csv' },
      { arr: 1234.567, contractStart: '2026-06-01', contractEnd: '2027-05-31', salesOwner: 'claire-dubois', domain: 'acme.example', tier: 'A' },
    );
    expect(s).toMatchObject({
      arr: 1234.57,
      contract: { start: '2026-06-01', end: '2027-05-31' },
      salesOwner: 'claire-dubois',
      csOwner: null,
      domain: 'acme.example',
      tier: 'A',
      imported: true,
      importedAt: '2027-03-01T10:00:00Z',
      importedFrom: 'import://file/book.csv',
      wonAt: null,
      onboarding: null,
      kickoff: null,
      status: 'awaiting-handoff',
    });
  });

  it('dates the opening ARR from the contract start when it is before the import, else from the import', () => {
    expect(importedArrAt('2026-06-01', '2027-03-01T10:00:00Z')).toBe('2026-06-01T00:00:00.000Z');
    expect(importedArrAt('2026-06-01T08:30:00+02:00', '2027-03-01T10:00:00Z')).toBe('2026-06-01T06:30:00.000Z');
    expect(importedArrAt('2027-04-01', '2027-03-01T10:00:00Z')).toBe('2027-03-01T10:00:00Z');
    expect(importedArrAt(null, '2027-03-01T10:00:00Z')).toBe('2027-03-01T10:00:00Z');
  });

  it('names why an import of an existing account changes nothing', () => {
    const s = initialAccountState('ACC-2');
    Object.assign(s, { status: 'active', imported: true, importedAt: '2027-03-01T10:00:00Z' });
    expect(importRefusal(s)).toBe('already imported at 2027-03-01T10:00:00Z');
    Object.assign(s, { imported: undefined, status: 'onboarding', wonAt: '2027-02-01T09:00:00Z' });
    expect(importRefusal(s)).toBe('already a customer (onboarding, won at 2027-02-01T09:00:00Z)');
    Object.assign(s, { status: 'churned', churn: { at: '2027-02-20T09:00:00Z', reason: 'budget' } });
    expect(importRefusal(s)).toMatch(/^the account churned at 2027-02-20T09:00:00Z/);
  });
});

describe('imported health', () => {
  it('keeps a given band, bands a score by the health rules, and gives a band alone its lowest score', () => {
    expect(importedHealth({ score: 50, band: 'green' }, scoring)).toEqual({ score: 50, band: 'green', scoreGiven: true });
    expect(importedHealth({ score: 50 }, scoring)).toEqual({ score: 50, band: 'yellow', scoreGiven: true });
    expect(importedHealth({ band: 'green' }, scoring)).toEqual({ score: 70, band: 'green', scoreGiven: false });
    expect(importedHealth({ band: 'red' }, scoring)).toEqual({ score: 0, band: 'red', scoreGiven: false });
    expect(importedHealth({}, scoring)).toBeNull();
    expect(importedHealth(null, scoring)).toBeNull();
    expect(importedHealth({ score: 80 }, undefined)).toBeNull();
    expect([bandOf(70, scoring), bandOf(69.9, scoring), bandOf(45, scoring), bandOf(44, scoring)]).toEqual(['green', 'yellow', 'yellow', 'red']);
  });
});
