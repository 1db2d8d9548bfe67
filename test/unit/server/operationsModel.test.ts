import { describe, expect, it } from 'vitest';
import { accountWorkflowId } from '../../../workflows/definitions.ts';
import { buildOperationsModel, startOfDay, workflowLink, type ClockInput, type OperationsContext, type OperationsInput } from '../../../src/server/ops/model.ts';

const NOW = Date.parse('2026-03-02T12:00:00Z'); // 13:00 in Berlin
const MIN = 60_000;
const DAY = 86_400_000;
const at = (msFromNow: number) => new Date(NOW + msFromNow).toISOString();

const ctx: OperationsContext = {
  timezone: 'Europe/Berlin',
  reps: [
    { id: 'noah', team: 'commercial', weight: 3, capacity: 4 },
    { id: 'mia', team: 'commercial', weight: 1, capacity: 2 },
    { id: 'lena', team: 'marketing', capacity: 0 },
    { id: 'max', team: 'commercial' },
  ],
  queues: [
    { id: 'mid-market', team: 'commercial', members: ['noah', 'mia'] },
    { id: 'smb-pool', team: 'commercial', strategy: 'pool', members: ['noah', 'mia'] },
  ],
  temporalUi: { url: 'http://ui.example:8233/', namespace: 'default' },
};

const clock = (leadId: string, type: ClockInput['type'], deadlineIn: number, extra: Partial<ClockInput> = {}): ClockInput => ({
  handoff: 'marketing-to-sales',
  leadId,
  accountId: null,
  workflowId: `lead:${leadId}`,
  type,
  at: at(-60 * MIN),
  owner: 'noah',
  pool: null,
  rule: 'sla-b',
  deadline: at(deadlineIn),
  warned: false,
  pausedReason: null,
  pausedUntil: null,
  tier: 'B',
  ...extra,
});

/** An account's CS kickoff clock: no lead, no tier; its owner a CSM, or the CS queue while it has none. */
const kickoff = (accountId: string, type: ClockInput['type'], deadlineIn: number, extra: Partial<ClockInput> = {}): ClockInput => ({
  ...clock('', type, deadlineIn, { owner: 'emma-janssen', rule: 'sla-stc-default', tier: null, ...extra }),
  handoff: 'sales-to-cs',
  leadId: null,
  accountId,
  workflowId: accountWorkflowId(accountId),
});

const input = (over: Partial<OperationsInput> = {}): OperationsInput => ({
  now: NOW,
  clocks: [],
  breachesToday: [],
  held: [],
  open: [],
  routed: [],
  routingWindowDays: 7,
  workers: null,
  apiRules: null,
  shadowToday: [],
  visibility: { ok: false, error: 'no visibility' },
  ...over,
});

