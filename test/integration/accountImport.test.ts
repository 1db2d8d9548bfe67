import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { eventKey } from '../../src/events/catalog.ts';
import { validateEvent } from '../../src/events/validate.ts';
import type { AccountEvent } from '../../workflows/account/types.ts';
import { createHarness, type TestHarness } from '../support/temporal.ts';
import { alwaysOpen, deliver, leadEvent, midMarketLead, waitForState } from '../support/leads.ts';
import { accountEvent, deliverToAccount, fullHandoff, waitForAccount, waitForLedger, winLead } from '../support/accounts.ts';

let h: TestHarness;
beforeAll(async () => {
  h = await createHarness('dev', 'account-import', { adjust: alwaysOpen });
});
afterAll(() => h?.close());

type Row = { type: string; owner: string | null; arr_delta: number | null; amount: number | null; occurred_at: Date; data: Record<string, unknown> };
const DAY = 86_400_000;
const day = (offset: number) => new Date(Date.now() + offset * DAY).toISOString().slice(0, 10);

/** An `account.imported` event as an import builds it: source names the file, id names the record. */
function imported(accountId: string, data: Record<string, unknown>, file = 'customers.csv'): AccountEvent {
  const e = { id: `accounts:${accountId}`, source: `import://file/${file}`, type: 'account.imported' as const, subject: accountId, time: new Date().toISOString(), data };
  return { ...e, key: eventKey(e) };
}

