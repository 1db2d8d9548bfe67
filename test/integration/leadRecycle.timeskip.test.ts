import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createHarness, type TestHarness } from '../support/temporal.ts';
import { alwaysOpen, deliver, leadEvent, midMarketLead, waitForState } from '../support/leads.ts';

const DAY = 86_400_000;

describe('a lost deal (time-skipping server)', () => {
  let h: TestHarness;
  beforeAll(async () => {
    h = await createHarness('time-skipping', 'lead-recycle', { adjust: alwaysOpen });
  });
  afterAll(() => h?.close());

  it('sends the lead back to nurture after the recycling rules cooldown, then to sales again', async () => {
    const id = `recycle-${Date.now()}`;
    const at = async () => new Date(await h.now()).toISOString();
    await deliver(h, leadEvent('lead.created', id, midMarketLead({ email: 'recycle@shopco.example' }), await at()));
    const assigned = await waitForState(h, id, (s) => s.sla?.status === 'running', 'assigned');
    await deliver(h, leadEvent('lead.touched', id, { by: assigned.owner }, await at()));
    await deliver(h, leadEvent('opportunity.created', id, { opportunityId: 'o-r', amount: 20000 }, await at()));
    await deliver(h, leadEvent('opportunity.lost', id, { opportunityId: 'o-r', reason: 'No budget this year' }, await at()));
    const lost = await waitForState(h, id, (s) => s.status === 'lost', 'lost');
    expect(lost.stage).toBe('Attract');
    expect(lost.decisions.at(-1)).toMatchObject({ kind: 'recycling', matched: ['recycle-no-budget'] });
    const cooldown = Date.parse(lost.recycleAt!) - Date.parse(lost.decisions.at(-1)!.at);
    // Counted from the workflow's clock when the decision came back, a moment after it was asked for.
    expect(cooldown).toBeGreaterThanOrEqual(180 * DAY);
    expect(cooldown).toBeLessThan(180 * DAY + 60_000);
    expect(await h.ledger.query('SELECT 1 FROM lead_assignments WHERE lead_id = $1 AND released_at IS NULL', [id])).toHaveLength(0);

    await h.advance(Date.parse(lost.recycleAt!) - (await h.now()) + 1_000);
    const again = await waitForState(h, id, (s) => s.stage === 'Engage' && s.assignments === 2, 'handed to sales again');
    expect(again.opportunity).toBeNull();
    expect(again.decisions.filter((d) => d.kind === 'qualification')).toHaveLength(2);
    const rows = await h.ledger.query<{ type: string }>("SELECT type FROM ledger_events WHERE lead_id = $1 AND type IN ('deal.lost', 'lead.assigned', 'lead.reassigned') ORDER BY id", [id]);
    expect(rows.map((r) => r.type)).toEqual(['lead.assigned', 'deal.lost', 'lead.reassigned']);
  });
});
