import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseDocument } from 'yaml';
import type { Delight } from '../../src/demo/delight.ts';
import { openLedger } from '../../src/ledger/open.ts';
import { retention } from '../../src/metrics/retention.ts';
import { freePort } from '../../src/temporal/ports.ts';
import { isAlive, runCli } from '../support/cli.ts';

/**
 * A throwaway copy of the demo config on free ports, so the test never meets a developer's demo or dev stack.
 * Its root is a temp folder (data goes there); the rules stay the real demo/rules.
 */
async function demoProject(): Promise<{ root: string; configFile: string }> {
  const root = mkdtempSync(path.join(os.tmpdir(), 'flywheel-demo-'));
  const doc = parseDocument(readFileSync(new URL('../../demo/config/flywheel.yaml', import.meta.url), 'utf8'));
  const api = await freePort();
  doc.setIn(['temporal', 'devServer', 'port'], await freePort());
  doc.setIn(['temporal', 'devServer', 'uiPort'], await freePort());
  doc.setIn(['server', 'port'], api);
  // The stand-in CRM that receives assignment and escalation webhooks is served on the API's own port.
  doc.setIn(['connections', 'crmWebhook', 'url'], `http://127.0.0.1:${api}/v1/dev/crm-sink`);
  doc.setIn(['rules', 'dir'], fileURLToPath(new URL('../../demo/rules', import.meta.url)));
  mkdirSync(path.join(root, 'config'));
  const configFile = path.join(root, 'config', 'flywheel.yaml');
  writeFileSync(configFile, doc.toString());
  return { root, configFile };
}

interface Summary {
  ok: boolean;
  missing: string[];
  counts: Record<string, number>;
  medians: { timeToFirstTouchMs: number | null; timeToFirstMeetingMs: number | null };
  delight: Delight;
  delivery: { events: number; redelivered: number; acknowledgedDuplicates: number; rejected: number };
  temporalPid: number | null;
  queries: { query: string; url: string | null }[];
}

describe('flywheel demo', () => {
  let project: { root: string; configFile: string };
  beforeAll(async () => {
    project = await demoProject();
  });
  afterAll(() => rmSync(project.root, { recursive: true, force: true }));

  it('routes, meets, breaches, reassigns and wins through the signed API, carries customers on, then stops everything with --exit', { timeout: 150_000 }, async () => {
    // With a secret set, every simulated CRM request must be signed, as a real CRM's would be.
    const env = { FLYWHEEL_CONFIG: project.configFile, FLYWHEEL_INGEST_SECRET: 'demo-test-secret' };
    const r = await runCli(['demo', '--exit', '--leads', '60', '--minutes', '0.5', '--json'], env);

    const lines = r.stdout.trim().split('\n');
    expect(lines, `stdout holds only the JSON summary\n${r.stderr}`).toHaveLength(1);
    const s = JSON.parse(lines[0]!) as Summary;
    // A half-minute run is too short for every customer story (a renewal, a churn) to happen by the seed alone:
    // --exit must then say exactly what is missing. The sales side always happens.
    expect(r.code, r.stderr).toBe(s.missing.length === 0 ? 0 : 1);
    expect(s.ok).toBe(s.missing.length === 0);
    expect(s.counts.sent).toBe(60);
    for (const k of ['routed', 'met', 'breached', 'reassigned', 'won']) expect(s.counts[k], k).toBeGreaterThan(0);
    expect(
      s.missing.every((m) => /customer|referral/.test(m)),
      s.missing.join('; '),
    ).toBe(true);
    expect(s.missing.includes('no customer renewed')).toBe(s.delight.renewals.count === 0);
    expect(s.missing.includes('no customer churned')).toBe(s.delight.churns.count === 0);
    expect(s.missing.includes('no referral became a lead')).toBe(s.delight.referrals.leads === 0);
    expect(s.delight.customers).toBeGreaterThan(0);
    expect(s.medians.timeToFirstTouchMs).toBeGreaterThan(0);
    expect(s.delivery.rejected).toBe(0);
    expect(s.delivery.redelivered).toBeGreaterThan(0);
    // A redelivery goes out only after the first copy was answered, so the API always recognises it.
    expect(s.delivery.acknowledgedDuplicates).toBe(s.delivery.redelivered);
    expect(s.queries.map((q) => q.query)).toContain('FlywheelStage="Engage" AND SlaStatus="breached"');

    expect(s.temporalPid).toBeGreaterThan(0);
    expect(isAlive(s.temporalPid!)).toBe(false);
    // The demo's data lives under the config's project root, never in the developer's .flywheel/.
    expect(existsSync(path.join(project.root, '.flywheel', 'ledger'))).toBe(true);
    await expectSummaryMatchesLedger(project.root, s);
  });

  it('refuses to reset data that an earlier demo did not create', async () => {
    const other = await demoProject();
    try {
      mkdirSync(path.join(other.root, '.flywheel', 'ledger'), { recursive: true });
      const r = await runCli(['demo', '--exit'], { FLYWHEEL_CONFIG: other.configFile });
      expect(r.code).toBe(1);
      expect(r.stderr).toMatch(/hold\(s\) data that `flywheel demo` did not create/);
      expect(existsSync(path.join(other.root, '.flywheel', 'ledger'))).toBe(true);
    } finally {
      rmSync(other.root, { recursive: true, force: true });
    }
  });
});

interface Row {
  type: string;
  lead_id: string | null;
  account_id: string | null;
  arr_delta: number | null;
  amount: number | null;
  occurred_at: Date;
  id: number;
  data: Record<string, unknown> | null;
}

