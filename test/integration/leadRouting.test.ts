import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createHarness, type TestHarness } from '../support/temporal.ts';
import { alwaysOpen, deliver, leadEvent, midMarketLead, waitForState } from '../support/leads.ts';

const CAP = { 'noah-fischer': 10 } as const;

let h: TestHarness;
beforeAll(async () => {
  h = await createHarness('dev', 'lead-routing', {
    adjust: (loaded) => {
      alwaysOpen(loaded);
      for (const r of loaded.config.reps) if (r.id in CAP) r.capacity = CAP[r.id as keyof typeof CAP];
    },
  });
});
afterAll(() => h?.close());

describe('routing fifty concurrent leads into one queue', () => {
  it('keeps the weighted split and the capacity caps', async () => {
    const ids = Array.from({ length: 50 }, (_, i) => `wrr-${Date.now()}-${i}`);
    await Promise.all(ids.map((id, i) => deliver(h, leadEvent('lead.created', id, midMarketLead({ email: `buyer${i}@shop${i}.example`, domain: `shop${i}.example` })))));
    await Promise.all(ids.map((id) => waitForState(h, id, (s) => s.owner !== null, 'assigned', 60_000)));

    const rows = await h.ledger.query<{ rep: string; n: number }>("SELECT rep, count(*)::int AS n FROM lead_assignments WHERE lead_id LIKE 'wrr-%' AND released_at IS NULL GROUP BY rep");
    const count = Object.fromEntries(rows.map((r) => [r.rep, Number(r.n)]));
    // Weights 3:2:1 (noah, mia, liam). Noah would take 25 of 50 but is capped at 10; the other 40 split 2:1.
    expect(count['noah-fischer']).toBe(10);
    expect(count['mia-kowalski']! + count['liam-oconnor']!).toBe(40);
    expect(Math.abs(count['mia-kowalski']! - 2 * count['liam-oconnor']!)).toBeLessThanOrEqual(3);
    expect(Object.keys(count).sort()).toEqual(['liam-oconnor', 'mia-kowalski', 'noah-fischer']);
    const perLead = await h.ledger.query<{ n: number }>("SELECT count(*)::int AS n FROM lead_assignments WHERE lead_id LIKE 'wrr-%' GROUP BY lead_id HAVING count(*) > 1");
    expect(perLead).toHaveLength(0);
  });
});
