import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { formatIsoDate } from '../../src/calendar/civil.ts';
import { instantToLocal, toWallTime } from '../../src/calendar/zonedTime.ts';
import { eventKey } from '../../src/events/catalog.ts';
import type { AccountEvent } from '../../workflows/account/types.ts';
import { createHarness, type TestHarness } from '../support/temporal.ts';
import { alwaysOpen } from '../support/leads.ts';
import { deliverToAccount, waitForAccount, waitForLedger } from '../support/accounts.ts';

const DAY = 86_400_000;
const BERLIN = 'Europe/Berlin';
const berlinDate = (t: number) => formatIsoDate(Math.floor(instantToLocal(t, BERLIN) / DAY));
type Row = { type: string; occurred_at: Date; data: Record<string, unknown> };

/** An `account.imported` event as a file import builds it (source = the file, id = the record). */
function imported(accountId: string, time: string, data: Record<string, unknown>): AccountEvent {
  const e = { id: `accounts:${accountId}`, source: 'import://file/book.csv', type: 'account.imported' as const, subject: accountId, time, data };
  return { ...e, key: eventKey(e) };
}

describe('imported customers get their renewal reminders from the real contract end (time-skipping server)', () => {
  let h: TestHarness;
  beforeAll(async () => {
    h = await createHarness('time-skipping', 'account-import-renewal', { adjust: alwaysOpen });
  });
  afterAll(() => h?.close());

  it('sends each sample account its reminders at 09:00 Berlin on the dates its renewal rule gives; past ones are marked passed, not sent', async () => {
    const tag = Date.now();
    const today = Math.floor(instantToLocal(await h.now(), BERLIN) / DAY);
    // A sample of an imported book: different ARR and health, so each renewal rule applies to one of them.
    const sample = [
      { id: `acc-ts-default-${tag}`, arr: 48_000, health: { band: 'green' }, endIn: 100, rule: 'renewal-default', upcoming: ['90d', '60d', '30d'], passed: [] as string[] },
      { id: `acc-ts-enterprise-${tag}`, arr: 150_000, health: { score: 80 }, endIn: 150, rule: 'renewal-enterprise', upcoming: ['120d', '90d', '60d', '30d'], passed: ['180d'] },
      // Only a score: the health rules' bands make 30 red, and red health is a renewal at risk.
      { id: `acc-ts-risk-${tag}`, arr: 20_000, health: { score: 30 }, endIn: 70, rule: 'renewal-at-risk', upcoming: ['60d', '30d', '14d'], passed: ['120d', '90d'] },
      { id: `acc-ts-late-${tag}`, arr: 9_000, health: {}, endIn: 20, rule: 'renewal-default', upcoming: [], passed: ['90d', '60d', '30d'] },
    ];
    const now = new Date(await h.now()).toISOString();
    for (const a of sample) {
      const data = {
        name: a.id,
        arr: a.arr,
        currency: 'EUR',
        contractStart: formatIsoDate(today + a.endIn - 365),
        contractEnd: formatIsoDate(today + a.endIn),
        csOwner: 'emma-janssen',
        health: a.health,
      };
      await deliverToAccount(h, imported(a.id, now, data));
    }
    for (const a of sample) {
      const s = await waitForAccount(h, a.id, (x) => x.status === 'active' && x.renewal !== null, 'imported with a renewal plan');
      expect(s.renewal?.rule, a.id).toBe(a.rule);
      expect(s.renewal?.passed, a.id).toEqual(a.passed);
      expect(
        s.renewal?.reminders.map((r) => [r.offset, berlinDate(Date.parse(r.at))]),
        a.id,
      ).toEqual(a.upcoming.map((o) => [o, formatIsoDate(today + a.endIn - Number.parseInt(o, 10))]));
      expect(s.kickoff, a.id).toBeNull();
    }

    const lastDue = Math.max(...sample.map((a) => today + a.endIn + 1));
    const dueAt = Date.parse((await waitForAccount(h, sample[1]!.id, (x) => x.renewal !== null, 'plan')).renewal!.dueAt);
    expect(berlinDate(dueAt)).toBe(formatIsoDate(lastDue));
    await h.advance(dueAt - (await h.now()) + 60_000);

    for (const a of sample) {
      const rows = await waitForLedger<Row>(h, a.id, (rs) => rs.some((r) => r.type === 'renewal.overdue'), 'renewal overdue');
      const reminders = rows.filter((r) => r.type === 'renewal.reminder');
      expect(
        reminders.map((r) => [r.data.offset, berlinDate(r.occurred_at.getTime()), toWallTime(r.occurred_at.getTime(), BERLIN).hour]),
        a.id,
      ).toEqual(a.upcoming.map((o) => [o, formatIsoDate(today + a.endIn - Number.parseInt(o, 10)), 9]));
      const overdue = rows.find((r) => r.type === 'renewal.overdue')!;
      expect(berlinDate(overdue.occurred_at.getTime()), a.id).toBe(formatIsoDate(today + a.endIn + 1));
      const s = await waitForAccount(h, a.id, (x) => x.renewal?.overdue === true, 'overdue');
      expect(s.renewal?.sent, a.id).toEqual(a.upcoming);
    }
  });
});
