import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { instantToLocal, localToInstant } from '../../src/calendar/zonedTime.ts';
import { formatIsoDate } from '../../src/calendar/civil.ts';
import { createHarness, type TestHarness } from '../support/temporal.ts';
import { eventually } from '../support/eventually.ts';
import { deliver, leadEvent, midMarketLead, waitForState } from '../support/leads.ts';
import type { LoadedConfig } from '../../src/config/types.ts';

const BERLIN = 'Europe/Berlin';
const DAY = 86_400_000;
const HOUR = 3_600_000;

/** The next Friday 16:30 in Berlin after `now`, as an instant. */
function nextFriday1630(now: number): number {
  const localNow = instantToLocal(now, BERLIN);
  const day = Math.floor(localNow / DAY);
  const weekday = (day + 4) % 7; // epoch day 0 was a Thursday; 5 = Friday
  let friday = day + ((5 - weekday + 7) % 7);
  if (localToInstant(friday * DAY + 16.5 * HOUR, BERLIN) <= now + 60_000) friday += 7;
  return localToInstant(friday * DAY + 16.5 * HOUR, BERLIN);
}

const berlinAt = (fridayInstant: number, plusDays: number, hour: number, minute: number) => {
  const friday = Math.floor(instantToLocal(fridayInstant, BERLIN) / DAY);
  return localToInstant((friday + plusDays) * DAY + hour * HOUR + minute * 60_000, BERLIN);
};

/** The shipped EMEA calendar (08:00-17:00 Mon-Fri) with only the given holidays. */
const withHolidays = (dates: string[]) => (loaded: LoadedConfig) => {
  for (const c of loaded.config.calendars) c.holidays = dates;
  for (const r of loaded.config.reps) delete r.outOfOffice;
};

describe('marketing -> sales SLA on business hours (time-skipping server)', () => {
  let plain: TestHarness;
  let holiday: TestHarness;
  let friday = 0;

  beforeAll(async () => {
    plain = await createHarness('time-skipping', 'lead-sla', { adjust: withHolidays([]) });
    const now = await plain.now();
    friday = nextFriday1630(now);
    // Same calendars, with every holiday replaced: none for one worker, the Monday after `friday` for the other.
    const monday = formatIsoDate(Math.floor(instantToLocal(friday, BERLIN) / DAY) + 3);
    holiday = await createHarness('time-skipping', 'lead-sla-holiday', { adjust: withHolidays([monday]) });
    await plain.advance(friday - (await plain.now()));
  });
  afterAll(async () => {
    await holiday?.close();
    await plain?.close();
  });

  it('moves the deadline past a holiday Monday to Tuesday 11:30', async () => {
    const id = `sla-holiday-${friday}`;
    await deliver(holiday, leadEvent('lead.created', id, midMarketLead({ email: 'holiday@shopco.example' }), new Date(await holiday.now()).toISOString()));
    const s = await waitForState(holiday, id, (x) => x.sla?.status === 'running', 'SLA running');
    const started = Date.parse(s.sla!.startedAt);
    expect(started - friday).toBeLessThan(60_000);
    expect(Date.parse(s.sla!.deadline) - (started - friday)).toBe(berlinAt(friday, 4, 11, 30));
  });

  it('gives a tier-B lead created Friday 16:30 Berlin a 4-business-hour deadline of Monday 11:30, warns at 75%, and reassigns on breach', async () => {
    const id = `sla-b-${friday}`;
    await deliver(plain, leadEvent('lead.created', id, midMarketLead({ email: 'sla@shopco.example' }), new Date(await plain.now()).toISOString()));
    const s = await waitForState(plain, id, (x) => x.sla?.status === 'running', 'SLA running');
    expect(s.tier).toBe('B');
    expect(s.sla?.rule).toBe('sla-mts-tier-b');
    expect(s.sla?.target).toBe('4h');
    const started = Date.parse(s.sla!.startedAt);
    expect(started - friday).toBeLessThan(60_000);
    // Deadlines move with the start by the same business offset; the start is within a minute of 16:30.
    expect(Date.parse(s.sla!.deadline) - (started - friday)).toBe(berlinAt(friday, 3, 11, 30));
    expect(Date.parse(s.sla!.warnAt) - (started - friday)).toBe(berlinAt(friday, 3, 10, 30));

    const firstOwner = s.owner!;
    await plain.advance(Date.parse(s.sla!.warnAt) - (await plain.now()) + 1_000);
    const warned = await waitForState(plain, id, (x) => x.sla?.status === 'warned', 'SLA warned');
    expect(warned.owner).toBe(firstOwner);
    expect(await plain.ledger.query("SELECT 1 FROM ledger_events WHERE lead_id = $1 AND type = 'sla.warned'", [id])).toHaveLength(1);

    await plain.advance(Date.parse(s.sla!.deadline) - (await plain.now()) + 1_000);
    const after = await waitForState(plain, id, (x) => x.breachedReps.includes(firstOwner) && x.sla?.status === 'running', 'reassigned after breach');
    expect(after.owner).not.toBe(firstOwner);
    expect(after.reassignments).toBe(1);
    const rows = () => plain.ledger.query<{ type: string; owner: string | null }>('SELECT type, owner FROM ledger_events WHERE lead_id = $1 ORDER BY id', [id]);
    const all = await eventually(rows, (rs) => rs.some((r) => r.type === 'sla.escalated') && rs.filter((r) => r.type === 'sla.started').length === 2, 'escalated and the new clock');
    const types = all.filter((r) => r.type.startsWith('sla.') || r.type.startsWith('lead.'));
    // The escalation goes out beside the lead (a CRM outage must not hold up the reassignment): it follows the breach,
    // in whichever order it lands with the reassignment.
    expect(types.map((r) => r.type).filter((t) => t !== 'sla.escalated')).toEqual(['lead.assigned', 'sla.started', 'sla.warned', 'sla.breached', 'lead.reassigned', 'sla.started']);
    expect(types.findIndex((r) => r.type === 'sla.escalated')).toBeGreaterThan(types.findIndex((r) => r.type === 'sla.breached'));
    expect(types.find((r) => r.type === 'lead.reassigned')?.owner).toBe(after.owner);
    // The new clock starts at the breach and runs on business hours again: Monday 11:30 + 4h = 15:30.
    expect(Math.abs(Date.parse(after.sla!.deadline) - berlinAt(friday, 3, 15, 30))).toBeLessThan(60_000);
  });
});
