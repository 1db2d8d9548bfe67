import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { formatIsoDate } from '../../src/calendar/civil.ts';
import { instantToLocal, toWallTime } from '../../src/calendar/zonedTime.ts';
import { retention } from '../../src/metrics/retention.ts';
import { createHarness, type TestHarness } from '../support/temporal.ts';
import { alwaysOpen } from '../support/leads.ts';
import { accountEvent, deliverToAccount, fullHandoff, waitForAccount, waitForLedger, winLead } from '../support/accounts.ts';

const DAY = 86_400_000;
const BERLIN = 'Europe/Berlin';
const berlinDate = (t: number) => formatIsoDate(Math.floor(instantToLocal(t, BERLIN) / DAY));
type Row = { type: string; occurred_at: Date; arr_delta: number | null; data: Record<string, unknown> };

describe('renewals and ARR over a contract year (time-skipping server)', () => {
  let h: TestHarness;
  const iso = async () => new Date(await h.now()).toISOString();
  beforeAll(async () => {
    h = await createHarness('time-skipping', 'account-renewal', { adjust: alwaysOpen });
  });
  afterAll(() => h?.close());

  it('sends each renewal reminder on its date at 09:00 Berlin, then marks the contract overdue, then renews', async () => {
    const accountId = `acc-renew-${Date.now()}`;
    const today = Math.floor(instantToLocal(await h.now(), BERLIN) / DAY);
    const [start, end] = [formatIsoDate(today), formatIsoDate(today + 364)];
    await winLead(h, `lead-${accountId}`, accountId, { arr: 48_000, handoff: fullHandoff({ contractStart: start, contractEnd: end }), at: iso });
    const s = await waitForAccount(h, accountId, (x) => x.renewal !== null, 'renewal planned');
    await deliverToAccount(h, accountEvent('account.kickoff_held', accountId, {}, await iso()));
    expect(s.renewal?.reminders.map((r) => [r.offset, berlinDate(Date.parse(r.at))])).toEqual([
      ['90d', formatIsoDate(today + 364 - 90)],
      ['60d', formatIsoDate(today + 364 - 60)],
      ['30d', formatIsoDate(today + 364 - 30)],
    ]);
    // The contract runs through its last day: it ends at the following local midnight.
    expect(toWallTime(Date.parse(s.renewal!.dueAt), BERLIN)).toMatchObject({ hour: 0, minute: 0 });
    expect(berlinDate(Date.parse(s.renewal!.dueAt))).toBe(formatIsoDate(today + 365));

    await h.advance(Date.parse(s.renewal!.dueAt) - (await h.now()) + 60_000);
    const rows = await waitForLedger<Row>(h, accountId, (rs) => rs.some((r) => r.type === 'renewal.overdue'), 'overdue');
    const reminders = rows.filter((r) => r.type === 'renewal.reminder');
    expect(reminders.map((r) => [r.data.offset, berlinDate(r.occurred_at.getTime()), toWallTime(r.occurred_at.getTime(), BERLIN).hour])).toEqual([
      ['90d', formatIsoDate(today + 364 - 90), 9],
      ['60d', formatIsoDate(today + 364 - 60), 9],
      ['30d', formatIsoDate(today + 364 - 30), 9],
    ]);
    expect(reminders.every((r) => Array.isArray(r.data.notified) && (r.data.notified as string[]).length === 1)).toBe(true);
    const active = await waitForAccount(h, accountId, (x) => x.renewal?.overdue === true, 'overdue');
    expect(active.status).toBe('active');
    expect(active.onboarding?.completed).toBe(true);

    const nextEnd = formatIsoDate(today + 364 + 365);
    await deliverToAccount(h, accountEvent('account.renewed', accountId, { arr: 52_000, contractEnd: nextEnd }, await iso()));
    const renewed = await waitForAccount(h, accountId, (x) => x.renewal?.contractEnd === nextEnd, 'renewed and re-planned');
    expect(renewed).toMatchObject({ arr: 52_000, renewal: { contractEnd: nextEnd, overdue: false, sent: [] } });
    expect(renewed.renewal?.reminders).toHaveLength(3);
    const isArrRenewal = (r: Row) => r.type === 'arr.changed' && r.data.kind === 'renewal';
    const arr = await waitForLedger<Row>(h, accountId, (rs) => rs.some(isArrRenewal), 'renewal row');
    expect(arr.find(isArrRenewal)).toMatchObject({ arr_delta: 4_000, data: { arrBefore: 48_000, arrAfter: 52_000 } });
  });

  it('computes NRR and GRR from the ledger the workflows wrote for a known cohort', async () => {
    const tag = Date.now();
    const ids = { a: `acc-a-${tag}`, b: `acc-b-${tag}`, c: `acc-c-${tag}`, d: `acc-d-${tag}`, e: `acc-e-${tag}` };
    const today = Math.floor(instantToLocal(await h.now(), BERLIN) / DAY);
    const contract = (days: number) => fullHandoff({ contractStart: formatIsoDate(today), contractEnd: formatIsoDate(today + days) });
    // Cohort won before the period: A 50k, B 40k, C 30k, D 20k (D's contract ends inside the period).
    for (const [id, arr, days] of [
      [ids.a, 50_000, 364],
      [ids.b, 40_000, 364],
      [ids.c, 30_000, 364],
      [ids.d, 20_000, 120],
    ] as const) {
      await winLead(h, `lead-${id}`, id, { arr, handoff: contract(days), at: iso });
      await waitForAccount(h, id, (x) => x.renewal !== null, 'onboarded');
    }
    await h.advance(DAY);
    const from = new Date(await h.now());
    await h.advance(60 * DAY);
    await deliverToAccount(h, accountEvent('account.expanded', ids.a, { amount: 10_000 }, await iso()));
    await h.advance(30 * DAY);
    await deliverToAccount(h, accountEvent('account.contracted', ids.b, { amount: 10_000 }, await iso()));
    await deliverToAccount(h, accountEvent('account.renewed', ids.d, { arr: 20_000, contractEnd: formatIsoDate(today + 485) }, await iso()));
    await h.advance(30 * DAY);
    await deliverToAccount(h, accountEvent('account.churned', ids.c, { reason: 'budget' }, await iso()));
    // New business inside the period is not part of retention.
    await winLead(h, `lead-${ids.e}`, ids.e, { arr: 25_000, handoff: contract(400), at: iso });
    await waitForAccount(h, ids.c, (x) => x.status === 'churned', 'C churned');
    await waitForAccount(h, ids.e, (x) => x.status === 'onboarding', 'E onboarded');
    for (const id of [ids.a, ids.b, ids.c, ids.d]) await waitForLedger<Row>(h, id, (rs) => rs.some((r) => r.type === 'arr.changed'), 'ARR change');
    await h.advance(DAY);
    const to = new Date(await h.now());

    // By hand: start 50 + 40 + 30 + 20 = 140k; end 60 + 30 + 0 + 20 = 110k; kept min(end, start) 50 + 30 + 0 + 20 = 100k.
    const cohort = Object.values(ids);
    const m = await retention(
      { query: (sql, params) => h.ledger.query(sql.replace(/FROM ledger_events/g, `FROM (SELECT * FROM ledger_events WHERE account_id = ANY('{${cohort.join(',')}}')) ledger_events`), params) },
      { from, to },
    );
    expect(m).toMatchObject({
      cohortAccounts: 4,
      churnedAccounts: 1,
      startingArr: 140_000,
      endingArr: 110_000,
      expansion: 10_000,
      contraction: 10_000,
      churn: 30_000,
      newBusiness: 25_000,
      nrr: 0.7857,
      grr: 0.7143,
    });
  });
});
