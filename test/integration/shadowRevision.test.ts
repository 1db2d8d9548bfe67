import { cpSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import type { LoadedConfig } from '../../src/config/types.ts';
import { HEALTH_TOKEN_ENV } from '../../src/ingest/secrets.ts';
import { buildHealthChecks } from '../../src/runtime/healthChecks.ts';
import { buildApp } from '../../src/server/app.ts';
import type { LeadState } from '../../workflows/lead/types.ts';
import { eventually } from '../support/eventually.ts';
import { alwaysOpen, deliver, leadEvent, midMarketLead, waitForState } from '../support/leads.ts';
import { createHarness, type TestHarness } from '../support/temporal.ts';

const repo = path.resolve(new URL('../..', import.meta.url).pathname);
const TOKEN = 'shadow-revision-health-token';

/**
 * The candidate: the shipped rules with two changes. ICP tier B for core mid-market starts at 500 employees (was
 * 200), so a 450-person retailer is tier C; the mid-market queue ends at 499 employees (was 999), so an 800-person
 * one falls through to the overflow queue.
 */
const tmp = mkdtempSync(path.join(os.tmpdir(), 'flywheel-shadow-'));
const shadowDir = path.join(tmp, 'candidate-rules');
function edit(file: string, from: string, to: string): void {
  const text = readFileSync(file, 'utf8');
  if (!text.includes(from)) throw new Error(`${file} no longer contains ${from}`);
  writeFileSync(file, text.replace(from, to));
}

let control: TestHarness;
let shadowed: TestHarness;
beforeAll(async () => {
  cpSync(path.join(repo, 'rules'), shadowDir, { recursive: true });
  edit(path.join(shadowDir, 'icp.yaml'), '- { "<=": [200, { var: lead.employees }, 999] }\n        - or:', '- { "<=": [500, { var: lead.employees }, 999] }\n        - or:');
  edit(
    path.join(shadowDir, 'routing.yaml'),
    'when: { "<=": [200, { var: lead.employees }, 999] }\n    then: { strategy: queue, queue: mid-market',
    'when: { "<=": [200, { var: lead.employees }, 499] }\n    then: { strategy: queue, queue: mid-market',
  );
  const withShadow = (l: LoadedConfig) => {
    alwaysOpen(l);
    l.config.rules = { ...l.config.rules, shadow: { dir: shadowDir } };
  };
  // The same leads, in the same order, through a worker without a shadow: what "no effect" is measured against.
  [control, shadowed] = await Promise.all([createHarness('dev', 'shadow-control', { adjust: alwaysOpen }), createHarness('dev', 'shadow-live', { adjust: withShadow })]);
});
afterAll(async () => {
  vi.unstubAllEnvs();
  await Promise.all([control?.close(), shadowed?.close()]);
  rmSync(tmp, { recursive: true, force: true });
});

type Row = { type: string; owner: string | null; team: string | null; stage: string | null; rules_revision: string | null; data: Record<string, unknown> };
const rows = (h: TestHarness, leadId: string) => h.ledger.query<Row>('SELECT type, owner, team, stage, rules_revision, data FROM ledger_events WHERE lead_id = $1 ORDER BY id', [leadId]);

const ATTRACT = ['data-quality', 'disqualification', 'icp', 'qualification'];
const HANDED_OFF = [...ATTRACT, 'routing', 'sla'];

/** One lead through both workers: its state once settled and its ledger rows once every decision and placement is written. */
async function through(h: TestHarness, id: string, data: Record<string, unknown>, mql: boolean): Promise<{ state: LeadState; rows: Row[] }> {
  await deliver(h, leadEvent('lead.created', id, data));
  const state = await waitForState(h, id, (s) => (mql ? s.sla?.status === 'running' : s.status === 'nurture'), mql ? 'SLA running' : 'nurture');
  const kinds = mql ? HANDED_OFF : ATTRACT;
  const settled = await eventually(
    () => rows(h, id),
    (rs) => kinds.every((k) => rs.some((r) => r.type === 'decision.recorded' && r.data.kind === k)) && (!mql || rs.some((r) => r.type === 'lead.assigned')),
    (last) => `ledger of ${id} never held every decision; types: ${(last ?? []).map((r) => `${r.type}:${String(r.data.kind ?? '')}`).join(', ')}`,
  );
  return { state, rows: settled };
}

/** What the lead became: everything but its id and the times. */
const liveOutcome = ({ state: s, rows: rs }: { state: LeadState; rows: Row[] }) => ({
  state: {
    status: s.status,
    stage: s.stage,
    tier: s.tier,
    queue: s.queue,
    pool: s.pool,
    owner: s.owner,
    rulesRevision: s.rulesRevision,
    sla: s.sla && { rule: s.sla.rule, status: s.sla.status },
    decisions: s.decisions.map((d) => ({ kind: d.kind, matched: d.matched, outcome: d.outcome, revision: d.revision })),
  },
  decisionRows: rs
    .filter((r) => r.type === 'decision.recorded')
    .map((r) => {
      const result = (r.data.result ?? {}) as Record<string, unknown>;
      return {
        kind: r.data.kind,
        matched: r.data.matched,
        outcome: r.data.outcome,
        rulesRevision: r.rules_revision,
        owner: r.owner,
        stage: r.stage,
        result: { status: result.status, tier: result.tier, owner: result.owner, queue: result.queue, pool: result.pool, strategy: result.strategy },
        candidates: r.data.candidates,
      };
    }),
  assigned: rs.filter((r) => r.type === 'lead.assigned').map((r) => ({ owner: r.owner, team: r.team, stage: r.stage, rulesRevision: r.rules_revision, data: r.data })),
});

/** The lead delivered to both workers (ids differ: one Temporal namespace), and its outcome on each. */
async function both(name: string, data: Record<string, unknown>, mql = true) {
  const run = `${name}-${Date.now()}`;
  const [ctl, live] = await Promise.all([through(control, `${run}-ctl`, data, mql), through(shadowed, `${run}-shd`, data, mql)]);
  return { id: `${run}-shd`, control: ctl, live };
}

const disagreements = async (h: TestHarness) =>
  h.ledger.query<{ lead_id: string; rules_revision: string; data: { kind: string; live: unknown; shadow: unknown } }>(
    `SELECT lead_id, rules_revision, data FROM ledger_events WHERE type = 'decision.shadowed' ORDER BY id`,
  );

describe('a shadow rules revision on the dev server', () => {
  it('records a disagreement for exactly the decisions the candidate takes differently, with no effect on any lead', { timeout: 120_000 }, async () => {
    const liveRev = shadowed.deps.rules.get().revision.id;
    const shadowRev = shadowed.deps.shadow!.status().revision!;
    expect(shadowRev).toMatch(/^nogit\+[0-9a-f]{8}$/);
    expect(shadowRev).not.toBe(liveRev);

    const mid = await both('shadow-mid', midMarketLead({ email: 'jana@shadow-mid.example', domain: 'shadow-mid.example' }));
    const big = await both('shadow-big', midMarketLead({ email: 'ole@shadow-big.example', domain: 'shadow-big.example', employees: 800 }));
    const small = await both('shadow-small', midMarketLead({ email: 'kim@shadow-small.example', domain: 'shadow-small.example', employees: 100, source: 'content-download' }), false);

    // Live, every lead is what it is without a shadow: state, decision rows and placement.
    for (const lead of [mid, big, small]) expect(liveOutcome(lead.live)).toEqual(liveOutcome(lead.control));
    expect(liveOutcome(mid.live).state).toMatchObject({ tier: 'B', queue: 'mid-market', rulesRevision: liveRev });
    expect(liveOutcome(big.live).state).toMatchObject({ tier: 'B', queue: 'mid-market', rulesRevision: liveRev });
    expect(liveOutcome(small.live).state).toMatchObject({ status: 'nurture', tier: 'D', owner: null });
    expect(liveOutcome(mid.live).assigned).toHaveLength(1);

    // Every row of the three leads is written (waited for above); the disagreements sit beside their live rows.
    expect(await disagreements(control)).toEqual([]);
    expect(await disagreements(shadowed)).toEqual([
      {
        lead_id: mid.id,
        rules_revision: liveRev,
        data: expect.objectContaining({
          kind: 'icp',
          entity: 'lead',
          live: { revision: liveRev, matched: ['icp-b-mid-market-core'], outcome: { tier: 'B', reason: 'mid-market in a core industry or with a modern data stack' } },
          shadow: { revision: shadowRev, matched: ['icp-c-mid-market-other'], outcome: { tier: 'C', reason: 'mid-market outside the core profile' } },
          facts: expect.objectContaining({ lead: expect.objectContaining({ employees: 450 }) }),
        }),
      },
      {
        lead_id: big.id,
        rules_revision: liveRev,
        data: expect.objectContaining({
          kind: 'routing',
          entity: 'lead',
          live: { revision: liveRev, matched: ['route-mid-market'], outcome: { strategy: 'queue', queue: 'mid-market', reason: 'mid-market' } },
          shadow: { revision: shadowRev, matched: ['route-overflow'], outcome: { strategy: 'queue', queue: 'sales-overflow', reason: 'could not place automatically' } },
        }),
      },
    ]);
  });

  it('goes on deciding live, unchanged, when the shadow folder turns invalid, and /healthz says why', { timeout: 120_000 }, async () => {
    const shadowRev = shadowed.deps.shadow!.status().revision!;
    const before = (await disagreements(shadowed)).length;
    edit(path.join(shadowDir, 'icp.yaml'), 'then: { tier: B, reason: enterprise outside the core profile }', 'then: { tier: Q, reason: no such tier }');

    vi.stubEnv(HEALTH_TOKEN_ENV, TOKEN);
    const app = buildApp({ checks: buildHealthChecks(shadowed.client, shadowed.ledger, 'test dev server', shadowed.deps.rules) });
    const health = await eventually(
      async () =>
        (await app.inject({ method: 'GET', url: '/healthz', headers: { authorization: `Bearer ${TOKEN}` } })).json() as {
          status: string;
          checks: Record<string, { status: string; detail: string; workers?: { shadow: { error: string | null } | null }[] }>;
        },
      (b) => b.checks.workers?.status === 'degraded',
      (last) => `the workers check never showed the shadow failing: ${JSON.stringify(last?.checks.workers)}`,
    );
    expect(health.checks.rules).toMatchObject({ status: 'ok' });
    expect(health.checks.workers!.detail).toMatch(new RegExp(`the shadow cannot decide on 1 worker \\(folder ${escapeRe(shadowDir)}\\): rules: refused nogit\\+[0-9a-f]{8} \\(1 error\\)`));
    expect(health.checks.workers!.workers![0]!.shadow!.error).toContain('icp.yaml');
    await app.close();

    const next = await both('shadow-after', midMarketLead({ email: 'lea@shadow-after.example', domain: 'shadow-after.example' }));
    expect(liveOutcome(next.live)).toEqual(liveOutcome(next.control));
    expect(liveOutcome(next.live).state).toMatchObject({ stage: 'Engage', tier: 'B', queue: 'mid-market' });
    // The refused file leaves the candidate's last valid ICP rules deciding in the shadow, as the live rules would.
    const after = await disagreements(shadowed);
    expect(after.slice(before)).toEqual([
      {
        lead_id: next.id,
        rules_revision: expect.any(String),
        data: expect.objectContaining({ kind: 'icp', shadow: expect.objectContaining({ revision: shadowRev, matched: ['icp-c-mid-market-other'] }) }),
      },
    ]);
  });
});

const escapeRe = (s: string) => s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
