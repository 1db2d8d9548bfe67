/**
 * The live operations page's data model (GET /v1/operations, and the page at /operations renders it). Pure: the
 * reader (./read.ts) gathers ledger rows, heartbeats and Temporal visibility counts; this file turns them into
 * the SLA board, load per rep and queue, routing share against the weights and the rules revisions in use. Ids,
 * owners, tiers and times only: no names, e-mails or phones reach the page. The board holds both hand-off clocks:
 * a lead's marketing -> sales first touch and an account's sales -> CS kickoff; each row names its hand-off and
 * carries exactly one of leadId and accountId.
 */
import { instantToLocal, localToInstant } from '../../calendar/zonedTime.ts';
import type { QueueConfig, RepConfig } from '../../config/types.ts';
import type { WorkerSeen } from '../routes/health.ts';
import { summariseWorkers } from '../../runtime/workerRevisions.ts';
import { HANDOFFS, type Handoff } from '../../metrics/handoffs.ts';

const DAY = 86_400_000;
/** Open clocks whose deadline is this close are "about to breach". */
export const DUE_SOON_MS = 3_600_000;
/** Rows shown per list on the page; the counts always cover every row. */
export const LIST_LIMIT = 25;

/** Which record a clock belongs to: a lead (marketing-to-sales) or an account (sales-to-cs), never both. */
export interface ClockRecord {
  handoff: Handoff;
  leadId: string | null;
  accountId: string | null;
}

/** The latest row of a lead's or an account's current hand-off clock, with what the ledger says around it (./read.ts). */
export interface ClockInput extends ClockRecord {
  workflowId: string;
  type: 'sla.started' | 'sla.warned' | 'sla.paused' | 'sla.resumed';
  at: string;
  owner: string | null;
  /** The pool a pool lead waits in, or the CS queue an account's clock started in. */
  pool: string | null;
  rule: string | null;
  deadline: string;
  /** Whether this clock warned before (a resumed clock goes back to where it was). */
  warned: boolean;
  pausedReason: string | null;
  pausedUntil: string | null;
  tier: string | null;
}

export interface BreachInput extends ClockRecord {
  workflowId: string;
  at: string;
  owner: string | null;
  rule: string | null;
  deadline: string | null;
}

export interface HeldInput {
  leadId: string;
  workflowId: string;
  queue: string;
  since: string;
  reasons: string[];
  /** The earliest moment a candidate can take it; null: only freed capacity can. */
  nextAt: string | null;
}

export type VisibilityInput = { ok: true; openLeads: number; bySlaStatus: Record<string, number>; byRevision: Record<string, number> } | { ok: false; error: string };

export interface OperationsInput {
  now: number;
  clocks: ClockInput[];
  breachesToday: BreachInput[];
  held: HeldInput[];
  /** Open assignments (strategy other than held) per rep or pool and queue. */
  open: { rep: string | null; pool: string | null; queue: string; n: number }[];
  /** Weighted round robin placements in the routing window, per queue and rep. */
  routed: { queue: string; rep: string; n: number }[];
  routingWindowDays: number;
  workers: { rows: WorkerSeen[]; now: number } | null;
  /** The revision this API process's rules cache loads from the workers' folder, when it has one. */
  apiRules: { revision: string | null; status: 'ok' | 'degraded' } | null;
  shadowToday: { kind: string; shadowRevision: string; n: number }[];
  visibility: VisibilityInput;
}

export interface OperationsContext {
  timezone: string;
  reps: Pick<RepConfig, 'id' | 'team' | 'weight' | 'capacity' | 'active'>[];
  queues: Pick<QueueConfig, 'id' | 'team' | 'strategy' | 'members'>[];
  /** Temporal Web UI base URL and namespace: every row links to its workflow there; null: no links. */
  temporalUi: { url: string; namespace: string } | null;
}

export type ClockStatus = 'running' | 'warned' | 'paused';

export interface ClockRow extends ClockRecord {
  link: string | null;
  status: ClockStatus;
  owner: string | null;
  tier: string | null;
  rule: string | null;
  deadline: string;
  /** Deadline minus now; negative when the deadline passed and the breach is not on record yet. */
  msLeft: number;
  pausedReason: string | null;
  pausedUntil: string | null;
}

/** Open clocks of one hand-off by state, and its breaches today. */
export interface HandoffCounts {
  running: number;
  warned: number;
  paused: number;
  dueSoon: number;
  overdue: number;
  breachedToday: number;
}

