/**
 * Gathers what the operations page shows (./model.ts): a handful of SQL reads of the ledger and a few Temporal
 * visibility counts, all in parallel. Where each number comes from, and why, is in docs/operations-page.md:
 * a clock's deadline lives only in its workflow's state and in its ledger rows (sla.started and every later row of
 * the clock carry it), so the ledger answers the whole board in one query per hand-off (leads' first touch,
 * accounts' CS kickoff), where a workflow query would cost a round trip (and a replay, when the workflow is not
 * cached) per lead or account. Visibility (SlaStatus, RulesRevision) gives
 * the independent count of open lead workflows, which the page shows beside the ledger's.
 */
import type { Client } from '@temporalio/client';
import type { Ledger } from '../../ledger/types.ts';
import { readWorkers } from '../../runtime/workerRevisions.ts';
import { accountWorkflowId, leadWorkflowId, leadWorkflowTypes } from '../../../workflows/definitions.ts';
import { HANDOFF_OF_ROW, type Handoff } from '../../metrics/handoffs.ts';
import type { HoldCandidate } from '../../../workflows/lead/types.ts';
import type { BreachInput, ClockInput, HeldInput, OperationsInput, VisibilityInput } from './model.ts';
import { startOfDay } from './model.ts';

export interface OperationsReadDeps {
  ledger: Pick<Ledger, 'query'>;
  /** Absent: the visibility panel says so; the ledger panels still show. */
  client?: Client;
  /** The API's rules cache (a RulesCache): the revision it loads from the workers' folder. */
  rules?: { health(): { revision: { id: string } | null; status: 'ok' | 'degraded' } };
  timezone: string;
  routingWindowDays?: number;
}

const OPEN_CLOCK_TYPES = ['sla.started', 'sla.warned', 'sla.paused', 'sla.resumed'];

/**
 * Each lead with an open assignment (a lead that closed, was lost or recycled released it, and dropped its clock
 * without a clock row), with its latest clock row when that is an open state. Starting from the open assignments
 * keeps the read proportional to the open leads, not to the ledger's history. `OFFSET 0` fences each lead's rows
 * so they are found through the lead index alone: without table statistics (the embedded ledger never analyses),
 * the planner otherwise ANDs in the type index and reads every clock row of the ledger once per lead (27 s instead
 * of 1 s for 15,000 open clocks on the embedded ledger). Rows of one clock share the key prefix `lead:<id>:sla:<n>:` (src/sla/clockKeys.ts).
 */
export const OPEN_CLOCKS_SQL = `
SELECT a.lead_id, l.workflow_id, l.type, l.occurred_at, a.rep, a.pool, l.data->>'rule' AS rule, l.data->>'deadline' AS deadline,
  l.data->>'reason' AS paused_reason, l.data->>'until' AS paused_until,
  EXISTS (SELECT 1 FROM ledger_events w WHERE w.event_key = substring(l.event_key from '^(.*:sla:[0-9]+):') || ':warned') AS warned,
  (SELECT x.data->>'tier' FROM (SELECT * FROM ledger_events WHERE lead_id = a.lead_id OFFSET 0) x WHERE x.type IN ('lead.assigned', 'lead.reassigned')
    ORDER BY x.occurred_at DESC, x.id DESC LIMIT 1) AS tier
FROM lead_assignments a
CROSS JOIN LATERAL (
  SELECT e.workflow_id, e.type, e.occurred_at, e.data, e.event_key
  FROM (SELECT * FROM ledger_events WHERE lead_id = a.lead_id OFFSET 0) e
  WHERE e.type IN ('sla.started', 'sla.warned', 'sla.paused', 'sla.resumed', 'sla.met', 'sla.breached', 'sla.cancelled')
  ORDER BY e.occurred_at DESC, e.id DESC LIMIT 1
) l
WHERE a.released_at IS NULL AND l.type = ANY($1::text[]) AND l.data ? 'deadline'`;

/**
 * Each account's open CS kickoff clock (account rows without a lead: src/metrics/handoffs.ts), with its latest row.
 * An account keeps no table of open clocks, so this starts from the kickoff clocks' sla.started rows and keeps those
 * whose clock has no met, breached or cancelled row yet: three lookups on the unique event key per clock (the keys
 * come from the one builder, src/sla/clockKeys.ts), so only open clocks read their account's rows. `OFFSET 0` fences
 * the open clocks and each account's rows as in OPEN_CLOCKS_SQL: without table statistics the planner otherwise
 * joins before it filters. The sla.started row alone has the queue a clock without an owner started in.
 */
