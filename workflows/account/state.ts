import { durationMs, MS_PER_DAY, parseDuration } from '../../src/rules/durations.ts';
import { recordDecisions } from '../shared/records.ts';
import { rememberKey } from '../shared/seen.ts';
import type { DecisionRecord } from '../lead/types.ts';
import { cents } from '../../src/numbers.ts';
import type { AccountEvent, AccountSnapshot, AccountState, HandoffPayload, ImportedAccountData } from './types.ts';

/** Bounds that keep a years-long account's state (and so each continue-as-new payload) small. */
export const ACCOUNT_LIMITS = { seen: 200, decisions: 40, ignored: 40, early: 50, handoffs: 20, referrals: 50, failures: 20 } as const;

export function initialAccountState(accountId: string): AccountState {
  return {
    accountId,
    stage: 'Delight',
    status: 'awaiting-handoff',
    name: null,
    domain: null,
    region: null,
    tier: null,
    arr: 0,
    currency: null,
    salesOwner: null,
    csOwner: null,
    csQueue: null,
    onboarding: null,
    wonAt: null,
    handoffs: [],
    context: {},
    kickoff: null,
    kickoffHeldAt: null,
    breachedCsms: [],
    reassignments: 0,
    clocks: 0,
    contract: { start: null, end: null },
    renewal: null,
    health: null,
    referrals: [],
    referredArr: 0,
    churn: null,
    closesAt: null,
    seq: 0,
    rulesRevision: null,
    decisions: [],
    ignored: [],
    seen: [],
    early: [],
    runs: 1,
  };
}

export function rememberAccountEvent(s: AccountState, e: AccountEvent): void {
  rememberKey(s, e.key, ACCOUNT_LIMITS.seen);
}

export function recordAccountDecisions(s: AccountState, ds: DecisionRecord[]): void {
  recordDecisions(s, ds, ACCOUNT_LIMITS.decisions);
}

export const ONBOARDING_MS = 30 * MS_PER_DAY;
export const CHURN_GRACE_MS = 30 * MS_PER_DAY;

/** A playbook's `within` as wall-clock time from now (a day is 24 hours); 0 when unparseable. */
export function playbookDueMs(within: string): number {
  const d = parseDuration(within);
  return d ? durationMs(d, MS_PER_DAY) : 0;
}

export function snapshotOf(s: AccountState): AccountSnapshot {
  const { accountId, name, domain, region, tier, arr, salesOwner, csOwner, contract, context } = s;
  return { accountId, name, domain, region, tier, arr, salesOwner, csOwner, contract, context, healthBand: s.health?.band ?? null };
}

/** A won deal's hand-off adds to the account: its ARR, and what sales knew that the account did not. */
export function mergeHandoff(s: AccountState, h: HandoffPayload): void {
  s.arr = cents(s.arr + h.arr);
  s.currency = h.currency ?? s.currency;
  s.salesOwner = h.salesOwner ?? s.salesOwner;
  s.name ??= h.company;
  s.domain ??= h.domain;
  s.region ??= h.region;
  s.tier = h.tier ?? s.tier;
  s.context = { ...s.context, ...h.context };
}

/** A new customer (or one won back) starts afresh: no churn, no breaches, the contract from the hand-off. */
export function startCustomer(s: AccountState, wonAt: string, h: HandoffPayload): void {
  s.wonAt = wonAt;
  s.churn = null;
  s.closesAt = null;
  s.breachedCsms = [];
  s.reassignments = 0;
  s.kickoffHeldAt = null;
  s.contract = { start: contractDate(h.context.contractStart) ?? wonAt.slice(0, 10), end: contractDate(h.context.contractEnd) };
}

/** A contract date as the CRM sent it, or null for anything that is not a non-empty string. */
export const contractDate = (v: unknown): string | null => (typeof v === 'string' && v !== '' ? v : null);

/**
 * An existing customer brought in by `account.imported` takes its real state: who it is, its ARR and contract, its
 * sales owner. It was never won inside Flywheel (no `wonAt`) and has no hand-off, kickoff clock or onboarding period.
 * The CS owner and health are set by the workflow once the import activity has settled them.
 */
export function startImportedCustomer(s: AccountState, e: Pick<AccountEvent, 'time' | 'source'>, d: ImportedAccountData): void {
  s.name = d.name ?? s.name;
  s.domain = d.domain ?? s.domain;
  s.region = d.region ?? s.region;
  s.tier = d.tier ?? s.tier;
  s.arr = cents(d.arr);
  s.currency = d.currency ?? s.currency;
  s.salesOwner = d.salesOwner ?? s.salesOwner;
  s.csOwner = null;
  s.csQueue = null;
  s.wonAt = null;
  s.churn = null;
  s.closesAt = null;
  s.onboarding = null;
  s.kickoff = null;
  s.contract = { start: contractDate(d.contractStart), end: contractDate(d.contractEnd) };
  s.imported = true;
  s.importedAt = e.time;
  s.importedFrom = d.importedFrom ?? e.source;
}

/**
 * When an imported customer's ARR counts from (the `account.imported` row's time): its contract start when that is
 * before the import, so retention periods that began after the contract started see it as starting ARR; else the
 * time of the import (a contract that has not started yet, or none recorded).
 */
export function importedArrAt(contractStart: string | null, importedAt: string): string {
  if (!contractStart) return importedAt;
  const start = Date.parse(/^\d{4}-\d{2}-\d{2}$/.test(contractStart) ? `${contractStart}T00:00:00Z` : contractStart);
  return Number.isNaN(start) || start >= Date.parse(importedAt) ? importedAt : new Date(start).toISOString();
}

/**
 * The `account.imported` ledger row's columns and data: opening ARR (amount and arrDelta), dated from the contract
 * start when that is before the import, so retention counts the customer as starting ARR.
 */
export function importedAccountRow(s: AccountState, e: Pick<AccountEvent, 'id' | 'time'>, csOwnerRefused: unknown) {
  return {
    occurredAt: importedArrAt(s.contract.start, e.time),
    amount: s.arr,
    arrDelta: s.arr,
    currency: s.currency ?? undefined,
    data: {
      domain: s.domain,
      name: s.name,
      tier: s.tier,
      salesOwner: s.salesOwner,
      csOwner: s.csOwner,
      csOwnerRefused,
      contractStart: s.contract.start,
      contractEnd: s.contract.end,
      arr: s.arr,
      currency: s.currency,
      importedFrom: s.importedFrom ?? null,
      importedAt: e.time,
      handoff: 'imported',
      eventId: e.id,
    },
  };
}

/** Why an `account.imported` for an account that already exists changes nothing. */
export function importRefusal(s: AccountState): string {
  if (s.imported) return `already imported at ${s.importedAt ?? 'an earlier run'}`;
  if (s.status === 'churned') return `the account churned at ${s.churn?.at ?? 'an earlier date'}; a won deal brings it back, an import does not`;
  return `already a customer (${s.status}${s.wonAt ? `, won at ${s.wonAt}` : ''})`;
}
