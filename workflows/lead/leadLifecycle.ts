import {
  allHandlersFinished,
  condition,
  continueAsNew,
  patched,
  proxyActivities,
  setHandler,
  upsertSearchAttributes,
  workflowInfo,
} from '@temporalio/workflow';
import type { FlywheelActivities } from '../../activities/index.ts';
import { SA } from '../../src/temporal/searchAttributes.ts';
import { leadEventSignal, leadStateQuery } from '../definitions.ts';
import { ignore, initialState, LIMITS, mergeLead, pushBounded, recordDecisions, remember } from './state.ts';
import type { LedgerEvent } from '../../src/ledger/types.ts';
import type { AssignmentRequest, LeadEvent, LeadState, LeadWorkflowInput } from './types.ts';

const acts = proxyActivities<FlywheelActivities>({
  startToCloseTimeout: '30 seconds',
  retry: { initialInterval: '1 second', maximumInterval: '1 minute' },
});

/** Continue-as-new well before Temporal's limits, so a lead that lives for months keeps a short history. */
const HISTORY_BUDGET = 2_000;
/** How long a won or disqualified lead keeps answering late events before it completes. */
const CLOSED_GRACE_MS = 7 * 24 * 3_600_000;

export interface LeadOutcome {
  leadId: string;
  status: LeadState['status'];
  reason: string | null;
  owner: string | null;
}

/**
 * One lead's lifecycle: Attract (quality, ICP, qualification, nurture) -> hand-off to sales (routing, SLA
 * clock on business hours, escalation) -> Engage (meetings, opportunity) -> won (to customer success) or
 * lost (recycled to nurture after a cooldown). Driven only by CRM events on one signal and by its own timers.
 */
