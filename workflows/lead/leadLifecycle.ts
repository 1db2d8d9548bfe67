import { allHandlersFinished, condition, continueAsNew, proxyActivities, proxyLocalActivities, setHandler, workflowInfo } from '@temporalio/workflow';
import type { FlywheelActivities } from '../../activities/index.ts';
import type { AttractLeadRequest } from '../../activities/lead/attractLead.ts';
import type { HandoffResult } from '../../activities/lead/handoffLead.ts';
import { clockKey } from '../../src/sla/clockKeys.ts';
import { holdTimer, onClockDue, pauseClock, resumeClock, type ClockEffect, type Refusal } from '../../src/sla/clockMachine.ts';
import { leadSource, leadTimer, meetFirstTouch, takeEarly } from './engage.ts';
import { leadEventSignal, leadRouteSignal, leadStateQuery } from '../definitions.ts';
import { ignore, pushBounded, recordDecisions } from '../shared/records.ts';
import { forgetKey, hasSeen, rememberKey } from '../shared/seen.ts';
import type { ClosedRecord } from '../shared/closed.ts';
import { namedLocal, recordFailures } from '../shared/failures.ts';
import { closedRow, restoreClosed } from './closedRecord.ts';
import { initialState, LEAD_LIMITS, mergeLead, resetForRecycling } from './state.ts';
import { importedRow, keepOwner, markImported, planImport, splitImport } from './importLead.ts';
import { leadSearchAttributes } from './searchAttributes.ts';
import { publisher } from '../shared/publish.ts';
import type { LedgerEvent } from '../../src/ledger/types.ts';
import type { AssignmentRequest, LeadEvent, LeadOutcome, LeadState, LeadWorkflowInput } from './types.ts';

// Every step that only reads and writes the ledger runs as a local activity: in the workflow task that needs it,
// with no server round trip, one marker event in the history instead of three activity events and a task.
const local = namedLocal(
  proxyLocalActivities<FlywheelActivities>({
    startToCloseTimeout: '30 seconds',
    retry: { initialInterval: '1 second', maximumInterval: '1 minute' },
  }),
);
// Notifications to the CRM and to people stay activities: they call services that may be slow or down, and run
// beside the record (bounded, about ten minutes of retries, then a dead-letter row).
const notifications = proxyActivities<FlywheelActivities>({
  startToCloseTimeout: '30 seconds',
  retry: { initialInterval: '1 second', maximumInterval: '1 minute', maximumAttempts: 12 },
});

/** Continue-as-new well before Temporal's limits, so a lead that lives for months keeps a short history. */
const HISTORY_BUDGET = 2_000;
/** How long a won or disqualified lead keeps answering late events before it completes. */
const CLOSED_GRACE_MS = 7 * 24 * 3_600_000;
/** A closed lead revived by a late event records it (and any redelivery close behind it), then completes again. */
const REVIVED_GRACE_MS = 3_600_000;

/**
 * One lead's lifecycle: Attract (quality, ICP, qualification, nurture) -> hand-off to sales (routing, SLA
 * clock on business hours, escalation) -> Engage (meetings, opportunity) -> won (to customer success) or
 * lost (recycled to nurture after a cooldown). Driven only by CRM events on one signal and by its own timers.
 *
 * The current version (see `leadWorkflowType`): a new lead is evaluated, placed and its clock started by one local
 * activity in its first workflow task. The first version, ./v1/leadLifecycle.ts, keeps running its own histories.
 */
