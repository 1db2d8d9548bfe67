import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { businessMs } from '../../src/sla/handoffClock.ts';
import { calendarFor } from '../../src/routing/candidates.ts';
import { leadWorkflowId } from '../../workflows/definitions.ts';
import { createHarness, timeSkippingNow, type TestHarness } from '../support/temporal.ts';
import { deliver, leadEvent, midMarketLead, waitForState } from '../support/leads.ts';
import { ordinaryWeek } from '../support/berlinWeek.ts';
import { eventually } from '../support/eventually.ts';

const MINUTE = 60_000;
const ENTERPRISE_EMEA = ['anna-schmidt', 'lukas-meyer', 'claire-dubois'];
type Row = { id: number; type: string; lead_id: string; owner: string | null; occurred_at: Date; data: Record<string, unknown> };

/** A 1,500-person German company asking for a demo: an MQL for the enterprise EMEA queue. */
const enterpriseLead = (n: string) => midMarketLead({ email: `buyer-${n}@bigco-${n}.example`, company: `BigCo ${n} AG`, domain: `bigco-${n}.example`, employees: 1500 });

function rows(h: TestHarness, leadId: string, done: (rs: Row[]) => boolean, what: string): Promise<Row[]> {
  const q = () => h.ledger.query<Row>('SELECT id, type, lead_id, owner, occurred_at, data FROM ledger_events WHERE lead_id = $1 ORDER BY id', [leadId]);
  return eventually(q, done, (last) => `ledger of ${leadId} never showed "${what}"; types: ${(last ?? []).map((r) => r.type).join(', ')}`);
}

describe('leads nobody can take are held and routed the moment someone can (time-skipping server, shipped calendars)', () => {
  let h: TestHarness;
  let week: ReturnType<typeof ordinaryWeek>;

  beforeAll(async () => {
    h = await createHarness('time-skipping', 'lead-hold');
    week = ordinaryWeek(h.deps.config.config, await h.now());
  });
  afterAll(() => h?.close());

  it('holds a lead created Saturday 10:00 Berlin, tells the manager after the maximum hold, and assigns it Monday 08:00 due by the rules target', async () => {
    await h.advanceTo(week.at(-2, 10));
    const id = `hold-sat-${week.date(-2)}`;
    await deliver(h, leadEvent('lead.created', id, enterpriseLead('sat'), await h.isoNow()));
    const held = await waitForState(h, id, (s) => s.status === 'held', 'held');
    expect(held).toMatchObject({ stage: 'Engage', owner: null, pool: null, sla: null, queue: 'enterprise-emea' });
    expect(held.hold?.nextRouteAt).toBe(new Date(week.at(0, 8)).toISOString());
    expect(held.hold?.candidates.filter((c) => c.queue === 'enterprise-emea').map((c) => c.reason)).toEqual(['outside-hours', 'outside-hours', 'outside-hours']);
    const desc = await h.client.workflow.getHandle(leadWorkflowId(id)).describe();
    expect(desc.searchAttributes.SlaStatus).toEqual(['held']);
    const heldRows = await rows(h, id, (rs) => rs.some((r) => r.type === 'lead.held'), 'lead.held');
    expect(heldRows.find((r) => r.type === 'lead.held')?.data).toMatchObject({ queue: 'enterprise-emea', nextRouteAt: held.hold?.nextRouteAt });

    // The shipped rules hold enterprise leads for at most 12 hours before the queue's manager hears of it.
    // Workflow time runs on between skips: the lead arrived within moments of 10:00, so the 12 h are counted from then.
    const since = Date.parse(held.hold!.since);
    expect(since - week.at(-2, 10)).toBeLessThan(MINUTE);
    expect(held.hold?.maxHoldAt).toBe(new Date(since + 12 * 3_600_000).toISOString());
    await h.advanceTo(week.at(-2, 22) + MINUTE);
    const told = await rows(h, id, (rs) => rs.some((r) => r.type === 'lead.hold_exceeded'), 'lead.hold_exceeded');
    expect(told.find((r) => r.type === 'lead.hold_exceeded')?.data.notified).toContain('jonas-becker');
    expect((await waitForState(h, id, (s) => s.hold?.toldAt != null, 'told')).status).toBe('held');

    await h.advanceTo(week.at(0, 8) + MINUTE);
    const s = await waitForState(h, id, (x) => x.sla?.status === 'running', 'assigned Monday');
    expect(ENTERPRISE_EMEA).toContain(s.owner);
    expect(s.hold).toBeNull();
    // The timer fires at 08:00 sharp; the assignment lands moments later in workflow time.
    const started = Date.parse(s.sla!.startedAt);
    expect(started - week.at(0, 8)).toBeGreaterThanOrEqual(0);
    expect(started - week.at(0, 8)).toBeLessThan(MINUTE);
    const cfg = h.deps.config.config;
    const emea = cfg.calendars.find((c) => c.id === 'emea')!;
    const due = calendarFor(cfg, 'emea').addBusinessTime(started, businessMs(s.sla!.target, emea));
    expect(s.sla!.deadline).toBe(new Date(due).toISOString());
    expect(Date.parse(s.sla!.deadline)).toBeLessThan(week.at(0, 17));
    const all = await rows(h, id, (rs) => rs.some((r) => r.type === 'sla.started'), 'sla.started');
    expect(all.find((r) => r.type === 'lead.assigned')).toMatchObject({ owner: s.owner, data: { heldMs: started - since } });
  });

  it('places five leads held overnight in the order they arrived when the queue opens', async () => {
    await h.advanceTo(week.at(1, 20));
    const ids: string[] = [];
    for (let i = 0; i < 5; i++) {
      const id = `hold-night-${week.date(1)}-${i}`;
      ids.push(id);
      await deliver(h, leadEvent('lead.created', id, enterpriseLead(`night${i}`), await h.isoNow()));
      await waitForState(h, id, (s) => s.status === 'held', `lead ${i} held`);
      await h.advance(5 * MINUTE);
    }
    await h.advanceTo(week.at(2, 8) + MINUTE);
    for (const id of ids) await waitForState(h, id, (s) => s.sla?.status === 'running', `${id} assigned`);
    const assigned = await h.ledger.query<{ lead_id: string }>("SELECT lead_id FROM ledger_events WHERE type = 'lead.assigned' AND lead_id = ANY($1::text[]) ORDER BY id", [ids]);
    expect(assigned.map((r) => r.lead_id)).toEqual(ids);
  });
});