export interface OperationsModel {
  generatedAt: string;
  timezone: string;
  /** Start of today in the organisation's time zone: "today" counts from here. */
  todayFrom: string;
  temporalUi: string | null;
  sla: {
    /** Both hand-offs together, and held leads (leads only: an account is never held). */
    counts: HandoffCounts & { held: number; byHandoff: Record<Handoff, HandoffCounts> };
    /** Running and warned clocks, soonest deadline first. */
    board: ClockRow[];
    paused: ClockRow[];
    held: (Omit<HeldInput, 'workflowId'> & { link: string | null; waitingMs: number })[];
    breachesToday: (Omit<BreachInput, 'workflowId'> & { link: string | null })[];
    /** Open clocks by time left, for the chart. */
    buckets: { label: string; n: number }[];
  };
  reps: { rep: string; team: string; open: number; capacity: number | null; load: number | null; active: boolean }[];
  queues: { queue: string; strategy: 'weighted-round-robin' | 'pool'; open: number; held: number; members: number }[];
  routing: { windowDays: number; queues: { queue: string; total: number; reps: { rep: string; weight: number; expected: number; actual: number; n: number }[] }[] };
  rules: {
    api: OperationsInput['apiRules'];
    workers: {
      status: 'ok' | 'mixed' | 'degraded';
      detail: string;
      live: { identity: string; taskQueue: string; revision: string | null; status: string; shadow: string | null; shadowError: string | null }[];
    } | null;
    /** Revisions deciding now (live workers) with the open leads Temporal visibility counts on each. */
    revisions: { revision: string; workers: number; openLeads: number | null }[];
    shadowToday: OperationsInput['shadowToday'];
  };
  visibility: VisibilityInput;
}

/** The Temporal Web UI page of a workflow (the UI opens its latest run). */
export function workflowLink(ui: OperationsContext['temporalUi'], workflowId: string): string | null {
  if (!ui) return null;
  return `${ui.url.replace(/\/+$/, '')}/namespaces/${encodeURIComponent(ui.namespace)}/workflows/${encodeURIComponent(workflowId)}`;
}

/** Midnight of `now`'s day in `zone`, as an instant. */
export function startOfDay(now: number, zone: string): number {
  return localToInstant(Math.floor(instantToLocal(now, zone) / DAY) * DAY, zone);
}

function clockStatus(c: ClockInput): ClockStatus {
  if (c.type === 'sla.paused') return 'paused';
  if (c.type === 'sla.warned' || (c.type === 'sla.resumed' && c.warned)) return 'warned';
  return 'running';
}

/** A row's record id, for a stable order among equal times. */
const recordId = (c: ClockRecord) => c.leadId ?? c.accountId ?? '';

function countClocks(ticking: ClockRow[], paused: ClockRow[], breaches: number): HandoffCounts {
  return {
    running: ticking.filter((c) => c.status === 'running').length,
    warned: ticking.filter((c) => c.status === 'warned').length,
    paused: paused.length,
    dueSoon: ticking.filter((c) => c.msLeft >= 0 && c.msLeft < DUE_SOON_MS).length,
    overdue: ticking.filter((c) => c.msLeft < 0).length,
    breachedToday: breaches,
  };
}

const BUCKETS: { label: string; upTo: number }[] = [
  { label: 'overdue', upTo: 0 },
  { label: '< 1 h', upTo: 3_600_000 },
  { label: '1-4 h', upTo: 4 * 3_600_000 },
  { label: '4-24 h', upTo: DAY },
  { label: '> 1 day', upTo: Infinity },
];

