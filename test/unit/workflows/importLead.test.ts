import { describe, expect, it } from 'vitest';
import { readEventSchema } from '../../../src/events/schemaFiles.ts';
import { validateEvent } from '../../../src/events/validate.ts';
import { IMPORT_FIELDS, importedRow, markImported, planImport, splitImport } from '../../../workflows/lead/importLead.ts';
import { initialState } from '../../../workflows/lead/state.ts';
import type { LeadEvent } from '../../../workflows/lead/types.ts';

const facts = { email: 'jana.weber@shopco.example', company: 'ShopCo GmbH', domain: 'shopco.example', country: 'DE', employees: 450 };
const event = (data: Record<string, unknown>) => ({
  specversion: '1.0',
  id: 'leads:L-1',
  source: 'import://file/open-leads.csv',
  type: 'lead.imported',
  subject: 'L-1',
  time: '2027-03-05T15:30:00Z',
  data,
});

describe('lead.imported schema', () => {
  it('carries every lead fact of lead.created, unchanged, beside the import fields', () => {
    const created = readEventSchema('lead.created').properties as Record<string, unknown>;
    const imported = readEventSchema('lead.imported').properties as Record<string, unknown>;
    for (const [k, v] of Object.entries(created)) expect(imported[k], k).toEqual(v);
    expect(
      Object.keys(imported)
        .filter((k) => !(k in created))
        .sort(),
    ).toEqual([...IMPORT_FIELDS].sort());
  });

  it('accepts an Engage lead with owner and clock, and rejects an unknown stage, a bad hand-off time and a missing status', () => {
    expect(
      validateEvent(
        event({ ...facts, stage: 'Engage', status: 'assigned', owner: 'noah-fischer', tier: 'B', handoffAt: '2027-03-05T15:00:00Z', sla: { start: true }, importedFrom: 'file/open-leads.csv:2' }),
      ),
    ).toEqual([]);
    const problems = validateEvent(event({ ...facts, stage: 'Delight', handoffAt: 'last friday', sla: { start: 'yes' } })).map((p) => p.pointer);
    expect(problems).toEqual(expect.arrayContaining(['/data/stage', '/data/handoffAt', '/data/status', '/data/sla/start']));
  });
});

describe('planImport', () => {
  const meta = (data: Record<string, unknown>) => splitImport(data).meta;
  it('keeps an Engage lead with its owner, with a clock from the hand-off only when asked', () => {
    const s = initialState('L-1');
    expect(planImport(s, meta({ stage: 'Engage', status: 'working', owner: 'noah-fischer', handoffAt: '2027-03-05T15:00:00Z' }))).toEqual({
      kind: 'keep-owner',
      owner: 'noah-fischer',
      status: 'working',
      slaFrom: null,
    });
    expect(planImport(s, meta({ stage: 'Engage', status: 'mql', owner: 'noah-fischer', handoffAt: '2027-03-05T15:00:00Z', sla: { start: true } }))).toEqual({
      kind: 'keep-owner',
      owner: 'noah-fischer',
      status: 'assigned',
      slaFrom: '2027-03-05T15:00:00Z',
    });
  });
  it('leaves Attract leads in nurture, routes on request or without an owner, and ignores a lead that exists', () => {
    const s = initialState('L-1');
    expect(planImport(s, meta({ stage: 'Attract', status: 'mql', owner: 'noah-fischer' }))).toEqual({ kind: 'nurture' });
    expect(planImport(s, meta({ stage: 'Attract', status: 'nurture', route: true }))).toEqual({ kind: 'route' });
    expect(planImport(s, meta({ stage: 'Engage', status: 'assigned' }))).toEqual({ kind: 'assign' });
    expect(planImport({ ...s, imported: true, status: 'nurture' }, meta({ stage: 'Attract', status: 'nurture' }))).toEqual({ kind: 'ignore', reason: 'already imported' });
    expect(planImport({ ...s, status: 'assigned' }, meta({ stage: 'Engage', status: 'assigned', owner: 'x' }))).toEqual({
      kind: 'ignore',
      reason: 'already imported: the lead already exists in Flywheel (assigned)',
    });
  });
  it('keeps the import fields out of the lead facts and marks the state', () => {
    const s = initialState('L-1');
    const { facts: f, meta: m } = splitImport({ ...facts, stage: 'Engage', status: 'assigned', owner: 'noah-fischer', tier: 'B', importedFrom: 'file/x.csv:3' });
    const e = { ...event({}), key: 'k', type: 'lead.imported' } as LeadEvent;
    markImported(s, e, f, m, '2027-03-09T10:00:00Z');
    expect(s).toMatchObject({ imported: true, importedAt: '2027-03-09T10:00:00Z', tier: 'B', lead: facts, leadUpdatedAt: '2027-03-05T15:30:00Z' });
    const row = importedRow(m, { kind: 'keep-owner', owner: 'noah-fischer', status: 'assigned', slaFrom: '2027-03-05T15:00:00Z' }, e, null, '2027-03-09T10:00:00Z');
    expect(row).toMatchObject({ plan: 'keep-owner', importedClock: 0, importedFrom: 'file/x.csv:3', owner: 'noah-fischer' });
    // No personal data on the ledger row.
    expect(JSON.stringify(row)).not.toContain('jana');
  });
});
