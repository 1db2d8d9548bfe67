import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { eventKey } from '../../src/events/catalog.ts';
import { validateEvent } from '../../src/events/validate.ts';
import type { LeadEvent } from '../../workflows/lead/types.ts';
import { createHarness, type TestHarness } from '../support/temporal.ts';
import { eventually } from '../support/eventually.ts';
import { alwaysOpen, deliver, leadEvent, midMarketLead, waitForState } from '../support/leads.ts';

/** A lead.imported as the importer sends it: source import://file/<basename>, id leads:<record id>. Checked against the schema. */
function importEvent(subject: string, data: Record<string, unknown>, time = new Date().toISOString()): LeadEvent {
  const e = { specversion: '1.0' as const, id: `leads:${subject}`, source: 'import://file/open-leads.csv', type: 'lead.imported' as const, subject, time, data };
  expect(validateEvent(e)).toEqual([]);
  const { specversion: _v, ...rest } = e;
  return { ...rest, key: eventKey(e) };
}

describe('importing open leads (lead.imported, dev server)', () => {
  let h: TestHarness;
  const run = Date.now();
  beforeAll(async () => {
    h = await createHarness('dev', 'lead-import', {
      adjust: (loaded) => {
        alwaysOpen(loaded);
        // Room for exactly one lead: the imported one fills it, so routing must pass Noah over.
        loaded.config.reps.find((r) => r.id === 'noah-fischer')!.capacity = 1;
      },
    });
  });
  afterAll(() => h?.close());

  const rows = (leadId: string) =>
    h.ledger.query<{ type: string; owner: string | null; data: Record<string, unknown> }>('SELECT type, owner, data FROM ledger_events WHERE lead_id = $1 ORDER BY id', [leadId]);
  const assignments = (leadId: string) =>
    h.ledger.query<{ rep: string | null; strategy: string; queue: string; released_at: Date | null; assigned_at: Date }>(
      'SELECT rep, strategy, queue, released_at, assigned_at FROM lead_assignments WHERE lead_id = $1 ORDER BY assigned_at',
      [leadId],
    );

  it("keeps an Engage lead with its owner: no routing, no clock, the owner's capacity counts it, and a re-run changes nothing", async () => {
    const id = `imp-engage-${run}`;
    const handoffAt = new Date(Date.now() - 3 * 86_400_000).toISOString();
    const imp = importEvent(id, {
      ...midMarketLead({ email: 'kept@importco.example', domain: 'importco.example' }),
      stage: 'Engage',
      status: 'assigned',
      owner: 'noah-fischer',
      tier: 'B',
      handoffAt,
      importedFrom: 'file/open-leads.csv:2',
    });
    await deliver(h, imp);
    const s = await waitForState(h, id, (x) => x.imported === true && x.status === 'assigned', 'imported with its owner');
    expect(s).toMatchObject({ stage: 'Engage', status: 'assigned', owner: 'noah-fischer', queue: 'mid-market', tier: 'B', sla: null, handoffAt, assignments: 1 });
    expect(s.importedAt).toEqual(expect.any(String));
    expect(s.lead).toMatchObject({ company: 'ShopCo GmbH', email: 'kept@importco.example' });
    expect(s.lead).not.toHaveProperty('owner');

    const recorded = await eventually(
      () => rows(id),
      (rs) => rs.some((r) => r.type === 'lead.imported'),
      'the lead.imported row',
    );
    expect(recorded.map((r) => r.type)).toEqual(['lead.imported']);
    expect(recorded[0]).toMatchObject({ owner: 'noah-fischer', data: { stage: 'Engage', status: 'assigned', plan: 'keep-owner', importedFrom: 'file/open-leads.csv:2', queue: 'mid-market' } });
    const placed = await assignments(id);
    expect(placed).toHaveLength(1);
    expect(placed[0]).toMatchObject({ rep: 'noah-fischer', strategy: 'imported', queue: 'mid-market', released_at: null });
    expect(placed[0]!.assigned_at.toISOString()).toBe(handoffAt);

    // Capacity: a new mid-market lead is routed past Noah, who is full with the imported lead.
    const fresh = `imp-fresh-${run}`;
    await deliver(h, leadEvent('lead.created', fresh, midMarketLead({ email: 'fresh@freshco.example', domain: 'freshco.example' })));
    const routed = await waitForState(h, fresh, (x) => x.sla?.status === 'running', 'new lead routed');
    expect(routed.owner).not.toBe('noah-fischer');
    const assigned = await eventually(
      () => rows(fresh),
      (rs) => rs.some((r) => r.type === 'lead.assigned'),
      'the new lead assigned',
    );
    expect(assigned.find((r) => r.type === 'lead.assigned')!.data.skipped).toContainEqual({ rep: 'noah-fischer', reason: 'mid-market: at capacity (1/1)' });

    // The same import again (a duplicate delivery), and a second import of the same lead from another file.
    await deliver(h, imp);
    await deliver(h, {
      ...importEvent(id, { stage: 'Engage', status: 'assigned', owner: 'mia-kowalski', route: true }),
      id: `leads:${id}:again`,
      source: 'import://file/again.csv',
      key: `import://file/again.csv#leads:${id}:again`,
    });
    const after = await waitForState(h, id, (x) => x.ignored.length === 2, 'both re-imports ignored');
    expect(after.ignored.map((i) => i.reason)).toEqual(['duplicate delivery (same source and id)', 'already imported']);
    expect(after).toMatchObject({ owner: 'noah-fischer', status: 'assigned', assignments: 1, sla: null, importedAt: s.importedAt });
    const later = await eventually(
      () => rows(id),
      (rs) => rs.some((r) => r.type === 'event.ignored'),
      'the ignored row',
    );
    expect(later.map((r) => r.type)).toEqual(['lead.imported', 'event.ignored']);
    expect(await assignments(id)).toHaveLength(1);
  });

  it('keeps an Attract lead in nurture without deciding anything, and qualifies it at its next lead.updated', async () => {
    const id = `imp-nurture-${run}`;
    const facts = midMarketLead({ email: 'nurture@nurtureco.example', domain: 'nurtureco.example', employees: 300 });
    await deliver(h, importEvent(id, { ...facts, stage: 'Attract', status: 'nurture' }));
    const s = await waitForState(h, id, (x) => x.imported === true, 'imported in nurture');
    expect(s).toMatchObject({ stage: 'Attract', status: 'nurture', owner: null, decisions: [], assignments: 0 });
    const recorded = await eventually(
      () => rows(id),
      (rs) => rs.length > 0,
      'the lead.imported row',
    );
    expect(recorded.map((r) => r.type)).toEqual(['lead.imported']);
    expect(recorded[0]!.data).toMatchObject({ plan: 'nurture', stage: 'Attract', status: 'nurture' });

    await deliver(h, leadEvent('lead.updated', id, { ...facts, title: 'VP Analytics' }));
    const routed = await waitForState(h, id, (x) => x.sla?.status === 'running', 'qualified and routed at the update');
    expect(routed.stage).toBe('Engage');
    expect(routed.owner).toEqual(expect.any(String));
    expect(routed.decisions.map((d) => d.kind)).toContain('qualification');
    const after = await eventually(
      () => rows(id),
      (rs) => rs.some((r) => r.type === 'lead.assigned'),
      'the assignment row',
    );
    expect(after.filter((r) => r.type === 'decision.recorded').map((r) => (r.data as { kind: string }).kind)).toContain('routing');
  });

  it('routes an Engage lead whose owner is not a rep of the configuration, without qualifying it again', async () => {
    const id = `imp-ghost-${run}`;
    await deliver(h, importEvent(id, { ...midMarketLead({ email: 'ghost@ghostco.example', domain: 'ghostco.example' }), stage: 'Engage', status: 'assigned', owner: 'left-the-company', tier: 'B' }));
    const s = await waitForState(h, id, (x) => x.sla?.status === 'running', 'routed with a clock');
    expect(s).toMatchObject({ imported: true, stage: 'Engage', status: 'assigned', tier: 'B', queue: 'mid-market' });
    expect(s.owner).not.toBe('left-the-company');
    const recorded = await eventually(
      () => rows(id),
      (rs) => rs.some((r) => r.type === 'lead.imported') && rs.some((r) => r.type === 'lead.assigned'),
      'import and assignment rows',
    );
    expect(recorded.filter((r) => r.type === 'lead.imported')).toMatchObject([{ data: { plan: 'assign', unknownOwner: 'left-the-company' } }]);
    const kinds = recorded.filter((r) => r.type === 'decision.recorded').map((r) => (r.data as { kind: string }).kind);
    expect(kinds).toContain('routing');
    expect(kinds).not.toContain('qualification');
  });

  it('qualifies and routes an imported lead that asks for it (route: true)', async () => {
    const id = `imp-route-${run}`;
    await deliver(h, importEvent(id, { ...midMarketLead({ email: 'route@routeco.example', domain: 'routeco.example' }), stage: 'Engage', status: 'assigned', owner: 'noah-fischer', route: true }));
    const s = await waitForState(h, id, (x) => x.sla?.status === 'running', 'routed with a clock');
    expect(s).toMatchObject({ imported: true, stage: 'Engage', tier: 'B', queue: 'mid-market' });
    // Routed afresh: Noah is full, so the rules' queue gives it to someone else, with a clock from now.
    expect(s.owner).not.toBe('noah-fischer');
    expect(s.status).toBe('assigned');
    // The lead.imported row comes with the workflow's own rows, after the activities' routing rows: wait for all.
    const recorded = await eventually(
      () => rows(id),
      (rs) => ['lead.assigned', 'sla.started', 'lead.imported'].every((t) => rs.some((r) => r.type === t)),
      'routing and import rows',
    );
    expect(recorded.filter((r) => r.type === 'lead.imported')).toMatchObject([{ data: { plan: 'route', route: true } }]);
    expect(recorded.filter((r) => r.type === 'decision.recorded').map((r) => (r.data as { kind: string }).kind)).toEqual(expect.arrayContaining(['qualification', 'routing']));
  });
});
