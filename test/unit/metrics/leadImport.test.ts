import { describe, expect, it } from 'vitest';
import { funnel } from '../../../src/metrics/funnel.ts';
import { handoffs } from '../../../src/metrics/handoffs.ts';
import { parsePeriod, type Period } from '../../../src/metrics/period.ts';
import type { LedgerEvent } from '../../../src/ledger/types.ts';
import { emptyLedgerPerTest } from '../ledger/helpers/emptyLedger.ts';
import { ev } from './flywheelFixture.ts';

const MARCH: Period = parsePeriod('2027-03-01', '2027-04-01');
const ledger = emptyLedgerPerTest();

const decision = (leadId: string, at: string, kind: string, outcome: Record<string, unknown>): LedgerEvent => ev('decision.recorded', at, { leadId, data: { kind, outcome } });
const imported = (leadId: string, at: string, data: Record<string, unknown> = {}): LedgerEvent =>
  ev('lead.imported', at, { key: `lead:${leadId}:imported`, leadId, data: { stage: 'Attract', status: 'nurture', ...data } });
const clockRow = (type: 'sla.met' | 'sla.breached', leadId: string, clock: number, at: string): LedgerEvent =>
  ev(type, at, { key: `lead:${leadId}:sla:${clock}:${type === 'sla.met' ? 'met' : 'breached'}`, leadId, owner: 'anna-schmidt', team: 'sales-emea' });

describe('metrics of imported leads (lead.imported)', () => {
  it('never counts an imported lead as a new lead, nor what was decided at its import as an MQL', async () => {
    await ledger.record([
      // N1: a new lead in March, MQL: counts.
      decision('N1', '2027-03-02T09:00:00Z', 'icp', { tier: 'B' }),
      decision('N1', '2027-03-02T09:00:00Z', 'qualification', { status: 'mql' }),
      // I1: imported with route: true; its decisions share the import's instant: neither a new lead nor an MQL.
      imported('I1', '2027-03-03T09:00:00Z', { route: true }),
      decision('I1', '2027-03-03T09:00:00Z', 'icp', { tier: 'A' }),
      decision('I1', '2027-03-03T09:00:00Z', 'qualification', { status: 'mql' }),
      // I2: imported in nurture on 03-03, qualified by its lead.updated on 03-10: an MQL of March, still not a new lead.
      imported('I2', '2027-03-03T09:00:00Z'),
      decision('I2', '2027-03-10T09:00:00Z', 'icp', { tier: 'B' }),
      decision('I2', '2027-03-10T09:00:00Z', 'qualification', { status: 'mql' }),
      // I3: imported with its owner and a started clock: the clock's decision row does not make it a new lead.
      imported('I3', '2027-03-04T09:00:00Z', { stage: 'Engage', status: 'assigned', owner: 'anna-schmidt', importedClock: 0 }),
      decision('I3', '2027-03-04T09:00:00Z', 'sla', { target: '4h' }),
    ]);
    expect(await funnel(ledger, MARCH)).toEqual({ leads: 1, leadsToMql: 1, leadsToOpportunity: 0, mqls: 2, mqlsToOpportunity: 0 });
  });

  it('leaves the clock an import started out of hand-off compliance, and counts the clocks Flywheel started after it', async () => {
    await ledger.record([
      // A clock Flywheel started (lead N1, clock 0): a sample.
      clockRow('sla.met', 'N1', 0, '2027-03-02T10:00:00Z'),
      // I3's imported clock 0 (handed over before Flywheel) breached at its import: no sample; its reassignment's clock 1 is.
      imported('I3', '2027-03-04T09:00:00Z', { stage: 'Engage', status: 'assigned', owner: 'anna-schmidt', importedClock: 0 }),
      clockRow('sla.breached', 'I3', 0, '2027-03-04T09:00:00Z'),
      clockRow('sla.met', 'I3', 1, '2027-03-04T11:00:00Z'),
      // I4 was imported in nurture and routed later by Flywheel: its clock 0 is Flywheel's, a sample.
      imported('I4', '2027-03-05T09:00:00Z'),
      clockRow('sla.breached', 'I4', 0, '2027-03-09T09:00:00Z'),
    ]);
    const h = await handoffs(ledger, MARCH);
    const lead = h.sla.filter((g) => g.handoff === 'marketing-to-sales');
    expect(lead.reduce((n, g) => n + g.met, 0)).toBe(2);
    expect(lead.reduce((n, g) => n + g.breached, 0)).toBe(1);
    expect(h.compliance['marketing-to-sales']).toBeCloseTo(2 / 3, 4);
  });
});