export const OPEN_KICKOFF_CLOCKS_SQL = `
SELECT s.account_id, l.workflow_id, l.type, l.occurred_at, l.owner, s.queue, l.data->>'rule' AS rule, l.data->>'deadline' AS deadline,
  l.data->>'reason' AS paused_reason, l.data->>'until' AS paused_until,
  EXISTS (SELECT 1 FROM ledger_events w WHERE w.event_key = s.clock || ':warned') AS warned
FROM (
  SELECT o.account_id, o.clock, o.queue FROM (
    SELECT account_id, substring(event_key from '^(.*:sla:[0-9]+):') AS clock, data->>'queue' AS queue
    FROM ledger_events WHERE type = 'sla.started' AND lead_id IS NULL AND account_id IS NOT NULL OFFSET 0
  ) o
  WHERE NOT EXISTS (SELECT 1 FROM ledger_events t WHERE t.event_key IN (o.clock || ':met', o.clock || ':breached', o.clock || ':cancelled'))
  OFFSET 0
) s
CROSS JOIN LATERAL (
  SELECT e.workflow_id, e.type, e.occurred_at, e.owner, e.data
  FROM (SELECT * FROM ledger_events WHERE account_id = s.account_id AND lead_id IS NULL OFFSET 0) e
  WHERE e.type IN ('sla.started', 'sla.warned', 'sla.paused', 'sla.resumed') AND starts_with(e.event_key, s.clock || ':')
  ORDER BY e.occurred_at DESC, e.id DESC LIMIT 1
) l
WHERE l.type = ANY($1::text[]) AND l.data ? 'deadline'`;

const BREACHES = `
SELECT ${HANDOFF_OF_ROW} AS handoff, lead_id, account_id, workflow_id, occurred_at, coalesce(data->>'owner', owner) AS owner, data->>'rule' AS rule, data->>'deadline' AS deadline
FROM ledger_events WHERE type = 'sla.breached' AND (lead_id IS NOT NULL OR account_id IS NOT NULL) AND occurred_at >= $1 AND occurred_at <= $2
ORDER BY occurred_at DESC, id DESC`;

const HELD = 'SELECT lead_id, queue, since, candidates FROM held_leads ORDER BY since, lead_id';

const OPEN = `SELECT rep, pool, queue, count(*)::int AS n FROM lead_assignments WHERE released_at IS NULL AND strategy <> 'held' GROUP BY rep, pool, queue`;

const ROUTED = `
SELECT queue, rep, count(*)::int AS n FROM lead_assignments
WHERE strategy = 'weighted-round-robin' AND rep IS NOT NULL AND assigned_at > $1 AND assigned_at <= $2 GROUP BY queue, rep`;

const SHADOWED = `
SELECT data->>'kind' AS kind, data->'shadow'->>'revision' AS shadow_revision, count(*)::int AS n
FROM ledger_events WHERE type = 'decision.shadowed' AND occurred_at >= $1 AND occurred_at <= $2 GROUP BY 1, 2 ORDER BY 3 DESC`;

const iso = (d: Date | string) => new Date(d).toISOString();
const isoOrNull = (d: string | null) => (d === null || Number.isNaN(Date.parse(d)) ? null : new Date(d).toISOString());

