import { allHandlersFinished, condition, continueAsNew, patched, proxyActivities, proxyLocalActivities, setHandler, upsertSearchAttributes, workflowInfo } from '@temporalio/workflow';
import type { FlywheelActivities } from '../../activities/index.ts';
import type { LedgerEvent } from '../../src/ledger/types.ts';
import { SA } from '../../src/temporal/searchAttributes.ts';
import { clockKey, type ClockRowEvent } from '../../src/sla/clockKeys.ts';
import { cancelClock, clockTimer, clockTimerSummary, meetClock, onClockDue, pauseClock, resumeClock, type ClockEffect } from '../../src/sla/clockMachine.ts';
import { accountEventSignal, accountStateQuery } from '../definitions.ts';
import { ignore, pushBounded } from '../shared/records.ts';
import { forgetKey, hasSeen } from '../shared/seen.ts';
import type { FlywheelStage } from '../lead/types.ts';
import { cents } from '../../src/numbers.ts';
import {
  ACCOUNT_LIMITS,
  CHURN_GRACE_MS,
  initialAccountState,
  ONBOARDING_MS,
  playbookDueMs,
  recordAccountDecisions,
  rememberAccountEvent,
  snapshotOf,
  contractDate,
  mergeHandoff,
  startCustomer,
  startImportedCustomer,
  importedAccountRow,
  importRefusal,
} from './state.ts';
import type { ClosedRecord } from '../shared/closed.ts';
import { closedRow, restoreClosed } from './closedRecord.ts';
import { recordFailures } from '../shared/failures.ts';
import type { AccountEvent, AccountState, AccountWorkflowInput, HandoffPayload, ImportedAccountData, KickoffClock } from './types.ts';

const acts = proxyActivities<FlywheelActivities>({
  startToCloseTimeout: '30 seconds',
  retry: { initialInterval: '1 second', maximumInterval: '1 minute' },
});
// Notifications: bounded (about ten minutes of retries), then a dead-letter row; the account never waits on them.
const notifications = proxyActivities<FlywheelActivities>({
  startToCloseTimeout: '30 seconds',
  retry: { initialInterval: '1 second', maximumInterval: '1 minute', maximumAttempts: 12 },
});
const local = proxyLocalActivities<FlywheelActivities>({ startToCloseTimeout: '10 seconds', retry: { maximumInterval: '30 seconds' } });

/** Continue-as-new well before Temporal's limits: a customer lives for years. */
const HISTORY_BUDGET = 2_000;
const BAND_RANK = { green: 0, yellow: 1, red: 2 } as const;
/** A closed account revived by a late event records it (or is won back), then completes again. */
const REVIVED_GRACE_MS = 3_600_000;

export interface AccountOutcome {
  accountId: string;
  status: AccountState['status'];
  arr: number;
  churnReason: string | null;
}

/**
 * One customer for as long as it is a customer (Delight): the sales -> CS hand-off (required context, CS owner,
 * kickoff SLA on business hours, first-30-days owner), health scored by the rules with playbooks on a worse band,
 * renewal reminders before the contract end, ARR changes into the ledger, and referrals back into Attract.
 * Driven by CRM events and Flywheel's own hand-off news on one signal, and by its own timers.
 */