/** Recounts the summary from the ledger rows the run left behind, in plain code rather than the summary's SQL. */
async function expectSummaryMatchesLedger(root: string, s: Summary): Promise<void> {
  const ledger = await openLedger({ root, databaseUrl: undefined, role: 'owner', serve: false });
  try {
    const rows = await ledger.query<Row>('SELECT id, type, lead_id, account_id, arr_delta, amount, occurred_at, data FROM ledger_events ORDER BY id');
    const of = (type: string, f: (r: Row) => boolean = () => true) => rows.filter((r) => r.type === type && f(r));
    const sum = (rs: Row[], k: 'arr_delta' | 'amount') => rs.reduce((t, r) => t + Number(r[k] ?? 0), 0);
    const lost = (rs: Row[]) => rs.reduce((t, r) => t - Number(r.arr_delta), 0);
    const d = s.delight;
    // Timers (SLA clocks, renewal reminders) keep firing until the stack stops, a moment after the summary was read
    // (retention.to): those counts lie between the rows from before that instant and all rows. A row is written a
    // little after the instant it records, so "before" keeps a margin.
    const readAt = Date.parse(d.retention!.to) - 2_000;
    const timerCount = (label: string, value: number, rs: Row[]) => {
      expect(value, label).toBeGreaterThanOrEqual(rs.filter((r) => r.occurred_at.getTime() < readAt).length);
      expect(value, label).toBeLessThanOrEqual(rs.length);
    };

    // First-touch and kickoff clocks share the sla.* types: a lead's belong to the lead, a customer's to the account.
    const sla = rows.filter((r) => r.type.startsWith('sla.'));
    expect(sla.every((r) => r.lead_id !== null || r.account_id !== null)).toBe(true);
    const lead = (r: Row) => r.lead_id !== null;
    const kickoff = (r: Row) => r.lead_id === null;
    for (const [k, type] of [
      ['clocks', 'sla.started'],
      ['met', 'sla.met'],
      ['warned', 'sla.warned'],
      ['breached', 'sla.breached'],
      ['escalated', 'sla.escalated'],
    ] as const) {
      timerCount(k, s.counts[k]!, of(type, lead));
      timerCount(`kickoff ${k}`, d.kickoff[k], of(type, kickoff));
    }
    expect(d.kickoff.breachedAfterWindow).toBeLessThanOrEqual(d.kickoff.breached);
    timerCount('renewal reminders', d.renewalReminders, of('renewal.reminder'));
    timerCount('renewals overdue', d.renewalsOverdue, of('renewal.overdue'));

    // Every won deal became a customer with a CS assignment; the hand-off rules flagged the gaps.
    expect(d.customers).toBe(new Set(of('deal.won').map((r) => r.account_id)).size);
    expect(d.handoffsIncomplete).toBe(of('handoff.incomplete').length);
    expect(d.playbooks).toBe(of('playbook.started').length);

    const latest = new Map<string, string>();
    for (const r of [...of('health.scored')].sort((a, b) => a.occurred_at.getTime() - b.occurred_at.getTime() || a.id - b.id)) latest.set(r.account_id!, String(r.data?.band));
    for (const band of ['green', 'yellow', 'red'] as const) expect(d.health[band], band).toBe([...latest.values()].filter((b) => b === band).length);

    const kind = (k: string) => of('arr.changed', (r) => r.data?.kind === k);
    expect(d.renewals.count).toBe(kind('renewal').length);
    expect(d.renewals.up).toBe(kind('renewal').filter((r) => Number(r.arr_delta) > 0).length);
    expect(d.renewals.arr).toBeCloseTo(sum(kind('renewal'), 'arr_delta'), 2);
    expect(d.expansions).toEqual({ count: kind('expansion').length, arr: sum(kind('expansion'), 'arr_delta') });
    expect(d.contractions).toEqual({ count: kind('contraction').length, arr: lost(kind('contraction')) });
    expect(d.churns).toEqual({ count: kind('churn').length, arr: lost(kind('churn')) });

    // A referred lead is credited to its referrer exactly when it is won.
    const referred = new Set(of('referral.submitted').map((r) => r.lead_id));
    const wonReferred = of('deal.won', (r) => referred.has(r.lead_id));
    expect(d.referrals.submitted).toBe(of('referral.submitted').length);
    expect(d.referrals.leads).toBe(new Set(of('lead.assigned', (r) => referred.has(r.lead_id)).map((r) => r.lead_id)).size);
    expect(d.referrals.won).toBe(wonReferred.length);
    expect(d.referrals.credited).toBe(wonReferred.length);
    expect(d.referrals.creditedArr).toBe(sum(wonReferred, 'arr_delta'));
    expect(d.referrals.leads).toBeLessThanOrEqual(d.referrals.submitted);
    expect(s.counts.referralsSent).toBeGreaterThanOrEqual(d.referrals.submitted);

    // NRR and GRR are the metric's own, over the period the summary names.
    const m = d.retention!;
    expect(Date.parse(m.from)).toBeLessThan(Date.parse(m.to));
    const again = await retention(ledger, { from: new Date(m.from), to: new Date(m.to) });
    expect({ cohortAccounts: again.cohortAccounts, startingArr: again.startingArr, endingArr: again.endingArr, nrr: again.nrr, grr: again.grr }).toEqual({
      cohortAccounts: m.cohortAccounts,
      startingArr: m.startingArr,
      endingArr: m.endingArr,
      nrr: m.nrr,
      grr: m.grr,
    });
    if (m.grr !== null && m.nrr !== null) expect(m.grr).toBeLessThanOrEqual(m.nrr);
  } finally {
    await ledger.close();
  }
}