/** Everything ./model.ts needs, read at `now` (the Temporal server's time under a time-skipping test). */
export async function readOperationsInput(deps: OperationsReadDeps, now: number): Promise<OperationsInput> {
  const { ledger } = deps;
  const from = new Date(startOfDay(now, deps.timezone)).toISOString();
  const to = new Date(now).toISOString();
  const windowDays = deps.routingWindowDays ?? 7;
  const health = deps.rules?.health();
  const workersRead = readWorkers(ledger);
  // Open leads are counted on every revision a live worker or this API decides with (bounded, unlike listing them).
  const revisions = workersRead.then((w) => [...new Set([...(w?.rows ?? []).map((x) => x.rulesRevision ?? 'none'), ...(health?.revision ? [health.revision.id] : [])])]);
  const [clocks, kickoffs, breaches, held, open, routed, shadowed, workers, visibility] = await Promise.all([
    ledger.query<{
      lead_id: string;
      workflow_id: string | null;
      type: ClockInput['type'];
      occurred_at: Date;
      rep: string | null;
      pool: string | null;
      rule: string | null;
      deadline: string;
      paused_reason: string | null;
      paused_until: string | null;
      warned: boolean;
      tier: string | null;
    }>(OPEN_CLOCKS_SQL, [OPEN_CLOCK_TYPES]),
    ledger.query<{
      account_id: string;
      workflow_id: string | null;
      type: ClockInput['type'];
      occurred_at: Date;
      owner: string | null;
      queue: string | null;
      rule: string | null;
      deadline: string;
      paused_reason: string | null;
      paused_until: string | null;
      warned: boolean;
    }>(OPEN_KICKOFF_CLOCKS_SQL, [OPEN_CLOCK_TYPES]),
    ledger.query<{
      handoff: Handoff;
      lead_id: string | null;
      account_id: string | null;
      workflow_id: string | null;
      occurred_at: Date;
      owner: string | null;
      rule: string | null;
      deadline: string | null;
    }>(BREACHES, [from, to]),
    ledger.query<{ lead_id: string; queue: string; since: Date; candidates: HoldCandidate[] }>(HELD),
    ledger.query<{ rep: string | null; pool: string | null; queue: string; n: number }>(OPEN),
    ledger.query<{ queue: string; rep: string; n: number }>(ROUTED, [new Date(now - windowDays * 86_400_000).toISOString(), to]),
    ledger.query<{ kind: string; shadow_revision: string | null; n: number }>(SHADOWED, [from, to]),
    workersRead,
    deps.client ? revisions.then((r) => readVisibility(deps.client!, r)) : Promise.resolve<VisibilityInput>({ ok: false, error: 'this API has no Temporal client' }),
  ]);
  return {
    now,
    clocks: [
      ...clocks.map((r): ClockInput => ({
        handoff: 'marketing-to-sales',
        leadId: r.lead_id,
        accountId: null,
        workflowId: r.workflow_id ?? leadWorkflowId(r.lead_id),
        type: r.type,
        at: iso(r.occurred_at),
        owner: r.rep,
        pool: r.pool,
        rule: r.rule,
        deadline: iso(r.deadline),
        warned: r.warned,
        pausedReason: r.type === 'sla.paused' ? r.paused_reason : null,
        pausedUntil: r.type === 'sla.paused' ? isoOrNull(r.paused_until) : null,
        tier: r.tier,
      })),
      ...kickoffs.map((r): ClockInput => ({
        handoff: 'sales-to-cs',
        leadId: null,
        accountId: r.account_id,
        workflowId: r.workflow_id ?? accountWorkflowId(r.account_id),
        type: r.type,
        at: iso(r.occurred_at),
        owner: r.owner,
        pool: r.queue,
        rule: r.rule,
        deadline: iso(r.deadline),
        warned: r.warned,
        pausedReason: r.type === 'sla.paused' ? r.paused_reason : null,
        pausedUntil: r.type === 'sla.paused' ? isoOrNull(r.paused_until) : null,
        tier: null,
      })),
    ],
    breachesToday: breaches.map((r): BreachInput => ({
      handoff: r.handoff,
      leadId: r.lead_id,
      accountId: r.handoff === 'sales-to-cs' ? r.account_id : null,
      workflowId: r.workflow_id ?? (r.lead_id !== null ? leadWorkflowId(r.lead_id) : accountWorkflowId(r.account_id!)),
      at: iso(r.occurred_at),
      owner: r.owner,
      rule: r.rule,
      deadline: isoOrNull(r.deadline),
    })),
    held: held.map((r): HeldInput => {
      const next = r.candidates.map((c) => c.availableAt).filter((a): a is string => a !== null);
      return {
        leadId: r.lead_id,
        workflowId: leadWorkflowId(r.lead_id),
        queue: r.queue,
        since: iso(r.since),
        reasons: [...new Set(r.candidates.map((c) => c.reason))].sort(),
        nextAt: next.length ? next.sort()[0]! : null,
      };
    }),
    open: open.map((r) => ({ ...r, n: Number(r.n) })),
    routed: routed.map((r) => ({ ...r, n: Number(r.n) })),
    routingWindowDays: windowDays,
    workers,
    apiRules: health ? { revision: health.revision?.id ?? null, status: health.status } : null,
    shadowToday: shadowed.map((r) => ({ kind: r.kind, shadowRevision: r.shadow_revision ?? 'unknown', n: Number(r.n) })),
    visibility,
  };
}

const SLA_STATUSES = ['running', 'warned', 'paused', 'held', 'breached'] as const;
const OPEN_LEADS = `WorkflowType IN (${leadWorkflowTypes.map((t) => `"${t}"`).join(', ')}) AND ExecutionStatus = "Running"`;

/**
 * Open lead workflows per SlaStatus and per rules revision, from Temporal visibility (count queries: no workflow is
 * touched). Visibility is eventually consistent and some servers (the time-skipping test server) do not offer it:
 * the page then says why instead of failing.
 */
export async function readVisibility(client: Client, revisions: readonly string[]): Promise<VisibilityInput> {
  try {
    const count = async (q: string) => (await client.workflow.count(q)).count;
    const [openLeads, ...rest] = await Promise.all([
      count(OPEN_LEADS),
      ...SLA_STATUSES.map((s) => count(`${OPEN_LEADS} AND SlaStatus = "${s}"`)),
      ...revisions.map((r) => count(`${OPEN_LEADS} AND RulesRevision = ${JSON.stringify(r)}`)),
    ]);
    return {
      ok: true,
      openLeads: openLeads!,
      bySlaStatus: Object.fromEntries(SLA_STATUSES.map((s, i) => [s, rest[i]!])),
      byRevision: Object.fromEntries(revisions.map((r, i) => [r, rest[SLA_STATUSES.length + i]!])),
    };
  } catch (e) {
    return { ok: false, error: `Temporal visibility did not answer: ${(e as Error).message}` };
  }
}
