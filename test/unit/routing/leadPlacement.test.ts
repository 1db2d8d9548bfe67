import { describe, expect, it } from 'vitest';
import { createAssignLead } from '../../../activities/lead/assignLead.ts';
import { placedRow } from '../../../activities/lead/assignmentRows.ts';
import type { ActivityDeps } from '../../../activities/deps.ts';
import { loadConfig } from '../../../src/config/load.ts';
import type { FlywheelConfig } from '../../../src/config/types.ts';
import { existingPlacement, releaseLead } from '../../../src/routing/assignmentStore.ts';
import { frontOfLines, takeOwnTurn } from '../../../src/routing/heldLeads.ts';
import { placeLead, type LeadRoute } from '../../../src/routing/leadPlacement.ts';
import type { HoldPolicy } from '../../../src/rules/types.ts';
import { RulesCache } from '../../../src/rules/cache.ts';
import type { AssignmentRequest } from '../../../workflows/lead/types.ts';
import { emptyLedgerPerTest } from '../ledger/helpers/emptyLedger.ts';
import { at, BERLIN } from '../calendar/helpers.ts';

// Placement on an embedded ledger with the shipped config and calendars (emea opens Mon 08:00 Berlin).
const loaded = loadConfig('config/flywheel.yaml');
const shipped = loaded.config;
const iso = (t: number) => new Date(t).toISOString();
const SATURDAY = at(BERLIN, '2026-11-21 10:00');
const MONDAY = at(BERLIN, '2026-11-23 08:00');

const ledger = emptyLedgerPerTest(['lead_assignments', 'held_leads', 'queue_rotation', 'ledger_events']);

function route(queue: string, policy: HoldPolicy, since: number, attempt: number): LeadRoute {
  return {
    queue,
    fallbackQueue: 'sales-overflow',
    policy,
    rule: 'test-rule',
    since: iso(since),
    next: { attempt: attempt + 1, reason: 'handoff', exclude: [], tier: 'B', source: null, rule: 'test-rule', rulesRevision: null },
  };
}

function place(cfg: FlywheelConfig, leadId: string, attempt: number, when: number, r: LeadRoute) {
  return ledger.transaction((tx) => placeLead(tx, cfg, { key: `${leadId}:${attempt}`, leadId, at: when, exclude: new Set() }, r));
}

const hold: HoldPolicy = { outOfHours: 'hold', maxHold: '12h' };

describe('holding a lead nobody can take', () => {
  it('holds it for the queue with each candidate, the next opening and the maximum hold, and a retry returns the same hold', async () => {
    const { placement } = await place(shipped, 'sat-1', 0, SATURDAY, route('enterprise-emea', hold, SATURDAY, 0));
    expect(placement).toMatchObject({ rep: null, pool: null, queue: 'enterprise-emea', strategy: 'held' });
    expect(placement.hold).toEqual({
      queue: 'enterprise-emea',
      since: iso(SATURDAY),
      candidates: ['anna-schmidt', 'lukas-meyer', 'claire-dubois'].map((rep) => ({ rep, queue: 'enterprise-emea', reason: 'outside-hours', availableAt: iso(MONDAY) })),
      nextRouteAt: iso(MONDAY),
      maxHoldAt: iso(SATURDAY + 12 * 3_600_000),
      notify: ['manager'],
      rule: 'test-rule',
    });
    const again = await ledger.transaction((tx) => existingPlacement(tx, 'sat-1:0'));
    expect(again).toMatchObject({ strategy: 'held', hold: placement.hold, replayed: true });
    const line = await frontOfLines(ledger, ['enterprise-emea']);
    expect(line).toMatchObject([{ leadId: 'sat-1', queue: 'enterprise-emea', since: iso(SATURDAY), nextKey: 'sat-1:1' }]);
  });

  it('with the default overflow policy tries the overflow chain first and lists its candidates too', async () => {
    const { placement } = await place(shipped, 'sat-2', 0, SATURDAY, route('enterprise-emea', {}, SATURDAY, 0));
    expect(placement.strategy).toBe('held');
    expect(placement.hold!.candidates.map((c) => `${c.queue}/${c.rep}`)).toEqual([
      'enterprise-emea/anna-schmidt',
      'enterprise-emea/lukas-meyer',
      'enterprise-emea/claire-dubois',
      'sales-overflow/jonas-becker',
      'sales-overflow/maya-brooks',
    ]);
    expect(placement.hold!.nextRouteAt).toBe(iso(MONDAY));
    expect(placement.hold!.maxHoldAt).toBeNull();
  });

  it('out of hours: hold waits for the queue, overflow takes the open overflow rep, follow-the-sun the open region', async () => {
    const evening = at(BERLIN, '2026-11-23 18:00'); // 12:00 in New York
    const held = await place(shipped, 'eve-hold', 0, evening, route('enterprise-emea', hold, evening, 0));
    expect(held.placement).toMatchObject({ strategy: 'held' });
    expect(held.placement.hold!.nextRouteAt).toBe(iso(at(BERLIN, '2026-11-24 08:00')));
    const over = await place(shipped, 'eve-over', 0, evening, route('enterprise-emea', {}, evening, 0));
    expect(over.placement).toMatchObject({ rep: 'maya-brooks', queue: 'sales-overflow', strategy: 'overflow', hold: null });
    const sun = await place(shipped, 'eve-sun', 0, evening, route('enterprise-emea', { outOfHours: 'follow-the-sun', followTheSun: ['enterprise-na'] }, evening, 0));
    expect(sun.placement).toMatchObject({ queue: 'enterprise-na', strategy: 'follow-the-sun', hold: null });
    expect(['ethan-walker', 'olivia-chen']).toContain(sun.placement.rep);
  });
});