describe('importing existing customers (dev server)', () => {
  it('starts an imported customer active in its real state: CS owner, ARR, contract, health, no kickoff clock or hand-off check', async () => {
    const accountId = `acc-imp-${Date.now()}`;
    const domain = `${accountId}.example`;
    const [start, end] = [day(-200), day(165)];
    const data = {
      name: 'Imported GmbH',
      domain,
      region: 'emea',
      tier: 'B',
      arr: 36_000,
      currency: 'EUR',
      contractStart: start,
      contractEnd: end,
      csOwner: 'emma-janssen',
      salesOwner: 'claire-dubois',
      health: { score: 72, band: 'green' },
      importedFrom: 'customers.csv',
    };
    const e = imported(accountId, data);
    expect(validateEvent({ specversion: '1.0', ...e })).toEqual([]);
    await deliverToAccount(h, e);

    const s = await waitForAccount(h, accountId, (x) => x.status === 'active' && x.renewal !== null, 'imported and active');
    expect(s).toMatchObject({
      stage: 'Delight',
      status: 'active',
      imported: true,
      importedFrom: 'customers.csv',
      arr: 36_000,
      currency: 'EUR',
      csOwner: 'emma-janssen',
      csQueue: 'cs-onboarding',
      salesOwner: 'claire-dubois',
      domain,
      tier: 'B',
      contract: { start, end },
      health: { score: 72, band: 'green' },
      kickoff: null,
      onboarding: null,
      wonAt: null,
      handoffs: [],
    });
    // The renewal reminders count back from the real contract end; the 180-day-old contract has none past yet.
    expect(s.renewal).toMatchObject({ contractEnd: end, rule: 'renewal-default', passed: [] });
    expect(s.renewal?.reminders.map((r) => r.offset)).toEqual(['90d', '60d', '30d']);
    // No routing decision, hand-off check or kickoff SLA: only the renewal plan was decided.
    expect(s.decisions.map((d) => d.kind)).toEqual(['renewal']);

    const rows = await waitForLedger<Row>(h, accountId, (rs) => rs.some((r) => r.type === 'account.imported') && rs.some((r) => r.type === 'cs.assigned'), 'imported rows');
    const types = rows.map((r) => r.type);
    for (const none of ['handoff.incomplete', 'handoff.recorded', 'sla.started', 'deal.won', 'arr.changed']) expect(types).not.toContain(none);
    const row = rows.find((r) => r.type === 'account.imported')!;
    expect(row).toMatchObject({ owner: 'emma-janssen', arr_delta: 36_000, amount: 36_000 });
    expect(row.data).toMatchObject({ domain, salesOwner: 'claire-dubois', contractStart: start, contractEnd: end, arr: 36_000, currency: 'EUR', importedFrom: 'customers.csv', handoff: 'imported' });
    // Opening ARR counts from the contract start, so a retention period that began after it sees it as starting ARR.
    expect(row.occurred_at.toISOString()).toBe(`${start}T00:00:00.000Z`);
    expect(rows.find((r) => r.type === 'cs.assigned')).toMatchObject({ owner: 'emma-janssen', data: { reason: 'import', strategy: 'account-owner' } });
    expect(rows.find((r) => r.type === 'health.scored')).toMatchObject({ data: { band: 'green', score: 72, imported: true } });
    // CSM capacity counts the imported customer: an open assignment for Emma.
    const open = await h.ledger.query<{ rep: string }>('SELECT rep FROM lead_assignments WHERE lead_id = $1 AND released_at IS NULL', [`account:${accountId}`]);
    expect(open).toEqual([{ rep: 'emma-janssen' }]);

    // Re-running the import (the same record: the same source and id) changes nothing; nor does another source's import.
    await deliverToAccount(h, imported(accountId, data));
    await deliverToAccount(h, imported(accountId, { ...data, arr: 99_000, csOwner: 'david-kim' }, 'other.csv'));
    const again = await waitForAccount(h, accountId, (x) => x.ignored.length >= 2, 'both imports ignored');
    expect(again.ignored.map((i) => i.reason)).toEqual(['duplicate delivery (same source and id)', expect.stringMatching(/^already imported at /)]);
    expect(again).toMatchObject({ arr: 36_000, csOwner: 'emma-janssen', contract: { start, end }, renewal: { contractEnd: end } });
    const after = await waitForLedger<Row>(h, accountId, (rs) => rs.some((r) => r.type === 'event.ignored'), 'ignored row');
    expect(after.filter((r) => r.type === 'account.imported')).toHaveLength(1);
    expect(after.filter((r) => r.type === 'cs.assigned')).toHaveLength(1);
    expect(await h.ledger.query('SELECT rep FROM lead_assignments WHERE lead_id = $1', [`account:${accountId}`])).toHaveLength(1);

    // Later CRM events work on an imported customer as on any other.
    await deliverToAccount(h, accountEvent('account.expanded', accountId, { amount: 4_000 }));
    await waitForAccount(h, accountId, (x) => x.arr === 40_000, 'expanded');
    await deliverToAccount(h, accountEvent('account.health_reported', accountId, { activeSeatRatio: 0.3, daysSinceLastLogin: 20, nps: { score: -10, responses: 4 } }));
    const red = await waitForAccount(h, accountId, (x) => x.health?.band === 'red' && x.renewal?.rule === 'renewal-at-risk', 'red health re-plans the renewal');
    expect(red.health?.playbook).toBe('churn-risk-save');
  });

  it("routes a new lead from an imported customer's domain to its account owner (the sales owner)", async () => {
    const accountId = `acc-imp-dom-${Date.now()}`;
    const domain = `${accountId}.example`;
    await deliverToAccount(h, imported(accountId, { name: 'Domain AG', domain, arr: 20_000, contractEnd: day(300), csOwner: 'david-kim', salesOwner: 'olivia-chen' }));
    await waitForLedger<Row>(h, accountId, (rs) => rs.some((r) => r.type === 'account.imported'), 'imported');
    const leadId = `lead-${accountId}`;
    await deliver(h, leadEvent('lead.created', leadId, midMarketLead({ email: `buyer@${domain}`, domain })));
    const routed = await waitForState(h, leadId, (s) => s.owner !== null, 'routed');
    expect(routed.owner).toBe('olivia-chen');
    expect(routed.decisions.find((d) => d.kind === 'routing')?.matched).toEqual(['route-existing-customer']);
  });

  it('routes an imported customer without a CS owner (or with an unknown one) by the cs-routing rules', async () => {
    const tag = Date.now();
    const [none, unknown] = [`acc-imp-none-${tag}`, `acc-imp-unknown-${tag}`];
    await deliverToAccount(h, imported(none, { arr: 12_000, contractEnd: day(400) }));
    await deliverToAccount(h, imported(unknown, { arr: 12_000, contractEnd: day(400), csOwner: 'nobody-we-know' }));
    for (const id of [none, unknown]) {
      const s = await waitForAccount(h, id, (x) => x.status === 'active', 'active');
      expect(s).toMatchObject({ imported: true, csQueue: 'cs-onboarding', kickoff: null });
      expect(['emma-janssen', 'david-kim']).toContain(s.csOwner);
      expect(s.decisions.map((d) => d.kind)).toEqual(['cs-routing', 'renewal']);
      const rows = await waitForLedger<Row>(h, id, (rs) => rs.some((r) => r.type === 'account.imported'), 'imported');
      expect(rows.find((r) => r.type === 'cs.assigned')).toMatchObject({ owner: s.csOwner, data: { reason: 'import' } });
    }
    const rows = await waitForLedger<Row>(h, unknown, (rs) => rs.some((r) => r.type === 'account.imported'), 'imported');
    expect(rows.find((r) => r.type === 'account.imported')?.data.csOwnerRefused).toMatch(/nobody-we-know/);
  });

  it('marks an imported customer whose contract already ended overdue at once, with every reminder passed and none sent', async () => {
    const accountId = `acc-imp-past-${Date.now()}`;
    await deliverToAccount(h, imported(accountId, { arr: 8_000, contractStart: day(-400), contractEnd: day(-5), csOwner: 'david-kim' }));
    const s = await waitForAccount(h, accountId, (x) => x.renewal?.overdue === true, 'overdue');
    expect(s.renewal).toMatchObject({ reminders: [], passed: ['90d', '60d', '30d'], sent: [] });
    const rows = await waitForLedger<Row>(h, accountId, (rs) => rs.some((r) => r.type === 'renewal.overdue'), 'overdue row');
    expect(rows.map((r) => r.type)).not.toContain('renewal.reminder');
  });

  it('applies CRM events that arrived before the import once the account exists; an import of a won customer changes nothing', async () => {
    const accountId = `acc-imp-early-${Date.now()}`;
    await deliverToAccount(h, accountEvent('account.expanded', accountId, { amount: 1_000 }));
    await waitForAccount(h, accountId, (x) => x.early.length === 1, 'kept early');
    await deliverToAccount(h, imported(accountId, { arr: 10_000, contractEnd: day(200), csOwner: 'emma-janssen' }));
    const s = await waitForAccount(h, accountId, (x) => x.arr === 11_000, 'early expansion applied');
    expect(s).toMatchObject({ status: 'active', early: [], imported: true });

    // A customer won inside Flywheel is already a customer: its import changes nothing.
    const won = `acc-imp-won-${Date.now()}`;
    await winLead(h, `lead-${won}`, won, { arr: 30_000, handoff: fullHandoff() });
    const before = await waitForAccount(h, won, (x) => x.status === 'onboarding', 'onboarding');
    await deliverToAccount(h, imported(won, { arr: 99_000, contractEnd: day(100), csOwner: 'sofia-rossi' }));
    const after = await waitForAccount(h, won, (x) => x.ignored.length === 1, 'import ignored');
    expect(after.ignored[0]?.reason).toMatch(/^already a customer \(onboarding, won at /);
    expect(after).toMatchObject({ arr: 30_000, csOwner: before.csOwner, contract: before.contract, kickoff: { status: 'running' } });
    expect(after.imported).toBeUndefined();
    const rows = await waitForLedger<Row>(h, won, (rs) => rs.some((r) => r.type === 'event.ignored'), 'ignored row');
    expect(rows.map((r) => r.type)).not.toContain('account.imported');
  });
});
