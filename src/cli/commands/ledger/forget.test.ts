import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import type { Ledger } from '../../../ledger/types.ts';
import { ERASED } from '../../../ledger/personalData.ts';
import { configFor, runCliInProcess } from '../../../../test/support/cli.ts';
import { createHarness, type TestHarness } from '../../../../test/support/temporal.ts';
import { fullHandoff, waitForAccount, waitForLedger, winLead } from '../../../../test/support/accounts.ts';
import { eventually } from '../../../../test/support/eventually.ts';
import { alwaysOpen, deliver, leadEvent, midMarketLead, waitForState } from '../../../../test/support/leads.ts';

const T = 120_000;
const stamp = Date.now();
const LEAD = `forget-${stamp}`;
const ACCOUNT = `forget-acc-${stamp}`;
const BYSTANDER = `forget-other-${stamp}`;

/** The lead's personal values: after forgetting it, none may remain in any table of the ledger. */
const PERSONAL = {
  email: 'erin.quarshie@shopco.example',
  firstName: 'Erin',
  lastName: 'Quarshie',
  phone: '+49 30 5550199',
  title: 'Chief Data Wrangler',
  custom: { profile: 'https://social.example/in/erinq' },
};
const HANDOFF = fullHandoff({ champion: 'Erin Quarshie', executiveSponsor: 'Dana Okafor', implementationPlan: 'Kick-off with Erin Quarshie in week 1' });

let h: TestHarness;
let config: string;
let temporalAddress: string | undefined;

/** Every row of every table of the ledger as text, by table. */
async function dump(ledger: Ledger): Promise<Record<string, string[]>> {
  const tables = await ledger.query<{ name: string }>(
    `SELECT table_name AS name FROM information_schema.tables WHERE table_schema = current_schema() AND table_type = 'BASE TABLE' ORDER BY table_name`,
  );
  const out: Record<string, string[]> = {};
  for (const { name } of tables) out[name] = (await ledger.query<{ row: string }>(`SELECT t::text AS row FROM ${name} t ORDER BY 1`)).map((r) => r.row);
  return out;
}

/** The dump without the tables that change on their own (each worker's heartbeat), for before/after comparisons. */
const stable = (d: Record<string, string[]>) => Object.fromEntries(Object.entries(d).filter(([t]) => t !== 'worker_rules'));
const hits = (d: Record<string, string[]>, value: string) => Object.entries(d).flatMap(([t, rows]) => rows.filter((r) => r.includes(value)).map((r) => `${t}: ${r.slice(0, 160)}`));
const forget = (...args: string[]) => runCliInProcess(['ledger', 'forget', ...args], config);

beforeAll(async () => {
  h = await createHarness('dev', 'ledger-forget', { adjust: alwaysOpen });
  config = await configFor({ ledgerDir: h.ledgerDir });
  // `ledger forget` asks Temporal (from the environment) which histories still hold the data.
  temporalAddress = process.env.TEMPORAL_ADDRESS;
  process.env.TEMPORAL_ADDRESS = inject('temporal').devAddress;

  await deliver(h, leadEvent('lead.created', BYSTANDER, midMarketLead({ email: 'quinn.bystander@shopco.example', firstName: 'Quinn', lastName: 'Bystander' })));
  await waitForState(h, BYSTANDER, (s) => s.sla?.status === 'running', 'bystander routed');
  await winLead(h, LEAD, ACCOUNT, { lead: midMarketLead(PERSONAL), arr: 48_000, handoff: HANDOFF });
  // Every row the lead and the account it became write for this, before anything is erased.
  await eventually(
    () => h.ledger.query<{ type: string }>('SELECT type FROM ledger_events WHERE lead_id = $1', [LEAD]),
    (rows) => ['lead.closed', 'handoff.recorded', 'deal.won', 'sla.started'].every((t) => rows.some((r) => r.type === t)),
    'the won lead on record',
  );
  await eventually(
    () => h.ledger.query('SELECT 1 FROM lead_assignments WHERE lead_id = $1 AND released_at IS NULL', [LEAD]),
    (open) => open.length === 0,
    'the won lead released',
  );
  await waitForAccount(h, ACCOUNT, (s) => s.csOwner !== null && s.kickoff !== null, 'CS owner and kickoff clock');
  // The account's last rows of the hand-off: its decisions, the kickoff clock, and the move to onboarding.
  await waitForLedger<{ type: string; data: { kind?: string; status?: string } }>(
    h,
    ACCOUNT,
    (rows) =>
      ['handoff', 'cs-routing', 'sla', 'renewal'].every((k) => rows.some((r) => r.type === 'decision.recorded' && r.data.kind === k)) &&
      rows.some((r) => r.type === 'sla.started') &&
      rows.some((r) => r.type === 'stage.changed' && r.data.status === 'onboarding'),
    'hand-off, CS routing, kickoff and renewal decisions, and onboarding',
  );
}, T);
afterAll(async () => {
  if (temporalAddress === undefined) delete process.env.TEMPORAL_ADDRESS;
  else process.env.TEMPORAL_ADDRESS = temporalAddress;
  await h?.close();
});