export async function accountLifecycle(input: AccountWorkflowInput): Promise<AccountOutcome> {
  const s: AccountState = input.carried ?? initialAccountState(input.accountId);
  const inbox: AccountEvent[] = [...(input.pending ?? [])];
  const ledger: LedgerEvent[] = [];
  setHandler(accountEventSignal, (e) => void inbox.push(e));
  setHandler(accountStateQuery, () => s);
  // Versioned once per run: runs recorded before this awaited every notification in line.
  const sideEffectsBeside = patched('side-effects-beside-the-record');

  const nowIso = () => new Date().toISOString();
  const wfId = workflowInfo().workflowId;
  // A revived closed account keys its rows by the event that revived it (see the lead workflow).
  let keyBase = wfId;
  const note = (type: LedgerEvent['type'], key: string, extra: Partial<LedgerEvent> = {}) =>
    ledger.push({ key: `${keyBase}:${key}`, type, occurredAt: nowIso(), accountId: s.accountId, workflowId: wfId, owner: s.csOwner ?? undefined, stage: s.stage, ...extra });
  const snapshot = () => snapshotOf(s);
  /** A kickoff clock row under the one key builder. */
  const noteClock = (type: LedgerEvent['type'], event: ClockRowEvent, data: Record<string, unknown>) =>
    ledger.push({
      key: clockKey('account', s.accountId, s.clocks - 1, event),
      type,
      occurredAt: nowIso(),
      accountId: s.accountId,
      workflowId: wfId,
      owner: s.csOwner ?? undefined,
      stage: s.stage,
      data,
    });

  const { notify, failed, finalCause, settle } = recordFailures({
    entity: 'account',
    workflowId: wfId,
    beside: sideEffectsBeside,
    note: (type, data) => note(type, `${s.seq++}:${type === 'notification.failed' ? 'notification-failed' : 'failed'}`, { data }),
    remember: (f) => pushBounded((s.failures ??= []), f, ACCOUNT_LIMITS.failures),
    now: nowIso,
  });

  const publish = () =>
    upsertSearchAttributes([
      { key: SA.FlywheelStage, value: s.stage },
      { key: SA.CsOwner, value: s.csOwner ?? s.csQueue ?? 'unassigned' },
      { key: SA.HealthStatus, value: s.health?.band ?? 'unknown' },
      { key: SA.RenewalDate, value: s.renewal ? new Date(s.renewal.dueAt) : null },
      { key: SA.Arr, value: s.arr },
      { key: SA.SlaStatus, value: s.kickoff?.status ?? 'none' },
      { key: SA.RulesRevision, value: s.rulesRevision ?? 'none' },
    ]);

  const setStage = (stage: FlywheelStage, status: AccountState['status']) => {
    if (stage !== s.stage || status !== s.status) note('stage.changed', `${s.seq++}:stage:${stage}:${status}`, { stage, data: { status, from: s.status } });
    s.stage = stage;
    s.status = status;
  };

  const flush = async () => {
    publish();
    if (ledger.length === 0) return;
    await acts.recordLedgerEvents(ledger.splice(0, ledger.length));
  };

  function skip(e: AccountEvent, reason: string): void {
    const item = ignore(s, e, reason, nowIso());
    note('event.ignored', `${s.seq++}:ignored`, { data: { ...item, key: e.key } });
  }

  /** A changed ARR goes to the ledger with the CRM's time of the change, so NRR periods match the contract. */
  function changeArr(e: AccountEvent, kind: 'renewal' | 'expansion' | 'contraction' | 'churn', delta: number): void {
    const before = s.arr;
    s.arr = cents(Math.max(0, before + delta));
    note('arr.changed', `arr:${e.key}`, { occurredAt: e.time, arrDelta: cents(s.arr - before), currency: s.currency ?? undefined, data: { kind, arrBefore: before, arrAfter: s.arr, eventId: e.id } });
  }

  /** Plans the current contract's reminders; a re-plan of the same contract keeps what was already sent. */
  async function planRenewal(): Promise<void> {
    if (!s.contract.end) {
      s.renewal = null;
      return;
    }
    const plan = await acts.planRenewal({ account: snapshot(), contractEnd: s.contract.end, health: s.health?.report ?? null, at: nowIso() });
    recordAccountDecisions(s, [plan.decision]);
    const { decision: _d, ...rest } = plan;
    const same = s.renewal?.contractEnd === plan.contractEnd ? s.renewal : null;
    s.renewal = { ...rest, sent: same ? same.sent.filter((o) => rest.reminders.some((r) => r.offset === o)) : [], overdue: same?.overdue ?? false };
  }

  async function startKickoff(): Promise<void> {
    const { clock, decision } = await acts.startKickoffClock({ account: snapshot(), owner: s.csOwner, queue: s.csQueue, clock: s.clocks, startedAt: nowIso() });
    s.clocks++;
    recordAccountDecisions(s, [decision]);
    s.kickoff = clock;
  }

  async function assignCs(reason: 'handoff' | 'kickoff-breach' | 'overflow' | 'import', overflowFrom?: string): Promise<void> {
    const a = await acts.assignCsOwner({ account: snapshot(), at: nowIso(), exclude: [...s.breachedCsms], attempt: s.clocks, overflowFrom, reason });
    recordAccountDecisions(s, [a.decision]);
    s.csOwner = a.owner;
    s.csQueue = a.queue;
  }

  async function onboard(e: AccountEvent, h: HandoffPayload): Promise<void> {
    const first = s.status === 'awaiting-handoff' || s.status === 'churned';
    mergeHandoff(s, h);
    const check = await acts.checkHandoff({ account: snapshot(), handoff: h, at: nowIso() });
    recordAccountDecisions(s, [check.decision]);
    pushBounded(s.handoffs, { opportunityId: h.opportunityId, leadId: h.leadId, at: e.time, arr: h.arr, missing: check.missing }, ACCOUNT_LIMITS.handoffs);
    if (!first) return;
    // A new customer (or one won back): contract, CS owner, kickoff clock, onboarding owner and renewal plan.
    startCustomer(s, e.time, h);
    await assignCs('handoff');
    s.onboarding = { owner: s.csOwner, until: new Date(Date.now() + ONBOARDING_MS).toISOString(), completed: false };
    setStage('Delight', 'onboarding');
    await startKickoff();
    await planRenewal();
    await flush();
    await replayEarly();
  }

  /**
   * An existing customer in its real state (issue 14): the CS owner as the import names it (routed by the cs-routing
   * rules only when it names none, or none we know), ARR as opening ARR, contract, health, and renewal reminders
   * from the real contract end. The hand-off is marked imported: no hand-off check, kickoff clock or onboarding.
   */
  async function importCustomer(e: AccountEvent, d: ImportedAccountData): Promise<void> {
    if (s.status !== 'awaiting-handoff') return skip(e, importRefusal(s));
    startImportedCustomer(s, e, d);
    const r = await acts.importAccount({ account: snapshot(), csOwner: d.csOwner ?? null, health: d.health ?? null, at: nowIso() });
    if (r.owner !== null) {
      s.csOwner = r.owner;
      s.csQueue = r.queue;
    } else await assignCs('import');
    if (r.health !== null) {
      const { score, band, scoreGiven } = r.health;
      s.health = { score, band, signals: [], at: e.time, playbook: null };
      note('health.scored', `health:${e.key}`, { occurredAt: e.time, data: { score, band, previous: null, signals: [], imported: true, scoreGiven } });
    }
    note('account.imported', 'imported', importedAccountRow(s, e, r.ownerRefused));
    await planRenewal();
    // Active once everything above is in place, so a reader never sees an imported account half-started.
    setStage('Delight', 'active');
    await flush();
    await replayEarly();
  }

  /** Carries out what the clock machine decided, in order: rows, then the escalation, then the move. */
  async function apply(effects: ClockEffect[]): Promise<void> {
    for (const fx of effects) {
      const k = s.kickoff!;
      if (fx.kind === 'row') noteClock(fx.type, fx.event, fx.data);
      else if (fx.kind === 'escalate') {
        if (fx.breacher) s.breachedCsms.push(fx.breacher);
        await flush();
        const esc = {
          accountId: s.accountId,
          type: 'sla.escalated' as const,
          key: clockKey('account', s.accountId, s.clocks - 1, 'escalated'),
          notify: k.escalation.notify,
          owner: fx.breacher,
          at: nowIso(),
          data: { handoff: 'sales-to-cs', rule: k.rule, deadline: k.deadline },
        };
        await notify('kickoff escalation', () => notifications.notifyAccount(esc));
      } else {
        s.reassignments++;
        const from = fx.kind === 'overflow' ? (fx.then === 'overflow' ? (s.csQueue ?? undefined) : fx.then) : undefined;
        await assignCs(fx.kind === 'reassign' ? 'kickoff-breach' : 'overflow', from);
        if (s.onboarding && !s.onboarding.completed) s.onboarding.owner = s.csOwner;
        await startKickoff();
      }
    }
  }

  /** The kickoff clock, with the hand-off name that clocks started before it was stored on them lack. */
  function kickoffClock(): KickoffClock | null {
    if (s.kickoff) s.kickoff.handoff ??= 'sales-to-cs';
    return s.kickoff;
  }

  async function resumeKickoff(by: 'event' | 'until', e?: AccountEvent): Promise<void> {
    const k = kickoffClock();
    if (!k || k.status !== 'paused' || !k.paused) return e ? skip(e, 'the kickoff clock is not paused') : undefined;
    const at = nowIso();
    const shift = await acts.resumeClock({ clock: k, pausedAt: k.paused.at, resumedAt: at });
    const r = resumeClock(k, at, shift, by);
    if ('refused' in r) return e ? skip(e, r.refused) : undefined;
    await apply(r);
  }

  async function onTimer(now: number): Promise<void> {
    if (s.status === 'churned') return;
    const k = kickoffClock();
    const due = clockTimer(k);
    if (k && due && now >= due.at) await (due.kind === 'resume' ? resumeKickoff('until') : apply(onClockDue(k, now, s.csOwner, s.reassignments)));
    const ob = s.onboarding;
    if (ob && !ob.completed && now >= Date.parse(ob.until)) {
      ob.completed = true;
      note('onboarding.completed', `onboarding:${s.wonAt}`, { owner: ob.owner ?? undefined, data: { kickoffHeldAt: s.kickoffHeldAt } });
      setStage('Delight', 'active');
    }
    const r = s.renewal;
    if (!r) return;
    for (const reminder of r.reminders) {
      if (r.sent.includes(reminder.offset) || now < Date.parse(reminder.at)) continue;
      r.sent.push(reminder.offset);
      await flush();
      const reminderFor = {
        accountId: s.accountId,
        type: 'renewal.reminder' as const,
        key: `${wfId}:renewal:${r.contractEnd}:${reminder.offset}`,
        notify: r.notify,
        owner: s.csOwner,
        at: nowIso(),
        data: { contractEnd: r.contractEnd, offset: reminder.offset, scheduledFor: reminder.at, arr: s.arr, rule: r.rule },
      };
      await notify('renewal reminder', () => notifications.notifyAccount(reminderFor));
    }
    if (!r.overdue && now >= Date.parse(r.dueAt)) {
      r.overdue = true;
      await flush();
      const overdue = {
        accountId: s.accountId,
        type: 'renewal.overdue' as const,
        key: `${wfId}:renewal:${r.contractEnd}:overdue`,
        notify: r.notify,
        owner: s.csOwner,
        at: nowIso(),
        data: { contractEnd: r.contractEnd, arr: s.arr },
      };
      await notify('renewal overdue', () => notifications.notifyAccount(overdue));
    }
  }

  function nextTimer(): { at: number; summary: string } | null {
    const due: { at: number; summary: string }[] = [];
    if (s.status === 'churned') return s.closesAt ? { at: Date.parse(s.closesAt), summary: 'close after churn' } : null;
    const k = clockTimer(s.kickoff);
    if (k) due.push({ at: k.at, summary: clockTimerSummary(k.kind, 'kickoff SLA', s.csOwner ?? s.csQueue) });
    if (s.onboarding && !s.onboarding.completed) due.push({ at: Date.parse(s.onboarding.until), summary: `first 30 days with ${s.onboarding.owner ?? 'unassigned'} end` });
    const r = s.renewal;
    const next = r?.reminders.find((x) => !r.sent.includes(x.offset));
    if (next) due.push({ at: Date.parse(next.at), summary: `renewal reminder ${next.offset} before ${r!.contractEnd}` });
    if (r && !r.overdue) due.push({ at: Date.parse(r.dueAt), summary: `contract ends ${r.contractEnd}` });
    return due.sort((a, b) => a.at - b.at)[0] ?? null;
  }

  async function handle(e: AccountEvent): Promise<void> {
    if (hasSeen(s, e.key)) {
      ignore(s, e, 'duplicate delivery (same source and id)', nowIso());
      return;
    }
    rememberAccountEvent(s, e);
    // Versioned: an import starts the account like a hand-off (histories recorded before it have no such event).
    const startsAccount = e.type === 'handoff.received' || e.type === 'referral.won' || (e.type === 'account.imported' && patched('account-imported'));
    if (s.status === 'awaiting-handoff' && !startsAccount) {
      // The CRM can report on a customer before the won deal's hand-off reached us: keep it until the account exists.
      // Past the limit, what cannot be kept is recorded, not dropped.
      if (s.early.length >= ACCOUNT_LIMITS.early && sideEffectsBeside) return skip(e, `the account has no hand-off yet and ${ACCOUNT_LIMITS.early} earlier events are already waiting for it`);
      pushBounded(s.early, e, ACCOUNT_LIMITS.early);
      return;
    }
    const d = e.data;
    switch (e.type) {
      case 'handoff.received':
        return onboard(e, d as unknown as HandoffPayload);
      case 'account.imported':
        return importCustomer(e, d as unknown as ImportedAccountData);
      case 'account.kickoff_held': {
        if (s.kickoffHeldAt) return skip(e, `kickoff already held at ${s.kickoffHeldAt}`);
        s.kickoffHeldAt = e.time;
        const k = kickoffClock();
        // With no clock (none started, or already met or breached) the kickoff is on record without an SLA row.
        const met = k ? meetClock(k, e.time, { timeToKickoffMs: Date.parse(e.time) - Date.parse(s.wonAt ?? k.startedAt) }, false) : [];
        if (!('refused' in met)) await apply(met);
        return;
      }
      case 'account.kickoff_paused': {
        const r = pauseClock(kickoffClock(), nowIso(), String(d.reason), typeof d.until === 'string' ? d.until : null);
        return 'refused' in r ? skip(e, r.refused) : apply(r);
      }
      case 'account.kickoff_resumed':
        return resumeKickoff('event', e);
      case 'account.health_reported': {
        // A churned customer gets no health score or save playbook; the report is on its closed record.
        // Versioned: histories recorded before this scored it.
        if (s.status === 'churned' && patched('churned-account-ignores-health')) return skip(e, 'the account churned');
        const h = await acts.scoreHealth({ account: snapshot(), report: d, at: nowIso() });
        recordAccountDecisions(s, [h.decision]);
        const before = s.health?.band ?? null;
        const worse = before === null ? h.band !== 'green' : BAND_RANK[h.band] > BAND_RANK[before];
        s.health = { score: h.score, band: h.band, signals: h.signals, at: e.time, playbook: worse && h.playbook ? h.playbook.id : (s.health?.playbook ?? null), report: d };
        note('health.scored', `health:${e.key}`, { occurredAt: e.time, rulesRevision: h.decision.revision, data: { score: h.score, band: h.band, previous: before, signals: h.signals } });
        if (worse && h.playbook) {
          await flush();
          const playbook = {
            accountId: s.accountId,
            type: 'playbook.started' as const,
            key: `${wfId}:playbook:${e.key}`,
            notify: h.playbook.notify,
            owner: s.csOwner,
            at: nowIso(),
            rulesRevision: h.decision.revision,
            data: {
              playbook: h.playbook.id,
              description: h.playbook.description ?? null,
              band: h.band,
              previous: before,
              score: h.score,
              dueBy: new Date(Date.now() + playbookDueMs(h.playbook.within)).toISOString(),
            },
          };
          await notify('playbook started', () => notifications.notifyAccount(playbook));
        }
        // The renewal rules read health (an at-risk customer gets earlier and more reminders): re-plan on a new band.
        // Versioned: accounts recorded before this kept their plan until the next contract.
        if (h.band !== before && s.renewal && !s.renewal.overdue && patched('renewal-replan-on-health')) await planRenewal();
        return;
      }
      case 'account.renewed': {
        if (s.status === 'churned') return skip(e, 'the account churned; a renewal needs a new won deal');
        changeArr(e, 'renewal', Number(d.arr) - s.arr);
        s.contract = { start: contractDate(d.contractStart) ?? s.contract.end ?? e.time.slice(0, 10), end: contractDate(d.contractEnd) };
        return planRenewal();
      }
      case 'account.expanded':
        if (s.status === 'churned') return skip(e, 'the account churned');
        return changeArr(e, 'expansion', Number(d.amount));
      case 'account.contracted':
        if (s.status === 'churned') return skip(e, 'the account churned');
        return changeArr(e, 'contraction', -Math.min(Number(d.amount), s.arr));
      case 'account.churned': {
        if (s.status === 'churned') return skip(e, `already churned at ${s.churn?.at}`);
        changeArr(e, 'churn', -s.arr);
        s.churn = { at: e.time, reason: String(d.reason) };
        // Close the open clock on record, so nothing counting running clocks has to know about churn.
        await apply(cancelClock(kickoffClock(), 'churned'));
        s.renewal = null;
        s.closesAt = new Date(Date.now() + (input.closedGraceMs ?? CHURN_GRACE_MS)).toISOString();
        setStage('Closed', 'churned');
        await flush();
        await acts.releaseCsOwner({ accountId: s.accountId, reason: 'churned', at: nowIso() });
        return;
      }
      case 'referral.submitted': {
        const { leadId } = await acts.startReferralLead({ accountId: s.accountId, event: e });
        const company = (d.company as { name?: unknown } | undefined)?.name;
        pushBounded(
          s.referrals,
          { leadId, eventId: e.id, submittedAt: e.time, company: typeof company === 'string' ? company : null, status: 'submitted', arr: null, wonAt: null },
          ACCOUNT_LIMITS.referrals,
        );
        return;
      }
      case 'referral.won': {
        const leadId = String(d.leadId);
        const arr = Number(d.arr);
        const r = s.referrals.find((x) => x.leadId === leadId);
        if (r) Object.assign(r, { status: 'won', arr, wonAt: e.time });
        else pushBounded(s.referrals, { leadId, eventId: e.id, submittedAt: e.time, company: null, status: 'won', arr, wonAt: e.time }, ACCOUNT_LIMITS.referrals);
        s.referredArr = cents(s.referredArr + arr);
        return;
      }
    }
  }

  /**
   * The first event of a fresh run: was this account a customer whose workflow already closed (churned, past its
   * grace)? Then the event is applied to that closed record, which a new won deal brings back, instead of waiting
   * for a hand-off as a new account.
   */
  async function reviveIfClosed(first: AccountEvent): Promise<void> {
    const closed: ClosedRecord | null = await local.findClosedRecord({ entity: 'account', id: s.accountId });
    if (!closed) return;
    keyBase = `${wfId}:revived:${first.key}`;
    restoreClosed(s, closed, new Date(Date.now() + REVIVED_GRACE_MS).toISOString());
  }

  /** The permanent record of the close: a later event for this account is applied to it, never to a new account. */
  function noteClosed(): void {
    note('account.closed', `${s.seq++}:closed`, { data: closedRow(s) });
  }

  async function replayEarly(): Promise<void> {
    const early = s.early.splice(0).sort((a, b) => Date.parse(a.time) - Date.parse(b.time));
    for (const e of early) {
      forgetKey(s, e.key);
      await handle(e);
    }
  }

  // Only a fresh run can be a closed record's revival; a continued run carries its state.
  let closedChecked = input.carried !== undefined;
  publish();
  for (;;) {
    if (s.status === 'churned' && s.closesAt && Date.now() >= Date.parse(s.closesAt) && inbox.length === 0) break;
    const timer = nextTimer();
    const wake = () => inbox.length > 0 || ledger.length > 0;
    const hasEvent = timer ? await condition(wake, Math.max(1, timer.at - Date.now()), { summary: timer.summary }) : (await condition(wake), true);
    if (hasEvent && inbox.length > 0 && !closedChecked) {
      closedChecked = true;
      // Versioned: histories recorded before closed records existed started every run as a new account.
      if (patched('closed-record-revival')) await reviveIfClosed(inbox[0]!);
    }
    let current: AccountEvent | undefined;
    try {
      if (inbox.length > 0) await handle((current = inbox.shift()!));
      // Woken by a notification that gave up (and nothing else): its dead-letter row is flushed below.
      else if (!hasEvent) await onTimer(Date.now());
    } catch (err) {
      const cause = finalCause(err);
      if (!cause) throw err;
      failed(cause, current);
    }
    await flush();
    if (workflowInfo().historyLength > (input.historyBudget ?? HISTORY_BUDGET)) {
      await condition(allHandlersFinished);
      await settle();
      await flush();
      // Signals that arrived meanwhile are still in the inbox: carry them into the next run, none is lost.
      await continueAsNew<typeof accountLifecycle>({ ...input, carried: { ...s, runs: s.runs + 1, early: [...s.early] }, pending: inbox.splice(0) });
    }
  }
  await settle();
  // Versioned: runs recorded before closed records existed completed without this row.
  if (patched('account-closed-record')) noteClosed();
  await flush();
  return { accountId: s.accountId, status: s.status, arr: s.arr, churnReason: s.churn?.reason ?? null };
}