describe('leads held in one queue', () => {
  // Three places free in enterprise EMEA on Monday morning (one each), none in the overflow (Jonas is full, Maya in
  // New York starts at 15:00 Berlin).
  const caps: Record<string, number> = { 'anna-schmidt': 1, 'lukas-meyer': 1, 'claire-dubois': 1, 'jonas-becker': 0 };
  const tight: FlywheelConfig = { ...shipped, reps: shipped.reps.map((r) => (r.id in caps ? { ...r, capacity: caps[r.id] } : r)) };
  const arrivals = [0, 5, 10, 15, 20].map((m) => SATURDAY + m * 60_000);

  it('are placed in arrival order whichever lead routes first, and a lead placed from the line finds its placement by key', async () => {
    for (const [i, t] of arrivals.entries()) await place(tight, `line-${i + 1}`, 0, t, route('enterprise-emea', hold, t, 0));
    // The last to arrive routes first on Monday: the three before it get the three places, in order.
    const last = await place(tight, 'line-5', 1, MONDAY, route('enterprise-emea', hold, arrivals[4]!, 1));
    expect(last.placedFromLine.map((p) => p.held.leadId)).toEqual(['line-1', 'line-2', 'line-3']);
    const keys = await ledger.query<{ assignment_key: string }>('SELECT assignment_key FROM lead_assignments WHERE released_at IS NULL AND rep IS NOT NULL ORDER BY assignment_key');
    expect(keys.map((k) => k.assignment_key)).toEqual(['line-1:1', 'line-2:1', 'line-3:1']);
    expect(new Set(last.placedFromLine.map((p) => p.placement.rep))).toEqual(new Set(['anna-schmidt', 'lukas-meyer', 'claire-dubois']));
    expect(last.placement.strategy).toBe('held');
    expect(last.placement.hold!.since).toBe(iso(arrivals[4]!));
    expect(last.placement.hold!.candidates.map((c) => [c.rep, c.reason])).toEqual([
      ['anna-schmidt', 'at-capacity'],
      ['lukas-meyer', 'at-capacity'],
      ['claire-dubois', 'at-capacity'],
      ['jonas-becker', 'at-capacity'],
      ['maya-brooks', 'outside-hours'],
    ]);
    expect(last.placement.hold!.nextRouteAt).toBe(iso(at(BERLIN, '2026-11-23 15:00')));

    // line-2's own timer: the placement made for it, as an assignment (owner, queue, strategy, no hold).
    const mine = await ledger.transaction((tx) => existingPlacement(tx, 'line-2:1'));
    expect(mine).toMatchObject({ rep: last.placedFromLine[1]!.placement.rep, queue: 'enterprise-emea', strategy: 'weighted-round-robin', hold: null, replayed: true });

    const line = await ledger.query<{ lead_id: string; next_key: string }>('SELECT lead_id, next_key FROM held_leads ORDER BY since');
    expect(line).toEqual([
      { lead_id: 'line-4', next_key: 'line-4:1' },
      { lead_id: 'line-5', next_key: 'line-5:2' },
    ]);

    // A rep freed: line-4 is at the front of the line, and its own call takes the place before line-5.
    const freed = await ledger.transaction((tx) => releaseLead(tx, 'line-1', MONDAY + 60_000, 'lost'));
    expect(freed).toEqual([last.placedFromLine[0]!.placement.rep]);
    expect((await frontOfLines(ledger, ['enterprise-emea'])).map((h) => h.leadId)).toEqual(['line-4']);
    const five = await place(tight, 'line-5', 2, MONDAY + 120_000, route('enterprise-emea', hold, arrivals[4]!, 2));
    expect(five.placedFromLine.map((p) => [p.held.leadId, p.placement.rep])).toEqual([['line-4', freed[0]]]);
    expect(five.placement.strategy).toBe('held');
  });

  it('a lead placed from the line gets its ledger row with how long it was held', () => {
    const row = placedRow(
      shipped,
      { rep: 'anna-schmidt', pool: null, queue: 'enterprise-emea', strategy: 'weighted-round-robin', skipped: [], hold: null, replayed: false, freed: [] },
      {
        leadId: 'line-1',
        at: iso(MONDAY),
        since: iso(SATURDAY),
        held: true,
        attempt: 1,
        reason: 'handoff',
        exclude: [],
        tier: 'B',
        source: null,
        rule: 'r',
        rulesRevision: null,
      },
    );
    expect(row).toMatchObject({ key: 'lead:line-1:assigned:1', type: 'lead.assigned', owner: 'anna-schmidt', team: 'sales-emea', data: { heldMs: MONDAY - SATURDAY, heldSince: iso(SATURDAY) } });
    const breach = placedRow(
      shipped,
      { rep: 'anna-schmidt', pool: null, queue: 'enterprise-emea', strategy: 'weighted-round-robin', skipped: [], hold: null, replayed: false, freed: [] },
      {
        leadId: 'line-1',
        at: iso(MONDAY),
        since: iso(SATURDAY),
        held: true,
        attempt: 3,
        reason: 'sla-breach',
        exclude: [],
        tier: 'B',
        source: null,
        rule: 'r',
        rulesRevision: null,
      },
    );
    expect(breach.type).toBe('lead.reassigned');
  });
});