describe('buildOperationsModel', () => {
  it('orders the running and warned clocks by deadline, counts overdue and due-soon ones, and keeps paused ones apart', () => {
    const m = buildOperationsModel(
      input({
        clocks: [
          clock('later', 'sla.started', 5 * 60 * MIN),
          clock('soon', 'sla.warned', 20 * MIN),
          clock('late', 'sla.warned', -2 * MIN),
          clock('back', 'sla.resumed', 30 * 60 * MIN, { warned: true }),
          clock('resumed', 'sla.resumed', 2 * 60 * MIN),
          clock('wait', 'sla.paused', 3 * 60 * MIN, { pausedReason: 'callback-requested', pausedUntil: at(24 * 60 * MIN) }),
          clock('pool', 'sla.started', 90 * MIN, { owner: null, pool: 'smb-pool' }),
        ],
      }),
      ctx,
    );
    expect(m.sla.board.map((c) => [c.leadId, c.status])).toEqual([
      ['late', 'warned'],
      ['soon', 'warned'],
      ['pool', 'running'],
      ['resumed', 'running'],
      ['later', 'running'],
      ['back', 'warned'],
    ]);
    expect(m.sla.board.find((c) => c.leadId === 'pool')?.owner).toBe('smb-pool');
    expect(m.sla.board[0]!.msLeft).toBe(-2 * MIN);
    expect(m.sla.paused).toMatchObject([{ leadId: 'wait', status: 'paused', pausedReason: 'callback-requested', pausedUntil: at(24 * 60 * MIN) }]);
    expect(m.sla.counts).toMatchObject({ running: 3, warned: 3, paused: 1, held: 0, dueSoon: 1, overdue: 1, breachedToday: 0 });
    expect(m.sla.buckets).toEqual([
      { label: 'overdue', n: 1 },
      { label: '< 1 h', n: 1 },
      { label: '1-4 h', n: 2 },
      { label: '4-24 h', n: 1 },
      { label: '> 1 day', n: 1 },
    ]);
  });

  it('links every lead to its workflow in the Temporal UI, or to nothing when there is no UI address', () => {
    const breach = { handoff: 'marketing-to-sales' as const, leadId: 'b/1', accountId: null, workflowId: 'lead:b/1', at: at(-5 * MIN), owner: 'mia', rule: 'sla-b', deadline: at(-5 * MIN) };
    const m = buildOperationsModel(input({ breachesToday: [breach] }), ctx);
    expect(m.sla.breachesToday).toEqual([
      {
        handoff: 'marketing-to-sales',
        leadId: 'b/1',
        accountId: null,
        at: breach.at,
        owner: 'mia',
        rule: 'sla-b',
        deadline: breach.deadline,
        link: 'http://ui.example:8233/namespaces/default/workflows/lead%3Ab%2F1',
      },
    ]);
    expect(m.sla.counts.breachedToday).toBe(1);
    expect(buildOperationsModel(input({ breachesToday: [breach] }), { ...ctx, temporalUi: null }).sla.breachesToday[0]!.link).toBeNull();
    expect(workflowLink({ url: 'http://x', namespace: 'prod ns' }, 'lead:1')).toBe('http://x/namespaces/prod%20ns/workflows/lead%3A1');
  });

  it('puts the accounts’ CS kickoff clocks on the same board, each row naming its hand-off, and counts each hand-off apart', () => {
    const m = buildOperationsModel(
      input({
        clocks: [
          clock('lead-late', 'sla.warned', -2 * MIN),
          clock('lead-soon', 'sla.started', 30 * MIN),
          kickoff('acc-late', 'sla.warned', -5 * MIN),
          kickoff('acc-soon', 'sla.resumed', 40 * MIN, { warned: true }),
          kickoff('acc-queue', 'sla.started', 3 * DAY, { owner: null, pool: 'cs-onboarding' }),
          kickoff('acc-wait', 'sla.paused', 2 * DAY, { pausedReason: 'customer-request', pausedUntil: at(5 * DAY) }),
        ],
        breachesToday: [
          {
            handoff: 'sales-to-cs',
            leadId: null,
            accountId: 'acc/9',
            workflowId: accountWorkflowId('acc/9'),
            at: at(-30 * MIN),
            owner: 'emma-janssen',
            rule: 'sla-stc-default',
            deadline: at(-30 * MIN),
          },
          { handoff: 'marketing-to-sales', leadId: 'l-9', accountId: null, workflowId: 'lead:l-9', at: at(-50 * MIN), owner: 'mia', rule: 'sla-b', deadline: at(-50 * MIN) },
        ],
      }),
      ctx,
    );
    expect(m.sla.board.map((c) => [c.handoff, c.leadId, c.accountId, c.status])).toEqual([
      ['sales-to-cs', null, 'acc-late', 'warned'],
      ['marketing-to-sales', 'lead-late', null, 'warned'],
      ['marketing-to-sales', 'lead-soon', null, 'running'],
      ['sales-to-cs', null, 'acc-soon', 'warned'],
      ['sales-to-cs', null, 'acc-queue', 'running'],
    ]);
    expect(m.sla.board[0]!.link).toBe('http://ui.example:8233/namespaces/default/workflows/account%3Aacc-late');
    expect(m.sla.board.find((c) => c.accountId === 'acc-queue')).toMatchObject({ owner: 'cs-onboarding', tier: null, rule: 'sla-stc-default' });
    expect(m.sla.paused).toMatchObject([{ handoff: 'sales-to-cs', accountId: 'acc-wait', leadId: null, status: 'paused', pausedReason: 'customer-request' }]);
    expect(m.sla.counts).toEqual({
      running: 2,
      warned: 3,
      paused: 1,
      held: 0,
      dueSoon: 2,
      overdue: 2,
      breachedToday: 2,
      byHandoff: {
        'marketing-to-sales': { running: 1, warned: 1, paused: 0, dueSoon: 1, overdue: 1, breachedToday: 1 },
        'sales-to-cs': { running: 1, warned: 2, paused: 1, dueSoon: 1, overdue: 1, breachedToday: 1 },
      },
    });
    expect(m.sla.breachesToday.map((b) => [b.handoff, b.leadId ?? b.accountId, b.link])).toEqual([
      ['sales-to-cs', 'acc/9', 'http://ui.example:8233/namespaces/default/workflows/account%3Aacc%2F9'],
      ['marketing-to-sales', 'l-9', 'http://ui.example:8233/namespaces/default/workflows/lead%3Al-9'],
    ]);
    expect(m.sla.buckets.map((b) => b.n)).toEqual([2, 2, 0, 0, 1]);
  });

  it('counts "today" from midnight in the organisation time zone', () => {
    expect(new Date(startOfDay(NOW, 'Europe/Berlin')).toISOString()).toBe('2026-03-01T23:00:00.000Z');
    expect(buildOperationsModel(input(), { ...ctx, timezone: 'America/New_York' }).todayFrom).toBe('2026-03-02T05:00:00.000Z');
  });

  it('shows held leads longest waiting first, and load against capacity per rep (reps with no capacity and no leads left out)', () => {
    const m = buildOperationsModel(
      input({
        held: [
          { leadId: 'h2', workflowId: 'lead:h2', queue: 'mid-market', since: at(-10 * MIN), reasons: ['at-capacity'], nextAt: null },
          { leadId: 'h1', workflowId: 'lead:h1', queue: 'mid-market', since: at(-90 * MIN), reasons: ['outside-hours'], nextAt: at(60 * MIN) },
        ],
        open: [
          { rep: 'noah', pool: null, queue: 'mid-market', n: 3 },
          { rep: 'mia', pool: null, queue: 'mid-market', n: 2 },
          { rep: null, pool: 'smb-pool', queue: 'smb-pool', n: 4 },
          { rep: 'max', pool: null, queue: 'mid-market', n: 1 },
        ],
      }),
      ctx,
    );
    expect(m.sla.held.map((h) => [h.leadId, h.waitingMs, h.link])).toEqual([
      ['h1', 90 * MIN, 'http://ui.example:8233/namespaces/default/workflows/lead%3Ah1'],
      ['h2', 10 * MIN, 'http://ui.example:8233/namespaces/default/workflows/lead%3Ah2'],
    ]);
    expect(m.sla.counts.held).toBe(2);
    expect(m.reps).toEqual([
      { rep: 'mia', team: 'commercial', open: 2, capacity: 2, load: 1, active: true },
      { rep: 'noah', team: 'commercial', open: 3, capacity: 4, load: 0.75, active: true },
      { rep: 'max', team: 'commercial', open: 1, capacity: null, load: null, active: true },
    ]);
    expect(m.queues).toEqual([
      { queue: 'mid-market', strategy: 'weighted-round-robin', open: 6, held: 2, members: 2 },
      { queue: 'smb-pool', strategy: 'pool', open: 4, held: 0, members: 2 },
    ]);
  });

  it("sets each weighted queue's routing share against the share its weights ask for", () => {
    const m = buildOperationsModel(
      input({
        routed: [
          { queue: 'mid-market', rep: 'noah', n: 6 },
          { queue: 'mid-market', rep: 'mia', n: 4 },
        ],
      }),
      ctx,
    );
    expect(m.routing).toEqual({
      windowDays: 7,
      queues: [
        {
          queue: 'mid-market',
          total: 10,
          reps: [
            { rep: 'noah', weight: 3, expected: 0.75, actual: 0.6, n: 6 },
            { rep: 'mia', weight: 1, expected: 0.25, actual: 0.4, n: 4 },
          ],
        },
      ],
    });
  });

  it('lists the live workers’ rules revisions with the open leads visibility counts on each, and the shadow’s disagreements', () => {
    const seen = (identity: string, rev: string, ageMs: number, shadow: { source: string; revision: string | null; error: string | null } | null = null) => ({
      identity,
      taskQueue: 'flywheel',
      rulesRevision: rev,
      rulesStatus: 'ok' as const,
      shadow,
      startedAt: at(-ageMs - MIN),
      seenAt: at(-ageMs),
    });
    const m = buildOperationsModel(
      input({
        workers: { now: NOW, rows: [seen('w1', 'r2', 5_000, { source: 'ref candidate', revision: 'r3', error: null }), seen('w2', 'r1', 10_000), seen('gone', 'r0', 3_600_000)] },
        apiRules: { revision: 'r2', status: 'ok' },
        shadowToday: [{ kind: 'routing', shadowRevision: 'r3', n: 4 }],
        visibility: { ok: true, openLeads: 12, bySlaStatus: { running: 5, warned: 1, paused: 0, held: 1, breached: 0 }, byRevision: { r1: 2, r2: 9, old: 1 } },
      }),
      ctx,
    );
    expect(m.rules.workers).toMatchObject({
      status: 'mixed',
      live: [
        { identity: 'w1', revision: 'r2', shadow: 'r3' },
        { identity: 'w2', revision: 'r1', shadow: null },
      ],
    });
    expect(m.rules.revisions).toEqual([
      { revision: 'r1', workers: 1, openLeads: 2 },
      { revision: 'r2', workers: 1, openLeads: 9 },
      { revision: 'old', workers: 0, openLeads: 1 },
    ]);
    expect(m.rules.shadowToday).toEqual([{ kind: 'routing', shadowRevision: 'r3', n: 4 }]);
    expect(buildOperationsModel(input({ workers: { now: NOW, rows: [seen('w1', 'r2', 5_000)] } }), ctx).rules.revisions).toEqual([{ revision: 'r2', workers: 1, openLeads: null }]);
  });
});
