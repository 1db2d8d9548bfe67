import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createHarness, type TestHarness } from '../support/temporal.ts';
import { alwaysOpen, deliver, leadEvent, midMarketLead, waitForState } from '../support/leads.ts';

describe('a lead held because everyone is at capacity (dev server)', () => {
  let h: TestHarness;
  beforeAll(async () => {
    h = await createHarness('dev', 'lead-hold-capacity', {
      adjust: (loaded) => {
        alwaysOpen(loaded);
        // One rep with room for one lead, and nowhere to overflow: the second lead can only wait for that room.
        const q = loaded.config.queues!.find((x) => x.id === 'mid-market')!;
        q.members = ['noah-fischer'];
        delete q.overflow;
        loaded.config.reps.find((r) => r.id === 'noah-fischer')!.capacity = 1;
      },
    });
  });
  afterAll(() => h?.close());

  it('is routed the moment the rep frees capacity', async () => {
    const first = `cap-a-${Date.now()}`;
    const second = `cap-b-${Date.now()}`;
    await deliver(h, leadEvent('lead.created', first, midMarketLead({ email: 'a@capco.example', domain: 'capco-a.example' })));
    expect((await waitForState(h, first, (s) => s.sla?.status === 'running', 'first assigned')).owner).toBe('noah-fischer');

    await deliver(h, leadEvent('lead.created', second, midMarketLead({ email: 'b@capco.example', domain: 'capco-b.example' })));
    const held = await waitForState(h, second, (s) => s.status === 'held', 'second held');
    expect(held.hold?.candidates).toEqual([{ rep: 'noah-fischer', queue: 'mid-market', reason: 'at-capacity', availableAt: null }]);
    // Nothing foreseeable frees a full rep: no timer, only the release can wake it.
    expect(held.hold?.nextRouteAt).toBeNull();

    await deliver(h, leadEvent('lead.touched', first, { by: 'noah-fischer' }));
    await deliver(h, leadEvent('opportunity.created', first, { opportunityId: 'o-cap', amount: 10_000 }));
    await deliver(h, leadEvent('opportunity.lost', first, { opportunityId: 'o-cap', reason: 'No budget this year' }));
    const routed = await waitForState(h, second, (s) => s.sla?.status === 'running', 'second routed when capacity freed');
    expect(routed).toMatchObject({ owner: 'noah-fischer', status: 'assigned', hold: null });
  });
});