describe("a lead's own turn (the placement's first read)", () => {
  const turn = (leadId: string, key: string, locked: string[]) => ledger.transaction((tx) => takeOwnTurn(tx, leadId, key, async (q) => void locked.push(q)));

  it('a lead in no line: one read answers, with the placement under its key when there is one, and takes no lock', async () => {
    const locked: string[] = [];
    expect(await turn('own-1', 'own-1:0', locked)).toEqual({ inLine: false, prior: null });
    const { placement } = await place(shipped, 'own-1', 0, MONDAY, route('mid-market', hold, MONDAY, 0));
    expect(placement.rep).not.toBeNull();
    expect(await turn('own-1', 'own-1:0', locked)).toEqual({ inLine: false, prior: { ...placement, passed: undefined, replayed: true, freed: [] } });
    expect(locked).toEqual([]);
  });

  it("a held lead takes its queue's lock first, and finds its hold (or a placement another lead made for it) under its key", async () => {
    const { placement } = await place(shipped, 'own-2', 0, SATURDAY, route('enterprise-emea', hold, SATURDAY, 0));
    const locked: string[] = [];
    const held = await turn('own-2', 'own-2:0', locked);
    expect(held).toMatchObject({ inLine: true, prior: { strategy: 'held', hold: placement.hold, replayed: true } });
    expect(locked).toEqual(['enterprise-emea']);
    expect(await turn('own-2', 'own-2:1', locked)).toEqual({ inLine: true, prior: null });
  });
});