export async function leadLifecycleV2(input: LeadWorkflowInput): Promise<LeadOutcome> {
  const s: LeadState = input.carried ?? initialState(input.leadId);
  const inbox: LeadEvent[] = [...(input.pending ?? [])];
  const ledger: LedgerEvent[] = [];
  // Freed capacity somewhere in the lead's queue: a held lead tries again now.
  let routeWanted = false;
  setHandler(leadEventSignal, (e) => void inbox.push(e));
  setHandler(leadRouteSignal, () => void (routeWanted = true));
  setHandler(leadStateQuery, () => s);

  const nowIso = () => new Date().toISOString();
  const wfId = workflowInfo().workflowId;
  // A revived closed record keys its rows by the event that revived it: each revival is a new run whose counters
  // start where the closed record's did, and a second revival must not collide with the first.
  let keyBase = wfId;
  /** The key of this lead's next workflow-authored row (also handed to the activities that write such rows). */
  const nextKey = (suffix: string) => `${keyBase}:${s.seq++}:${suffix}`;
  const note = (type: LedgerEvent['type'], key: string, extra: Partial<LedgerEvent> = {}) =>
    ledger.push({ key, type, occurredAt: nowIso(), leadId: s.leadId, workflowId: wfId, owner: s.owner ?? undefined, stage: s.stage, ...extra });

  /** A clock row under the one key builder, with the lead's columns. */
  const noteClock = (type: LedgerEvent['type'], event: Parameters<typeof clockKey>[3], data: Record<string, unknown>) => note(type, clockKey('lead', s.leadId, s.assignments - 1, event), { data });

  const { notify, failed, finalCause, settle } = recordFailures({
    entity: 'lead',
    workflowId: wfId,
    beside: true,
    note: (type, data) => note(type, nextKey(type === 'notification.failed' ? 'notification-failed' : 'failed'), { data }),
    remember: (f) => pushBounded((s.failures ??= []), f, LEAD_LIMITS.failures),
    now: nowIso,
  });

  const publish = publisher();

  const setStage = (stage: LeadState['stage'], status: LeadState['status']) => {
    const changed = stage !== s.stage;
    s.stage = stage;
    s.status = status;
    if (changed) note('stage.changed', nextKey(`stage:${stage}`), { data: { status } });
  };

  const flush = async () => {
    publish(leadSearchAttributes(s));
    if (ledger.length === 0) return;
    await local.recordLedgerEvents(ledger.splice(0, ledger.length));
  };

  /** Attract, and the hand-off when the lead qualifies: one local activity decides and writes both. */
  async function attract(closedCheck = false): Promise<ClosedRecord | null> {
    const arriving = s.status === 'new';
    const req: AttractLeadRequest = {
      leadId: s.leadId,
      lead: s.lead,
      at: nowIso(),
      closedCheck,
      ...(arriving ? { arrivalKey: nextKey('stage:Attract') } : {}),
      handoff: { attempt: s.assignments, reason: s.assignments === 0 ? 'handoff' : 'recycled', exclude: [], stageKey: nextKey('stage:Engage') },
    };
    const r = await local.attractLead(req);
    // Nothing was decided or written: the caller takes the event to the closed record.
    if (r.closed) return r.closed;
    const a = r.attract;
    recordDecisions(s, a.decisions);
    s.tier = a.tier;
    if (a.status === 'disqualified') {
      s.closedReason = a.disqualified?.reasons.join('; ') ?? 'disqualified by qualification rules';
      setStage('Closed', 'disqualified');
      noteClosed(a.disqualified?.reopenable === true);
      return null;
    }
    if (a.status !== 'mql') {
      s.status = a.status;
      if (a.status === 'blocked-data') await tellBlocked(a.missingFields, a.blockedBy);
      else s.blocked = null;
      return null;
    }
    s.blocked = null;
    applyHandoff(r.handoff!, { ...req.handoff, leadId: s.leadId, lead: s.lead, tier: s.tier, at: req.at });
    return null;
  }

  /** A placement (and the clock it started) as the hand-off step wrote it: the state follows, no rows to note. */
  function applyHandoff(h: HandoffResult, req: AssignmentRequest): void {
    const a = h.assignment;
    s.assignments++;
    recordDecisions(s, [a.decision]);
    s.owner = a.owner;
    s.pool = a.pool;
    s.queue = a.queue;
    s.handoffAt ??= req.at;
    s.stage = 'Engage';
    if (a.held) {
      // Nobody can take it now: held, visibly, until the earliest moment someone can (or capacity frees up).
      const told = s.hold && s.hold.since === a.held.since ? s.hold.toldAt : null;
      s.hold = { ...a.held, toldAt: told, reason: req.reason, ...(req.overflowFrom ? { overflowFrom: req.overflowFrom } : {}) };
      s.sla = null;
      s.status = 'held';
      return;
    }
    s.hold = null;
    s.status = 'assigned';
    s.sla = h.clock ? { ...h.clock, status: 'running' } : null;
    if (h.clock) recordDecisions(s, [h.clock.decision]);
    // The clock started at the assignment, in its transaction; the CRM is told beside the record.
    const told = { kind: 'assignment' as const, leadId: s.leadId, owner: a.owner, pool: a.pool, queue: a.queue, strategy: a.strategy, attempt: req.attempt };
    void notify('crm assignment', () => notifications.notifyCrm(told));
  }

  async function handoff(req: AssignmentRequest): Promise<void> {
    const h = await local.handoffLead({ ...req, ...(s.stage !== 'Engage' ? { stageKey: nextKey('stage:Engage') } : {}) });
    applyHandoff(h, req);
  }

  /** Carries out what the clock machine decided, in order: rows, then the escalation, then the move. */
  async function apply(effects: ClockEffect[]): Promise<void> {
    for (const fx of effects) {
      if (fx.kind === 'row') {
        noteClock(fx.type, fx.event, fx.data);
        continue;
      }
      const sla = s.sla!;
      if (fx.kind === 'escalate') {
        if (fx.breacher) s.breachedReps.push(fx.breacher);
        // The breach is on record (ledger and SlaStatus) before anyone is notified or the lead moves.
        await flush();
        const esc = { leadId: s.leadId, owner: fx.breacher, pool: s.pool, notify: sla.escalation.notify, deadline: sla.deadline, rule: sla.rule, attempt: s.assignments - 1, at: nowIso() };
        await notify('sla escalation', () => notifications.notifyEscalation(esc));
        continue;
      }
      s.reassignments++;
      await handoff({
        leadId: s.leadId,
        lead: s.lead,
        tier: s.tier,
        at: nowIso(),
        exclude: [...s.breachedReps],
        attempt: s.assignments,
        reason: fx.kind === 'reassign' ? 'sla-breach' : 'overflow',
        overflowFrom: fx.kind === 'reassign' ? undefined : fx.then === 'overflow' ? (s.queue ?? undefined) : fx.then,
      });
    }
  }

  /** Applies a machine answer; a refusal is recorded against the event that asked. */
  async function applyOr(e: LeadEvent, r: ClockEffect[] | Refusal): Promise<void> {
    if ('refused' in r) skip(e, r.refused);
    else await apply(r);
  }

  async function onSlaTimer(): Promise<void> {
    const sla = s.sla!;
    if (sla.status === 'paused') return resumeSla('until');
    await apply(onClockDue(sla, Date.now(), s.owner, s.reassignments));
  }

  async function resumeSla(by: 'event' | 'until', e?: LeadEvent): Promise<void> {
    const sla = s.sla;
    if (!sla || sla.status !== 'paused' || !sla.paused) return e ? skip(e, 'the SLA clock is not paused') : undefined;
    const at = nowIso();
    const shift = await local.resumeClock({ clock: sla, pausedAt: sla.paused.at, resumedAt: at });
    const r = resumeClock(sla, at, shift, by);
    if (e) await applyOr(e, r);
    else if (!('refused' in r)) await apply(r);
  }

  /** A held lead's timer: route again, or tell the queue's manager it has waited past the rule's maximum. */
  async function onHoldTimer(): Promise<void> {
    const h = s.hold!;
    const due = holdTimer(h);
    if (due?.kind === 'tell') {
      h.toldAt = nowIso();
      await flush();
      const told = { leadId: s.leadId, queue: h.queue, since: h.since, maxHoldAt: h.maxHoldAt!, notify: h.notify, candidates: h.candidates, at: nowIso() };
      await notify('hold exceeded', () => notifications.notifyHoldExceeded(told));
      return;
    }
    await reroute();
  }

  async function reroute(): Promise<void> {
    const h = s.hold!;
    await handoff({
      leadId: s.leadId,
      lead: s.lead,
      tier: s.tier,
      at: nowIso(),
      exclude: [...s.breachedReps],
      attempt: s.assignments,
      reason: h.reason ?? 'handoff',
      overflowFrom: h.overflowFrom,
      heldSince: h.since,
    });
  }

  /** A blocked lead tells marketing (its owner team in Attract) which fields are missing, once per set of fields. */
  async function tellBlocked(missing: string[], blockedBy: string[]): Promise<void> {
    if (s.blocked && s.blocked.missing.join('\n') === missing.join('\n')) return;
    const notices = (s.blocked?.notices ?? 0) + 1;
    s.blocked = { missing, since: s.blocked?.since ?? nowIso(), notices };
    await flush();
    const blocked = { leadId: s.leadId, missingFields: missing, blockedBy, at: nowIso(), attempt: notices - 1 };
    await notify('blocked lead', () => notifications.notifyBlocked(blocked));
  }

  /** The permanent record of the close: a later event for this lead is applied to it, never to a new lead. */
  function noteClosed(reopenable: boolean): void {
    note('lead.closed', nextKey('closed'), { data: closedRow(s, reopenable) });
  }

  // The first event of a fresh run, while it may still belong to a closed record whose workflow completed.
  let inbox0: LeadEvent | undefined;

  /** The event is the closed record's, or re-opens it where the rules said it may. True when the run stays closed. */
  function revive(first: LeadEvent, closed: ClosedRecord): boolean {
    keyBase = `${wfId}:revived:${first.key}`;
    if (restoreClosed(s, closed, first) === 'closed') return true;
    note('lead.reopened', nextKey('reopened'), { data: { closedAt: closed.closedAt, closedStatus: closed.status, reason: closed.reason, eventId: first.id } });
    s.owner = null;
    return false;
  }

  /**
   * The create or update that opened a fresh run belongs to a closed record: undo what the fresh state took from
   * it, then go on as for any first event (stay closed with the event still to record, or re-open and apply it).
   */
  async function reviveFrom(e: LeadEvent, closed: ClosedRecord): Promise<'closed' | void> {
    forgetKey(s, e.key);
    s.leadUpdatedAt = null;
    inbox0 = undefined;
    if (revive(e, closed)) {
      inbox.unshift(e);
      return 'closed';
    }
    return handle(e);
  }

  async function handle(e: LeadEvent): Promise<'closed' | void> {
    if (hasSeen(s, e.key)) {
      ignore(s, e, 'duplicate delivery (same source and id)', nowIso());
      return;
    }
    rememberKey(s, e.key, LEAD_LIMITS.seen);
    if (s.status === 'new' && e.type !== 'lead.created' && e.type !== 'lead.updated' && e.type !== 'lead.imported') {
      // Webhooks race: a touch can arrive before the create. Keep it and apply it once the lead exists; past the
      // limit, what cannot be kept is recorded, not dropped.
      if (s.early.length >= LEAD_LIMITS.early) return skip(e, `the lead does not exist yet and ${LEAD_LIMITS.early} earlier events are already waiting for it`);
      pushBounded(s.early, e, LEAD_LIMITS.early);
      return;
    }
    if (e.type === 'lead.sla_paused') {
      if (s.hold) return skip(e, `the lead is held in ${s.hold.queue}: no clock runs until someone is assigned`);
      return applyOr(e, pauseClock(s.sla, nowIso(), String(e.data.reason), typeof e.data.until === 'string' ? e.data.until : null));
    }
    if (e.type === 'lead.sla_resumed') return resumeSla('event', e);
    switch (e.type) {
      case 'lead.created':
      case 'lead.updated': {
        if (!mergeLead(s, e)) {
          skip(e, `stale update: older than the last applied one (${s.leadUpdatedAt})`);
          return;
        }
        if (['new', 'nurture', 'blocked-data'].includes(s.status)) {
          // The closed-record lookup of a fresh run rides on the decision step: one local activity, not two.
          const closed = await attract(e === inbox0);
          if (closed) return reviveFrom(e, closed);
          await replayEarly();
        }
        return;
      }
      case 'lead.imported':
        return importLead(e);
      case 'lead.touched':
        return touched(e);
      case 'meeting.booked': {
        if (s.stage !== 'Engage') return skip(e, `no meeting expected while ${s.status}`);
        if (!s.firstMeetingAt) {
          s.firstMeetingAt = e.time;
          s.timeToFirstMeetingMs = Date.parse(e.time) - Date.parse(s.handoffAt!);
          note('meeting.booked', `${keyBase}:meeting:${e.key}`, { data: { timeToFirstMeetingMs: s.timeToFirstMeetingMs, ...e.data } });
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
        note('deal.created', `${keyBase}:deal:${id}:created`, {
          amount: Number(e.data.amount),
          currency: e.data.currency as string | undefined,
          data: { opportunityId: id, source: leadSource(s), tier: s.tier },
        });
        return;
      }
      case 'opportunity.won': {
        if (s.stage !== 'Engage') return skip(e, `cannot win while ${s.status}`);
        const id = String(e.data.opportunityId);
        const arr = Number(e.data.arr);
        note('deal.won', `${keyBase}:deal:${id}:won`, {
          amount: Number(e.data.amount ?? arr),
          accountId: String(e.data.accountId),
          arrDelta: arr,
          currency: e.data.currency as string | undefined,
          data: { opportunityId: id, domain: s.lead.domain ?? null, tier: s.tier, source: leadSource(s) },
        });
        setStage('Delight', 'won');
        noteClosed(false);
        // The win's rows, the hand-off to customer success and the rep's release: one step.
        const at = nowIso();
        const handoffReq = {
          leadId: s.leadId,
          accountId: String(e.data.accountId),
          owner: s.owner,
          arr,
          opportunityId: id,
          context: (e.data.handoff as Record<string, unknown>) ?? {},
          lead: s.lead,
          tier: s.tier,
          at,
        };
        await local.winLead({ rows: ledger.splice(0), handoff: handoffReq, release: { leadId: s.leadId, reason: 'won', at } });
        return;
      }
      case 'opportunity.lost': {
        if (s.stage !== 'Engage') return skip(e, `cannot lose while ${s.status}`);
        note('deal.lost', `${keyBase}:deal:${String(e.data.opportunityId ?? 'none')}:lost`, { data: { reason: e.data.reason } });
        const cooldown = await local.recycleCooldown({ leadId: s.leadId, lead: s.lead, tier: s.tier, reason: String(e.data.reason), amount: s.opportunity?.amount ?? null, at: nowIso() });
        recordDecisions(s, [cooldown.decision]);
        await local.releaseAssignment({ leadId: s.leadId, reason: 'lost', at: nowIso() });
        s.closedReason = String(e.data.reason);
        s.recycleAt = new Date(Date.now() + cooldown.cooldownMs).toISOString();
        s.sla = null;
        setStage('Attract', 'lost');
        return;
      }
    }
  }

  /**
   * An open lead taken over from the CRM or a file (./importLead.ts decides): an Engage lead keeps its owner
   * without routing, its clock started from the recorded hand-off only when the import asks; an Attract lead
   * waits in nurture for its next update; `route: true` is a lead.created. A lead that already exists is not touched.
   */
  async function importLead(e: LeadEvent): Promise<'closed' | void> {
    const { facts, meta } = splitImport(e.data);
    const plan = planImport(s, meta);
    if (plan.kind === 'ignore') return skip(e, plan.reason);
    const at = nowIso();
    markImported(s, e, facts, meta, at);
    if (plan.kind === 'keep-owner') {
      const row = importedRow(meta, plan, e, leadSource(s), at);
      const kept = await local.importAssignment({ leadId: s.leadId, owner: plan.owner, assignedAt: meta.handoffAt ?? at, at, row });
      if (kept.owner) {
        keepOwner(s, { owner: kept.owner, queue: kept.queue }, plan.status, meta.handoffAt ?? at);
        if (plan.slaFrom) {
          const clock = await local.startSlaClock({
            leadId: s.leadId,
            lead: s.lead,
            tier: s.tier,
            owner: s.owner,
            pool: null,
            queue: s.queue ?? kept.owner,
            clock: s.assignments - 1,
            startedAt: plan.slaFrom,
          });
          recordDecisions(s, [clock.decision]);
          // A clock whose warning or deadline is already past is handled by the clock timer at once.
          s.sla = { ...clock, status: 'running' };
        }
        return replayEarly();
      }
    }
    // An owner the configuration does not know cannot keep the lead: it is routed like an Engage lead without one.
    const routed = plan.kind === 'keep-owner' ? ({ kind: 'assign' } as const) : plan;
    note('lead.imported', `${keyBase}:imported`, { data: { ...importedRow(meta, routed, e, leadSource(s), at), ...(plan.kind === 'keep-owner' ? { unknownOwner: plan.owner } : {}) } });
    if (routed.kind === 'route') await attract();
    else if (routed.kind === 'nurture') {
      s.stage = 'Attract';
      s.status = 'nurture';
    } else {
      s.handoffAt = meta.handoffAt;
      await handoff({ leadId: s.leadId, lead: s.lead, tier: s.tier, at: nowIso(), exclude: [], attempt: s.assignments, reason: 'handoff' });
    }
    await replayEarly();
  }

  function skip(e: LeadEvent, reason: string): void {
    const item = ignore(s, e, reason, nowIso());
    note('event.ignored', nextKey('ignored'), { data: { ...item, key: e.key } });
  }

  function meetSlaIfOwner(e: LeadEvent, by: string): boolean {
    const rows = meetFirstTouch(s, e, by);
    for (const fx of rows ?? []) noteClock(fx.type, fx.event, fx.data);
    return rows !== null;
  }

  async function touched(e: LeadEvent): Promise<void> {
    const by = String(e.data.by);
    if (s.stage !== 'Engage') return skip(e, `touch while ${s.status}: the lead is not with sales`);
    if (s.hold) return skip(e, `touch by ${by} while the lead is held in ${s.hold.queue}: nobody owns it yet`);
    if (s.sla && Date.parse(e.time) < Date.parse(s.sla.startedAt)) return skip(e, 'touch happened before the current hand-off');
    if (s.pool && !s.owner && (await local.claimFromPool({ leadId: s.leadId, rep: by, pool: s.pool })).claimed) {
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
    for (const e of takeEarly(s)) {
      // Kept early means remembered but never applied: forget it so handle() applies it now.
      forgetKey(s, e.key);
      await handle(e);
    }
  }

  /**
   * The first event of a fresh run may belong to a closed record whose workflow completed. A create or update
   * asks on its decision step; any other first event asks here. True when the run stays closed.
   */
  async function closedFirst(first: LeadEvent): Promise<boolean> {
    inbox0 = first;
    if (first.type === 'lead.created' || first.type === 'lead.updated') return false;
    const closed = await local.findClosedRecord({ entity: 'lead', id: s.leadId });
    return closed !== null && revive(first, closed);
  }

  const wake = () => inbox.length > 0 || (routeWanted && s.status === 'held') || ledger.length > 0;
  // Only a fresh run can be a closed record's revival; a continued run carries its state.
  let closedChecked = input.carried !== undefined;
  let revived = false;
  for (;;) {
    if (s.status === 'won' || s.status === 'disqualified') break;
    const timer = leadTimer(s);
    const hasEvent = timer ? await condition(wake, Math.max(1, timer.at - Date.now()), { summary: timer.summary }) : (await condition(wake), true);
    if (hasEvent && inbox.length > 0 && !closedChecked) {
      closedChecked = true;
      if ((revived = await closedFirst(inbox[0]!))) break;
    }
    let current: LeadEvent | undefined;
    try {
      if (inbox.length > 0) {
        if ((await handle((current = inbox.shift()!))) === 'closed') {
          revived = true;
          break;
        }
      } else if (routeWanted && s.status === 'held') {
        routeWanted = false;
        await reroute();
      } else if (hasEvent) {
        // Woken by a notification that gave up: its dead-letter row is flushed below.
      } else if (s.status === 'held') await onHoldTimer();
      else if (s.status === 'lost') {
        resetForRecycling(s);
        setStage('Attract', 'nurture');
        await attract();
      } else await onSlaTimer();
    } catch (err) {
      const cause = finalCause(err);
      if (!cause) throw err;
      failed(cause, current);
    } finally {
      inbox0 = undefined;
    }
    await flush();
    if (workflowInfo().historyLength > (input.historyBudget ?? HISTORY_BUDGET)) {
      await condition(allHandlersFinished);
      // Notifications still under way finish in this run (a dead letter is written here too), none is lost.
      await settle();
      await flush();
      // Events that arrived while handlers finished are still in the inbox: carry them, none is lost.
      await continueAsNew<typeof leadLifecycleV2>({ leadId: s.leadId, historyBudget: input.historyBudget, carried: { ...s, runs: s.runs + 1, early: [...s.early] }, pending: inbox.splice(0) });
    }
  }
  await settle();
  await flush();
  // A closed lead stays open for a while so late CRM events are recorded as ignored instead of starting a new,
  // empty lead under the same id.
  const until = Date.now() + (revived ? REVIVED_GRACE_MS : (input.closedGraceMs ?? CLOSED_GRACE_MS));
  const since = s.closedAt ? ` since ${s.closedAt}` : '';
  while (await condition(() => inbox.length > 0, Math.max(1, until - Date.now()), { summary: 'late events after close' })) {
    const e = inbox.shift()!;
    if (hasSeen(s, e.key)) ignore(s, e, 'duplicate delivery (same source and id)', nowIso());
    else {
      rememberKey(s, e.key, LEAD_LIMITS.seen);
      skip(e, `the lead is closed (${s.status}${since})`);
    }
    await flush();
  }
  return { leadId: s.leadId, status: s.status, reason: s.closedReason, owner: s.owner };
}
