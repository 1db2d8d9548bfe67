import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { calendarFor } from '../../src/routing/candidates.ts';
import { createHarness, type TestHarness } from '../support/temporal.ts';
import { handoffReceived } from '../support/accountHandoff.ts';
import { accountEvent, deliverToAccount, waitForAccount, waitForLedger } from '../support/accounts.ts';
import { ordinaryWeek } from '../support/berlinWeek.ts';

const MINUTE = 60_000;
type Row = { type: string; occurred_at: Date; data: Record<string, unknown> };

describe('a paused kickoff clock (time-skipping server, shipped EMEA calendar)', () => {
  let h: TestHarness;
  let week: ReturnType<typeof ordinaryWeek>;

  beforeAll(async () => {
    // One CSM on the EMEA calendar, so the clock's calendar is known; the calendar itself is the shipped one.
    h = await createHarness('time-skipping', 'kickoff-pause', {
      adjust: (loaded) => {
        for (const q of loaded.config.queues ?? []) if (q.id === 'cs-onboarding') q.members = ['emma-janssen'];
      },
    });
    week = ordinaryWeek(h.deps.config.config, await h.now());
  });
  afterAll(() => h?.close());

  it('paused for three business days and resumed, meets a deadline three business days later', async () => {
    const accountId = `acc-pause-${week.date(0)}`;
    await h.advanceTo(week.at(0, 9));
    await deliverToAccount(h, handoffReceived(accountId, await h.isoNow()));
    const started = await waitForAccount(h, accountId, (s) => s.kickoff?.status === 'running', 'kickoff clock running');
    const k0 = started.kickoff!;
    expect(k0).toMatchObject({ rule: 'sla-stc-default', calendar: 'emea', pause: { reasons: ['customer-request', 'awaiting-customer'] } });

    // A reason the rule does not list is refused and recorded; the clock keeps counting.
    await deliverToAccount(h, accountEvent('account.kickoff_paused', accountId, { reason: 'holiday' }, await h.isoNow()));
    const refused = await waitForAccount(h, accountId, (s) => s.ignored.some((i) => /does not allow pausing for "holiday"/.test(i.reason)), 'refused pause');
    expect(refused.kickoff?.status).toBe('running');

    await h.advanceTo(week.at(0, 10));
    await deliverToAccount(h, accountEvent('account.kickoff_paused', accountId, { reason: 'customer-request' }, await h.isoNow()));
    const paused = await waitForAccount(h, accountId, (s) => s.kickoff?.status === 'paused', 'paused');
    expect(paused.kickoff?.paused).toMatchObject({ reason: 'customer-request', resumeTo: 'running' });
    // Workflow time runs on between two skips: the pause lands within moments of 10:00.
    const pausedAt = Date.parse(paused.kickoff!.paused!.at);
    expect(pausedAt - week.at(0, 10)).toBeLessThan(MINUTE);

    // Thursday 10:00 is three business days later on the EMEA calendar; the warning (Friday 09:00) has not come.
    await h.advanceTo(week.at(3, 10));
    expect((await waitForAccount(h, accountId, (s) => s.kickoff?.status === 'paused', 'still paused')).kickoff?.deadline).toBe(k0.deadline);
    await deliverToAccount(h, accountEvent('account.kickoff_resumed', accountId, {}, await h.isoNow()));
    const resumed = await waitForAccount(h, accountId, (s) => s.kickoff?.status === 'running', 'resumed');
    const cal = calendarFor(h.deps.config.config, 'emea');
    const resumedRow = (await waitForLedger<Row>(h, accountId, (rs) => rs.some((r) => r.type === 'sla.resumed'), 'sla.resumed')).find((r) => r.type === 'sla.resumed')!;
    const resumedAt = Date.parse(String(resumedRow.data.resumedAt));
    const paused3 = cal.businessTimeBetween(pausedAt, resumedAt);
    // Three EMEA business days (9 hours each), to within the moments between the skips.
    expect(Math.abs(paused3 - 3 * 9 * 60 * MINUTE)).toBeLessThan(MINUTE);
    expect(resumed.kickoff?.pausedMs).toBe(paused3);
    expect(Date.parse(resumed.kickoff!.deadline)).toBe(cal.addBusinessTime(resumedAt, cal.businessTimeBetween(pausedAt, Date.parse(k0.deadline))));
    expect(Math.abs(Date.parse(resumed.kickoff!.deadline) - cal.addBusinessTime(Date.parse(k0.deadline), 27 * 60 * MINUTE))).toBeLessThan(MINUTE);
    expect(Math.abs(Date.parse(resumed.kickoff!.warnAt) - cal.addBusinessTime(Date.parse(k0.warnAt), 27 * 60 * MINUTE))).toBeLessThan(MINUTE);

    // Past the original warning and deadline the clock is still counting, and the kickoff then meets it.
    await h.advanceTo(Date.parse(k0.deadline) + 30 * MINUTE);
    expect((await waitForAccount(h, accountId, (s) => s.kickoff !== null, 'state')).kickoff?.status).toBe('running');
    await deliverToAccount(h, accountEvent('account.kickoff_held', accountId, {}, await h.isoNow()));
    await waitForAccount(h, accountId, (s) => s.kickoff?.status === 'met', 'met');
    const rows = await waitForLedger<Row>(h, accountId, (rs) => rs.some((r) => r.type === 'sla.met'), 'sla.met');
    const sla = rows.filter((r) => r.type.startsWith('sla.')).map((r) => r.type);
    expect(sla).toEqual(['sla.started', 'sla.paused', 'sla.resumed', 'sla.met']);
    expect(rows.find((r) => r.type === 'sla.resumed')?.data).toMatchObject({ reason: 'customer-request', pausedMs: paused3, by: 'event' });
    expect(rows.find((r) => r.type === 'sla.met')?.data).toMatchObject({ pausedMs: paused3 });
  });
});