export async function leadLifecycle(input: LeadWorkflowInput): Promise<LeadOutcome> {
  const s: LeadState = input.carried ?? initialState(input.leadId);
  const inbox: LeadEvent[] = [...(input.pending ?? [])];
  const ledger: LedgerEvent[] = [];
  setHandler(leadEventSignal, (e) => void inbox.push(e));
  setHandler(leadStateQuery, () => s);

  const nowIso = () => new Date().toISOString();
  const wfId = workflowInfo().workflowId;
  const note = (type: LedgerEvent['type'], keySuffix: string, extra: Partial<LedgerEvent> = {}) =>
    ledger.push({ key: `${wfId}:${keySuffix}`, type, occurredAt: nowIso(), leadId: s.leadId, workflowId: wfId, owner: s.owner ?? undefined, stage: s.stage, ...extra });

  const publish = () =>
    upsertSearchAttributes([
      { key: SA.FlywheelStage, value: s.stage },
      { key: SA.Owner, value: s.owner ?? s.pool ?? 'unassigned' },
      { key: SA.IcpTier, value: s.tier ?? 'unknown' },
      { key: SA.SlaStatus, value: s.sla?.status ?? 'none' },
      { key: SA.RulesRevision, value: s.rulesRevision ?? 'none' },
    ]);

  const setStage = (stage: LeadState['stage'], status: LeadState['status']) => {
    const changed = stage !== s.stage;
    s.stage = stage;
    s.status = status;
    if (changed) note('stage.changed', `${s.seq++}:stage:${stage}`, { data: { status } });
  };

  const flush = async () => {
    publish();
    if (ledger.length === 0) return;
    const batch = ledger.splice(0, ledger.length);
    await acts.recordLedgerEvents(batch);
  };

  async function attract(): Promise<void> {
    const r = await acts.evaluateLead({ leadId: s.leadId, lead: s.lead, at: nowIso() });
    recordDecisions(s, r.decisions);
    s.tier = r.tier;
    for (const d of r.decisions) note('decision.recorded', `${s.seq++}:decision:${d.kind}`, { rulesRevision: d.revision, data: { kind: d.kind, matched: d.matched, outcome: d.outcome, inputs: d.inputs, source: leadSource() } });
    if (r.status === 'disqualified') {
      s.closedReason = r.disqualified?.reasons.join('; ') ?? 'disqualified by qualification rules';
      setStage('Closed', 'disqualified');
      return;
    }
    if (r.status !== 'mql') {
      s.status = r.status;
      return;
    }
    await handoff({ leadId: s.leadId, lead: s.lead, tier: s.tier, at: nowIso(), exclude: [], attempt: s.assignments, reason: s.assignments === 0 ? 'handoff' : 'recycled' });
  }

  async function handoff(req: AssignmentRequest): Promise<void> {
    s.assignments++;
    const a = await acts.assignLead(req);
    recordDecisions(s, [a.decision]);
    s.owner = a.owner;
    s.pool = a.pool;
    s.queue = a.queue;
    s.handoffAt ??= nowIso();
    setStage('Engage', 'assigned');
    await acts.notifyCrm({ kind: 'assignment', leadId: s.leadId, owner: a.owner, pool: a.pool, queue: a.queue, strategy: a.strategy, attempt: req.attempt });
    if (!a.owner && !a.pool) {
      s.sla = null;
      return;
    }
    const clock = await acts.startSlaClock({ leadId: s.leadId, lead: s.lead, tier: s.tier, owner: a.owner, pool: a.pool, queue: a.queue, clock: req.attempt, startedAt: nowIso() });
    recordDecisions(s, [clock.decision]);
    s.sla = { ...clock, status: 'running' };
  }

  async function onSlaTimer(): Promise<void> {
    const sla = s.sla!;
    const now = Date.now();
    if (sla.status === 'running' && now >= Date.parse(sla.warnAt) && now < Date.parse(sla.deadline)) {
      sla.status = 'warned';
      note('sla.warned', `sla:${s.assignments - 1}:warned`, { data: { deadline: sla.deadline, rule: sla.rule } });
      return;
    }
    if (now < Date.parse(sla.deadline)) return;
    sla.status = 'breached';
    const breacher = s.owner;
    note('sla.breached', `sla:${s.assignments - 1}:breached`, { data: { deadline: sla.deadline, rule: sla.rule, owner: breacher } });
    if (breacher) s.breachedReps.push(breacher);
    // The breach is on record (ledger and SlaStatus) before anyone is notified or the lead moves.
    await flush();
    await acts.notifyEscalation({ leadId: s.leadId, owner: breacher, pool: s.pool, notify: sla.escalation.notify, deadline: sla.deadline, rule: sla.rule, attempt: s.assignments - 1, at: nowIso() });
    const canReassign = sla.escalation.reassign && s.reassignments < sla.escalation.maxReassignments;
    const toOverflow = !canReassign && sla.escalation.then !== null && s.reassignments <= sla.escalation.maxReassignments;
    if (!canReassign && !toOverflow) return;
    s.reassignments++;
    await handoff({
      leadId: s.leadId,
      lead: s.lead,
      tier: s.tier,
      at: nowIso(),
      exclude: [...s.breachedReps],
      attempt: s.assignments,
      reason: canReassign ? 'sla-breach' : 'overflow',
      overflowFrom: canReassign ? undefined : (sla.escalation.then === 'overflow' ? s.queue ?? undefined : sla.escalation.then ?? undefined),
    });
  }

  async function handle(e: LeadEvent): Promise<void> {
    if (s.seen.includes(e.key)) {
      ignore(s, e, 'duplicate delivery (same source and id)', nowIso());
      return;
    }
    remember(s, e);
    if (s.status === 'new' && e.type !== 'lead.created' && e.type !== 'lead.updated') {
      // Webhooks race: a touch can arrive before the create. Keep it and apply it once the lead exists.
      pushBounded(s.early, e, LIMITS.early);
      return;
    }
    switch (e.type) {
      case 'lead.created':
      case 'lead.updated': {
        if (!mergeLead(s, e)) {
          skip(e, `stale update: older than the last applied one (${s.leadUpdatedAt})`);
          return;
        }
        if (['new', 'nurture', 'blocked-data'].includes(s.status)) {
          await attract();
          await replayEarly();
        }
        return;
      }
      case 'lead.touched':
        return touched(e);
      case 'meeting.booked': {
        if (s.stage !== 'Engage') return skip(e, `no meeting expected while ${s.status}`);
        if (!s.firstMeetingAt) {
          s.firstMeetingAt = e.time;
          s.timeToFirstMeetingMs = Date.parse(e.time) - Date.parse(s.handoffAt!);
          note('meeting.booked', `meeting:${e.key}`, { data: { timeToFirstMeetingMs: s.timeToFirstMeetingMs, ...e.data } });
        }
        if (s.status === 'assigned' || s.status === 'working') s.status = 'meeting';
        meetSlaIfOwner(e, String(e.data.by ?? s.owner ?? ''));
        return;
      }
      case 'opportunity.created': {
        if (s.stage !== 'Engage') return skip(e, `no opportunity expected while ${s.status}`);
        const id = String(e.data.opportunityId);
        s.opportunity = { id, amount: Number(e.data.amount), currency: e.data.currency as string | undefined, createdAt: e.time };
        s.status = 'opportunity';
        note('deal.created', `deal:${id}:created`, { amount: Number(e.data.amount), currency: e.data.currency as string | undefined, data: { opportunityId: id, source: leadSource(), tier: s.tier } });
        return;
      }
      case 'opportunity.won': {
        if (s.stage !== 'Engage') return skip(e, `cannot win while ${s.status}`);
        const id = String(e.data.opportunityId);
        const arr = Number(e.data.arr);
        note('deal.won', `deal:${id}:won`, { amount: Number(e.data.amount ?? arr), accountId: String(e.data.accountId), arrDelta: arr, currency: e.data.currency as string | undefined, data: { opportunityId: id, domain: s.lead.domain ?? null, tier: s.tier, source: leadSource() } });
        setStage('Delight', 'won');
        await acts.handoffToCustomerSuccess({ leadId: s.leadId, accountId: String(e.data.accountId), owner: s.owner, arr, opportunityId: id, context: (e.data.handoff as Record<string, unknown>) ?? {}, lead: s.lead, tier: s.tier, at: nowIso() });
        await acts.releaseAssignment({ leadId: s.leadId, reason: 'won', at: nowIso() });
        return;
      }
      case 'opportunity.lost': {
        if (s.stage !== 'Engage') return skip(e, `cannot lose while ${s.status}`);
        note('deal.lost', `deal:${String(e.data.opportunityId ?? 'none')}:lost`, { data: { reason: e.data.reason } });
        const cooldown = await acts.recycleCooldown({ leadId: s.leadId, lead: s.lead, tier: s.tier, reason: String(e.data.reason), amount: s.opportunity?.amount ?? null, at: nowIso() });
        recordDecisions(s, [cooldown.decision]);
        const cooldownMs = cooldown.cooldownMs;
        await acts.releaseAssignment({ leadId: s.leadId, reason: 'lost', at: nowIso() });
        s.closedReason = String(e.data.reason);
        s.recycleAt = new Date(Date.now() + cooldownMs).toISOString();
        s.sla = null;
        setStage('Attract', 'lost');
        return;
      }
    }
  }

  /** The lead's source on its ledger rows, so metrics can tell channels apart (marketing-sourced, referrals, ...). */
  function leadSource(): string | null {
    return typeof s.lead.source === 'string' ? s.lead.source : null;
  }

  function skip(e: LeadEvent, reason: string): void {
    const item = ignore(s, e, reason, nowIso());
    note('event.ignored', `${s.seq++}:ignored`, { data: { ...item, key: e.key } });
  }

  function meetSlaIfOwner(e: LeadEvent, by: string): boolean {
    const sla = s.sla;
    if (!sla || sla.status === 'met' || sla.status === 'breached') return false;
    if (Date.parse(e.time) < Date.parse(sla.startedAt)) return false;
    if (by !== s.owner) return false;
    sla.status = 'met';
    sla.metAt = e.time;
    sla.timeToFirstTouchMs = Date.parse(e.time) - Date.parse(s.handoffAt ?? sla.startedAt);
    note('sla.met', `sla:${s.assignments - 1}:met`, { data: { timeToFirstTouchMs: sla.timeToFirstTouchMs, rule: sla.rule, deadline: sla.deadline } });
    return true;
  }

  async function touched(e: LeadEvent): Promise<void> {
    const by = String(e.data.by);
    if (s.stage !== 'Engage') return skip(e, `touch while ${s.status}: the lead is not with sales`);
    if (s.sla && Date.parse(e.time) < Date.parse(s.sla.startedAt)) return skip(e, 'touch happened before the current hand-off');
    if (s.pool && !s.owner && (await acts.claimFromPool({ leadId: s.leadId, rep: by, pool: s.pool })).claimed) {
      s.owner = by;
      s.pool = null;
    }
    if (meetSlaIfOwner(e, by) || by === s.owner) {
      if (s.status === 'assigned') s.status = 'working';
      return;
    }
    skip(e, `touch by ${by}, who does not own the lead (owner ${s.owner ?? 'none'})`);
  }

  async function replayEarly(): Promise<void> {
    if (s.status === 'new' || s.early.length === 0) return;
    const early = s.early.splice(0).sort((a, b) => Date.parse(a.time) - Date.parse(b.time));
    for (const e of early) {
      s.seen = s.seen.filter((k) => k !== e.key);
      await handle(e);
    }
  }

  function nextTimer(): { at: number; summary: string } | null {
    if (s.status === 'lost' && s.recycleAt) return { at: Date.parse(s.recycleAt), summary: 'recycle to nurture after cooldown' };
    const sla = s.sla;
    if (!sla || (sla.status !== 'running' && sla.status !== 'warned')) return null;
    return sla.status === 'running'
      ? { at: Date.parse(sla.warnAt), summary: `SLA warning for ${s.owner ?? s.pool}` }
      : { at: Date.parse(sla.deadline), summary: `SLA deadline for ${s.owner ?? s.pool}` };
  }

  publish();
  for (;;) {
    if (s.status === 'won' || s.status === 'disqualified') break;
    const timer = nextTimer();
    const hasEvent = timer
      ? await condition(() => inbox.length > 0, Math.max(1, timer.at - Date.now()), { summary: timer.summary })
      : (await condition(() => inbox.length > 0), true);
    if (hasEvent) await handle(inbox.shift()!);
    else if (s.status === 'lost') {
      s.recycleAt = null;
      s.owner = null;
      s.pool = null;
      s.handoffAt = null;
      s.firstMeetingAt = null;
      s.timeToFirstMeetingMs = null;
      s.opportunity = null;
      s.breachedReps = [];
      s.reassignments = 0;
      setStage('Attract', 'nurture');
      await attract();
    } else await onSlaTimer();
    await flush();
    if (workflowInfo().historyLength > (input.historyBudget ?? HISTORY_BUDGET)) {
      await condition(allHandlersFinished);
      // Events that arrived while handlers finished are still in the inbox: carry them, none is lost.
      await continueAsNew<typeof leadLifecycle>({ leadId: s.leadId, historyBudget: input.historyBudget, carried: { ...s, runs: s.runs + 1, early: [...s.early] }, pending: inbox.splice(0) });
    }
  }
  await flush();
  // A closed lead stays open for a while so late CRM events are recorded as ignored instead of starting a new,
  // empty lead under the same id. Versioned: histories recorded before this completed right away.
  if (patched('closed-grace-period')) {
    const until = Date.now() + (input.closedGraceMs ?? CLOSED_GRACE_MS);
    while (await condition(() => inbox.length > 0, Math.max(1, until - Date.now()), { summary: 'late events after close' })) {
      const e = inbox.shift()!;
      if (s.seen.includes(e.key)) ignore(s, e, 'duplicate delivery (same source and id)', nowIso());
      else {
        remember(s, e);
        skip(e, `the lead is closed (${s.status})`);
      }
      await flush();
    }
  }
  return { leadId: s.leadId, status: s.status, reason: s.closedReason, owner: s.owner };
}