describe('flywheel ledger forget', () => {
  it('erases the personal data of a lead from every row that carries it, keeps outcomes and company facts, and is idempotent', async () => {
    const before = await dump(h.ledger);
    for (const v of [PERSONAL.email, PERSONAL.lastName, PERSONAL.phone]) expect(hits(before, v).length).toBeGreaterThan(0);
    const bystanderBefore = await h.ledger.query('SELECT id, data FROM ledger_events WHERE lead_id = $1 ORDER BY id', [BYSTANDER]);

    // --dry-run counts and changes nothing.
    const dry = await forget('lead', LEAD, '--dry-run', '--json');
    expect(dry.stderr).toBe('');
    expect(dry.code).toBe(0);
    const planned = JSON.parse(dry.stdout);
    expect(planned).toMatchObject({ entity: 'lead', id: LEAD, dryRun: true, recordedKey: null, uncheckedTables: [] });
    expect(planned.rowsErased).toBeGreaterThan(0);
    expect(stable(await dump(h.ledger))).toEqual(stable(before));

    const run = await forget('lead', LEAD, '--json');
    expect(run.stderr).toBe('');
    expect(run.code).toBe(0);
    const report = JSON.parse(run.stdout);
    expect(report).toMatchObject({ dryRun: false, rowsErased: planned.rowsErased, valuesErased: planned.valuesErased, recordedKey: expect.stringMatching(new RegExp(`^forgotten:lead:${LEAD}:`)) });
    expect(report.byType).toMatchObject({ 'decision.recorded': expect.any(Number), 'lead.closed': 1, 'handoff.recorded': 1 });
    expect(report.workflowIds).toEqual([`lead:${LEAD}`, `account:${ACCOUNT}`]);
    expect(report.tables.map((t: { table: string }) => t.table)).toEqual(expect.arrayContaining(['ledger_events', 'lead_assignments', 'held_leads', 'ingest_receipts']));
    // What it could not reach: both workflows still run (the lead in its grace period), in a namespace with a retention.
    expect(report.notReached.temporal).toMatchObject({ namespace: 'default', retentionMs: expect.any(Number) });
    expect(report.notReached.temporal.workflows).toEqual([
      { workflowId: `lead:${LEAD}`, status: 'RUNNING', closedAt: null, keptUntil: null },
      { workflowId: `account:${ACCOUNT}`, status: 'RUNNING', closedAt: null, keptUntil: null },
    ]);
    expect(report.notReached.elsewhere.join('\n')).toMatch(/NDJSON exports[\s\S]*the CRM itself[\s\S]*logs/);

    const after = await dump(h.ledger);
    for (const v of [PERSONAL.email, 'erin.quarshie', PERSONAL.firstName, PERSONAL.lastName, PERSONAL.phone, '5550199', PERSONAL.title, 'social.example']) {
      expect({ value: v, hits: hits(after, v) }).toEqual({ value: v, hits: [] });
    }
    // The account's own contact, where no row names the lead (CS routing facts), is the account's: forget account erases it.
    expect(hits(after, 'Dana Okafor').length).toBeGreaterThan(0);
    expect(await h.ledger.query('SELECT id, data FROM ledger_events WHERE lead_id = $1 ORDER BY id', [BYSTANDER])).toEqual(bystanderBefore);

    // Outcomes, matched rules and non-personal facts remain, so metrics and impact still work.
    const decisions = await h.ledger.query<{ data: { kind: string; matched: string[]; outcome: unknown; erasedAt?: string; facts: { lead: Record<string, unknown> } } }>(
      `SELECT data FROM ledger_events WHERE type = 'decision.recorded' AND lead_id = $1 AND account_id IS NULL ORDER BY id`,
      [LEAD],
    );
    const icp = decisions.find((d) => d.data.kind === 'icp')!.data;
    expect(icp.outcome).toMatchObject({ tier: 'B' });
    expect(icp.matched).toEqual(['icp-b-mid-market-core']);
    // Its facts lost values: impact must not decide it again as if they were the lead's.
    expect(decisions.map((d) => d.data.erasedAt)).toEqual(decisions.map(() => report.at));
    expect(icp.facts.lead).toMatchObject({
      id: LEAD,
      email: ERASED,
      firstName: ERASED,
      lastName: ERASED,
      phone: ERASED,
      title: ERASED,
      custom: { profile: ERASED },
      company: 'ShopCo GmbH',
      domain: 'shopco.example',
      country: 'DE',
      region: 'emea',
      employees: 450,
      industry: 'ecommerce',
      source: 'demo-request',
    });
    const closed = (
      await h.ledger.query<{ data: { status: string; snapshot: { tier: string; lead: Record<string, unknown> } } }>(`SELECT data FROM ledger_events WHERE type = 'lead.closed' AND lead_id = $1`, [
        LEAD,
      ])
    )[0]!.data;
    expect(closed).toMatchObject({ status: 'won', snapshot: { tier: 'B', lead: { email: ERASED, country: 'DE', employees: 450 } } });
    const forgotten = await h.ledger.query<{ data: Record<string, unknown> }>(`SELECT data FROM ledger_events WHERE type = 'record.forgotten' AND lead_id = $1`, [LEAD]);
    expect(forgotten).toEqual([{ data: expect.objectContaining({ entity: 'lead', rowsErased: report.rowsErased, valuesErased: report.valuesErased }) }]);

    // A second run erases nothing new and writes no second record.
    const again = await forget('lead', LEAD, '--json');
    expect(again.code).toBe(0);
    expect(JSON.parse(again.stdout)).toMatchObject({ rowsErased: 0, valuesErased: 0, recordedKey: null, earlier: [{ rowsErased: report.rowsErased }] });
    const text = await forget('lead', LEAD);
    expect(text.stdout).toMatch(new RegExp(`^Nothing was erased for lead ${LEAD}: \\d+ ledger rows hold no personal data \\(forgotten on `));
    expect(text.stdout).toContain(`    lead:${LEAD}  running: its next rows carry the data again; forget again after it closes\n`);
    expect(stable(await dump(h.ledger))).toEqual(stable(after));

    // The decision record still explains the lead.
    const why = await runCliInProcess(['lead', 'why', LEAD], config);
    expect(why.code).toBe(0);
    expect(why.stdout).toContain(`      lead.email = ${ERASED}  (personal, masked)`);
    expect(why.stdout).toContain(`    note       could not replay: its personal facts were erased on ${report.at}`);
  });

  it("erases an account's contacts (champion, sponsor, plan) from its rows", async () => {
    const run = await forget('account', ACCOUNT, '--json', '--no-temporal');
    expect(run.code).toBe(0);
    const report = JSON.parse(run.stdout);
    expect(report.rowsErased).toBeGreaterThan(0);
    expect(report.notReached.temporal).toBeNull();
    // Its CS placement is in the assignment table, which holds no personal data.
    expect(report.tables).toContainEqual({ table: 'lead_assignments', rows: 1, holds: expect.stringContaining('no personal data') });
    const after = await dump(h.ledger);
    expect(hits(after, 'Dana Okafor')).toEqual([]);
    const cs = (
      await h.ledger.query<{ data: { outcome: unknown; facts: { handoff: Record<string, unknown>; account: Record<string, unknown> } } }>(
        `SELECT data FROM ledger_events WHERE type = 'decision.recorded' AND account_id = $1 AND data->>'kind' = 'cs-routing'`,
        [ACCOUNT],
      )
    )[0]!.data;
    expect(cs.facts.handoff).toMatchObject({ champion: ERASED, executiveSponsor: ERASED, goals: HANDOFF.goals, contractStart: HANDOFF.contractStart });
    expect(cs.facts.account).toMatchObject({ id: ACCOUNT, domain: 'shopco.example' });
    expect(cs.outcome).not.toBeNull();
  });

  it('exits 1 for a record without ledger rows and 2 for bad usage', async () => {
    const none = await forget('lead', 'nobody-at-all', '--no-temporal');
    expect(none).toEqual({ code: 1, stdout: '', stderr: 'flywheel: no ledger rows for lead nobody-at-all\n' });
    const bad = await forget('person', LEAD);
    expect(bad.code).toBe(2);
    expect(bad.stderr).toBe('flywheel: the first argument must be lead or account, got "person"\n');
    expect((await forget('lead')).code).toBe(2);
  });
});