describe('assignLead on the shipped rules', () => {
  const lead = { email: 'eva@grossbank.example', domain: 'grossbank.example', country: 'DE', employees: 1200, source: 'demo-request' };
  const req = (attempt: number, when: number, extra: Partial<AssignmentRequest> = {}): AssignmentRequest => ({
    leadId: 'gb-1',
    lead,
    tier: 'B',
    at: iso(when),
    exclude: [],
    attempt,
    reason: 'handoff',
    ...extra,
  });

  it('holds an enterprise EMEA lead on Saturday and assigns it on Monday 08:00, each with its ledger row', async () => {
    // Built here, not at collection time: the ledger opens in beforeAll. No webhooks are sent by assignLead.
    const act = createAssignLead({ ledger, config: loaded, rules: new RulesCache('rules', { config: shipped }), webhooks: {} } as unknown as ActivityDeps);
    const held = await act(req(0, SATURDAY));
    expect(held).toMatchObject({ owner: null, pool: null, queue: 'enterprise-emea', strategy: 'held' });
    expect(held.held).toMatchObject({ since: iso(SATURDAY), nextRouteAt: iso(MONDAY), maxHoldAt: iso(SATURDAY + 12 * 3_600_000), notify: ['manager'], rule: 'route-enterprise-emea' });
    const placed = await act(req(1, MONDAY, { heldSince: held.held!.since }));
    expect(placed).toMatchObject({ queue: 'enterprise-emea', strategy: 'weighted-round-robin', held: null });
    expect(['anna-schmidt', 'lukas-meyer', 'claire-dubois']).toContain(placed.owner);
    // A retried activity: the same result, no new rows.
    expect(await act(req(1, MONDAY, { heldSince: held.held!.since }))).toMatchObject({ owner: placed.owner, held: null });

    const rows = await ledger.query<{ key: string; type: string; owner: string | null; data: Record<string, unknown> }>(
      'SELECT event_key AS key, type, owner, data FROM ledger_events ORDER BY occurred_at',
    );
    const decisions = rows.filter((r) => r.type === 'decision.recorded');
    rows.splice(0, rows.length, ...rows.filter((r) => r.type !== 'decision.recorded'));
    expect(rows.map((r) => [r.key, r.type])).toEqual([
      ['lead:gb-1:held:0', 'lead.held'],
      ['lead:gb-1:assigned:1', 'lead.assigned'],
    ]);
    // Each attempt's routing decision is on the permanent record, with every candidate and why.
    expect(decisions.map((r) => r.key)).toEqual(['decision:lead:gb-1:route:0:routing', 'decision:lead:gb-1:route:1:routing']);
    expect(decisions[0]!.data).toMatchObject({ kind: 'routing', matched: ['route-enterprise-emea'], result: { owner: null, strategy: 'held', nextRouteAt: iso(MONDAY) } });
    expect((decisions[0]!.data.candidates as { verdict: string }[]).map((c) => c.verdict)).toEqual(['outside-hours', 'outside-hours', 'outside-hours']);
    const picked = decisions[1]!.data.candidates as { rep: string; verdict: string }[];
    expect(picked.filter((c) => c.verdict === 'chosen').map((c) => c.rep)).toEqual([placed.owner]);
    expect(picked.filter((c) => c.verdict === 'weight-turn')).toHaveLength(2);
    expect(decisions[1]).toMatchObject({ owner: placed.owner, data: { facts: { lead: { email: 'eva@grossbank.example' }, icp: { tier: 'B' } } } });
    expect(rows[0]!.data).toMatchObject({
      queue: 'enterprise-emea',
      nextRouteAt: iso(MONDAY),
      since: iso(SATURDAY),
      maxHoldAt: iso(SATURDAY + 12 * 3_600_000),
      rule: 'route-enterprise-emea',
      reason: 'handoff',
      tier: 'B',
      source: 'demo-request',
    });
    expect((rows[0]!.data.candidates as unknown[]).length).toBe(3);
    expect(rows[1]).toMatchObject({ owner: placed.owner, data: { heldMs: MONDAY - SATURDAY, strategy: 'weighted-round-robin' } });
    expect(await ledger.query('SELECT lead_id FROM held_leads')).toEqual([]);
  });
});