export function buildOperationsModel(input: OperationsInput, ctx: OperationsContext): OperationsModel {
  const { now } = input;
  const link = (workflowId: string) => workflowLink(ctx.temporalUi, workflowId);
  const clocks: ClockRow[] = input.clocks.map((c) => ({
    handoff: c.handoff,
    leadId: c.leadId,
    accountId: c.accountId,
    link: link(c.workflowId),
    status: clockStatus(c),
    owner: c.owner ?? c.pool,
    tier: c.tier,
    rule: c.rule,
    deadline: c.deadline,
    msLeft: Date.parse(c.deadline) - now,
    pausedReason: c.pausedReason,
    pausedUntil: c.pausedUntil,
  }));
  const ticking = clocks.filter((c) => c.status !== 'paused').sort((a, b) => a.msLeft - b.msLeft || recordId(a).localeCompare(recordId(b)));
  const paused = clocks.filter((c) => c.status === 'paused').sort((a, b) => (a.pausedUntil ?? '~').localeCompare(b.pausedUntil ?? '~') || recordId(a).localeCompare(recordId(b)));
  const of = (h: Handoff) => (c: { handoff: Handoff }) => c.handoff === h;
  const buckets = BUCKETS.map((b, i) => ({
    label: b.label,
    n: ticking.filter((c) => c.msLeft < b.upTo && (i === 0 || c.msLeft >= BUCKETS[i - 1]!.upTo)).length,
  }));

  const openByRep = new Map<string, number>();
  const openByQueue = new Map<string, number>();
  for (const o of input.open) {
    if (o.rep) openByRep.set(o.rep, (openByRep.get(o.rep) ?? 0) + o.n);
    openByQueue.set(o.queue, (openByQueue.get(o.queue) ?? 0) + o.n);
  }
  const heldByQueue = new Map<string, number>();
  for (const h of input.held) heldByQueue.set(h.queue, (heldByQueue.get(h.queue) ?? 0) + 1);

  const reps = ctx.reps
    .filter((r) => r.capacity !== 0 || openByRep.has(r.id))
    .map((r) => {
      const open = openByRep.get(r.id) ?? 0;
      const capacity = r.capacity ?? null;
      return { rep: r.id, team: r.team, open, capacity, load: capacity ? open / capacity : null, active: r.active !== false };
    })
    .sort((a, b) => (b.load ?? -1) - (a.load ?? -1) || b.open - a.open || a.rep.localeCompare(b.rep));

  const queues = ctx.queues.map((q) => ({
    queue: q.id,
    strategy: q.strategy ?? 'weighted-round-robin',
    open: openByQueue.get(q.id) ?? 0,
    held: heldByQueue.get(q.id) ?? 0,
    members: q.members?.length ?? 0,
  }));

  const weightOf = new Map(ctx.reps.map((r) => [r.id, r.weight ?? 1]));
  const routing = ctx.queues
    .filter((q) => (q.strategy ?? 'weighted-round-robin') === 'weighted-round-robin' && (q.members?.length ?? 0) > 1)
    .map((q) => {
      const members = q.members ?? [];
      const counts = new Map(input.routed.filter((r) => r.queue === q.id).map((r) => [r.rep, r.n]));
      const total = [...counts.values()].reduce((a, b) => a + b, 0);
      const weights = members.reduce((a, m) => a + (weightOf.get(m) ?? 1), 0);
      return {
        queue: q.id,
        total,
        reps: members.map((m) => ({
          rep: m,
          weight: weightOf.get(m) ?? 1,
          expected: weights ? (weightOf.get(m) ?? 1) / weights : 0,
          actual: total ? (counts.get(m) ?? 0) / total : 0,
          n: counts.get(m) ?? 0,
        })),
      };
    });

  const summary = input.workers ? summariseWorkers(input.workers.rows, input.workers.now) : null;
  const byRevision = input.visibility.ok ? input.visibility.byRevision : null;
  const revisions = (summary?.revisions ?? []).map((r) => ({ ...r, openLeads: byRevision ? (byRevision[r.revision] ?? 0) : null }));
  for (const [revision, n] of Object.entries(byRevision ?? {})) if (n > 0 && !revisions.some((r) => r.revision === revision)) revisions.push({ revision, workers: 0, openLeads: n });

  return {
    generatedAt: new Date(now).toISOString(),
    timezone: ctx.timezone,
    todayFrom: new Date(startOfDay(now, ctx.timezone)).toISOString(),
    temporalUi: ctx.temporalUi?.url ?? null,
    sla: {
      counts: {
        ...countClocks(ticking, paused, input.breachesToday.length),
        held: input.held.length,
        byHandoff: Object.fromEntries(HANDOFFS.map((h) => [h, countClocks(ticking.filter(of(h)), paused.filter(of(h)), input.breachesToday.filter(of(h)).length)])) as Record<Handoff, HandoffCounts>,
      },
      board: ticking.slice(0, LIST_LIMIT),
      paused: paused.slice(0, LIST_LIMIT),
      held: [...input.held]
        .sort((a, b) => a.since.localeCompare(b.since))
        .slice(0, LIST_LIMIT)
        .map(({ workflowId, ...h }) => ({ ...h, link: link(workflowId), waitingMs: now - Date.parse(h.since) })),
      breachesToday: [...input.breachesToday]
        .sort((a, b) => b.at.localeCompare(a.at))
        .slice(0, LIST_LIMIT)
        .map(({ workflowId, ...b }) => ({ ...b, link: link(workflowId) })),
      buckets,
    },
    reps,
    queues,
    routing: { windowDays: input.routingWindowDays, queues: routing },
    rules: {
      api: input.apiRules,
      workers: summary && {
        status: summary.status,
        detail: summary.detail,
        live: summary.live.map((w) => ({
          identity: w.identity,
          taskQueue: w.taskQueue,
          revision: w.rulesRevision,
          status: w.rulesStatus,
          shadow: w.shadow?.revision ?? w.shadow?.source ?? null,
          shadowError: w.shadow?.error ?? null,
        })),
      },
      revisions,
      shadowToday: input.shadowToday,
    },
    visibility: input.visibility,
  };
}
