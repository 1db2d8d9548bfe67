import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { eventKey } from '../../src/events/catalog.ts';
import { instantToLocal, localToInstant } from '../../src/calendar/zonedTime.ts';
import { formatIsoDate } from '../../src/calendar/civil.ts';
import { validateEvent } from '../../src/events/validate.ts';
import type { LeadEvent } from '../../workflows/lead/types.ts';
import { createHarness, type TestHarness } from '../support/temporal.ts';
import { eventually } from '../support/eventually.ts';
import { deliver, midMarketLead, waitForState } from '../support/leads.ts';

const BERLIN = 'Europe/Berlin';
const DAY = 86_400_000;
const HOUR = 3_600_000;

/** The next Friday 16:30 in Berlin after `now`, as an instant (a week later if it is less than a minute away). */
function nextFriday1630(now: number): number {
  const localNow = instantToLocal(now, BERLIN);
  const day = Math.floor(localNow / DAY);
  const weekday = (day + 4) % 7; // epoch day 0 was a Thursday; 5 = Friday
  let friday = day + ((5 - weekday + 7) % 7);
  if (localToInstant(friday * DAY + 16.5 * HOUR, BERLIN) <= now + 60_000) friday += 7;
  return localToInstant(friday * DAY + 16.5 * HOUR, BERLIN);
}

/** Berlin wall-clock time `plusDays` after the Friday of `fridayInstant`. */
const berlinAt = (fridayInstant: number, plusDays: number, hour: number, minute = 0) => {
  const friday = Math.floor(instantToLocal(fridayInstant, BERLIN) / DAY);
  return localToInstant((friday + plusDays) * DAY + hour * HOUR + minute * 60_000, BERLIN);
};

function importEvent(subject: string, data: Record<string, unknown>, time: string): LeadEvent {
  const e = { specversion: '1.0' as const, id: `leads:${subject}`, source: 'import://file/open-leads.csv', type: 'lead.imported' as const, subject, time, data };
  expect(validateEvent(e)).toEqual([]);
  const { specversion: _v, ...rest } = e;
  return { ...rest, key: eventKey(e) };
}

/*
 * Shipped config/flywheel.yaml and rules: Noah Fischer (Berlin) works the EMEA hours 08:00-17:00 Mon-Fri; a tier-B
 * first-touch clock is 4 business hours, warned at 75%, reassigned once on breach. Holidays are the shipped ones;
 * the Fridays used here are chosen from the server's clock and checked to be ordinary working days below.
 */
describe('imported leads with their SLA clock started from the recorded hand-off (time-skipping server)', () => {
  let h: TestHarness;
  let friday = 0;

  beforeAll(async () => {
    h = await createHarness('time-skipping', 'lead-import-sla');
    // Weeks whose Fridays and Mondays (this one and the one before) are ordinary working days on the shipped calendar.
    const emea = h.deps.config.config.calendars.find((c) => c.id === 'emea')!;
    const holidays = new Set((emea.holidays ?? []).map((x) => (typeof x === 'string' ? x : x.date)));
    const day = (instant: number, plus: number) => formatIsoDate(Math.floor(instantToLocal(instant, BERLIN) / DAY) + plus);
    friday = nextFriday1630(await h.now());
    while ([-7, -4, 0, 3].some((d) => holidays.has(day(friday, d)))) friday += 7 * DAY;
    await h.advance(friday - (await h.now()));
  });
  afterAll(() => h?.close());

  const rows = (leadId: string) =>
    h.ledger.query<{ type: string; owner: string | null; occurred_at: Date }>('SELECT type, owner, occurred_at FROM ledger_events WHERE lead_id = $1 ORDER BY id', [leadId]);
  const lead = (email: string, domain: string) => ({ ...midMarketLead({ email, domain }), stage: 'Engage', status: 'assigned', owner: 'noah-fischer', tier: 'B', sla: { start: true } });

  it("counts the deadline of a lead handed over Friday 16:00 on the owner's calendar from the hand-off: Monday 11:00", async () => {
    const id = `imp-sla-${friday}`;
    const handoffAt = new Date(berlinAt(friday, 0, 16)).toISOString();
    await deliver(h, importEvent(id, { ...lead('monday@importco.example', 'importco.example'), handoffAt }, new Date(await h.now()).toISOString()));
    const s = await waitForState(h, id, (x) => x.sla?.status === 'running', 'SLA running from the hand-off');
    expect(s).toMatchObject({ imported: true, owner: 'noah-fischer', status: 'assigned', handoffAt });
    expect(s.sla).toMatchObject({ rule: 'sla-mts-tier-b', target: '4h', startedAt: handoffAt, calendar: 'emea' });
    // 16:00-17:00 Friday is one hour; three more from Monday 08:00: warned at 10:00 (75%), due 11:00.
    expect(s.sla!.deadline).toBe(new Date(berlinAt(friday, 3, 11)).toISOString());
    expect(s.sla!.warnAt).toBe(new Date(berlinAt(friday, 3, 10)).toISOString());
    const started = await eventually(
      () => rows(id),
      (rs) => rs.some((r) => r.type === 'sla.started'),
      'the sla.started row',
    );
    // The clock's own decision row beside it; nothing else (no routing, no lead.assigned).
    expect(started.map((r) => r.type).filter((t) => t !== 'decision.recorded')).toEqual(['lead.imported', 'sla.started']);
    expect(started.find((r) => r.type === 'sla.started')!.occurred_at.toISOString()).toBe(handoffAt);

    // Nothing happens over the weekend; the clock warns on Monday at 10:00 as if it had started in Flywheel.
    await h.advance(Date.parse(s.sla!.warnAt) - (await h.now()) + 1_000);
    const warned = await waitForState(h, id, (x) => x.sla?.status === 'warned', 'warned Monday 10:00');
    expect(warned.owner).toBe('noah-fischer');
  });

  it('breaches and escalates right away a lead whose deadline passed before the import, and reassigns it', async () => {
    // Handed over the Friday before at 16:00: due that Monday 11:00, days before this import.
    const id = `imp-late-${friday}`;
    const handoffAt = new Date(berlinAt(friday, -7, 16)).toISOString();
    await deliver(h, importEvent(id, { ...lead('late@lateco.example', 'lateco.example'), handoffAt }, new Date(await h.now()).toISOString()));
    const s = await waitForState(h, id, (x) => x.breachedReps.includes('noah-fischer') && x.sla?.status === 'running', 'breached at import and reassigned');
    expect(s.owner).not.toBe('noah-fischer');
    expect(s.reassignments).toBe(1);
    const all = await eventually(
      () => rows(id),
      (rs) => rs.some((r) => r.type === 'sla.escalated') && rs.filter((r) => r.type === 'sla.started').length === 2,
      'escalated and the new clock',
    );
    const types = all.map((r) => r.type).filter((t) => t !== 'decision.recorded' && t !== 'sla.escalated');
    expect(types).toEqual(['lead.imported', 'sla.started', 'sla.breached', 'lead.reassigned', 'sla.started']);
    // No warning row for a clock that was already past its deadline, and no lead.assigned (the owner came with the import).
    expect(all.filter((r) => r.type === 'sla.warned' || r.type === 'lead.assigned')).toEqual([]);
    expect(all.find((r) => r.type === 'sla.breached')?.owner).toBe('noah-fischer');
  });
});