describe('a held lead is routed when an out-of-office ends (time-skipping server)', () => {
  let h: TestHarness;
  let back = 0;

  beforeAll(async () => {
    let week!: ReturnType<typeof ordinaryWeek>;
    const now = await timeSkippingNow();
    h = await createHarness('time-skipping', 'lead-hold-ooo', {
      adjust: (loaded) => {
        // Everyone who could take a mid-market lead is away until Tuesday 11:00 Berlin, an exact instant.
        week = ordinaryWeek(loaded.config, now);
        back = week.at(1, 11);
        for (const r of loaded.config.reps) {
          if (['noah-fischer', 'mia-kowalski', 'liam-oconnor', 'jonas-becker', 'maya-brooks'].includes(r.id))
            r.outOfOffice = [{ from: week.date(0), to: new Date(back).toISOString(), reason: 'offsite' }];
        }
      },
    });
    if (week.at(1, 9) < (await h.now())) throw new Error('the shared test clock is past the chosen week');
    await h.advance(week.at(1, 9) - (await h.now()));
  });
  afterAll(() => h?.close());

  it('holds it with out-of-office reasons and assigns it at the end of the absence', async () => {
    const id = `hold-ooo-${back}`;
    await deliver(h, leadEvent('lead.created', id, midMarketLead({ email: 'ooo@shopco.example' }), await h.isoNow()));
    const held = await waitForState(h, id, (s) => s.status === 'held', 'held');
    expect(held.hold?.nextRouteAt).toBe(new Date(back).toISOString());
    expect(held.hold?.candidates.find((c) => c.rep === 'noah-fischer')).toMatchObject({ reason: 'out-of-office', availableAt: new Date(back).toISOString() });
    await h.advance(back - (await h.now()) + MINUTE);
    const s = await waitForState(h, id, (x) => x.sla?.status === 'running', 'assigned');
    expect(['noah-fischer', 'mia-kowalski', 'liam-oconnor']).toContain(s.owner);
    expect(Date.parse(s.sla!.startedAt) - back).toBeGreaterThanOrEqual(0);
    expect(Date.parse(s.sla!.startedAt) - back).toBeLessThan(MINUTE);
  });
});
