import { randomUUID } from 'node:crypto';
import { eventKey } from '../../src/events/catalog.ts';
import { deliver as deliverEvent } from '../../src/temporal/deliver.ts';
import { accountStateQuery, accountWorkflowId } from '../../workflows/definitions.ts';
import type { AccountCrmEventType, AccountEvent, AccountState } from '../../workflows/account/types.ts';
import { eventually, queried } from './eventually.ts';
import type { TestHarness } from './temporal.ts';
import { deliver, leadEvent, midMarketLead, waitForState } from './leads.ts';

export function accountEvent(type: AccountCrmEventType, accountId: string, data: Record<string, unknown>, time = new Date().toISOString()): AccountEvent {
  const e = { id: randomUUID(), source: 'crm://test', type, subject: accountId, time, data };
  return { ...e, key: eventKey(e) };
}

/** Delivers like the ingest API: signal-with-start on the account's workflow. */
export async function deliverToAccount(h: TestHarness, e: AccountEvent): Promise<void> {
  h.track(accountWorkflowId(e.subject));
  await deliverEvent(h.client, h.taskQueue, { entity: 'account', id: e.subject, event: e });
}

/**
 * The account's `state` query, bounded: the time-skipping test server can drop a query that reached a run just as
 * it continued as new, and an unbounded query would then wait forever instead of being asked again.
 */
export function accountState(h: TestHarness, accountId: string, timeoutMs = 5_000): Promise<AccountState> {
  return h.client.withDeadline(Date.now() + timeoutMs, () => h.client.workflow.getHandle(accountWorkflowId(accountId)).query(accountStateQuery));
}

/** Queries until the account reaches a state; the workflow decides when, the bound turns a hang into a failure. */
export function waitForAccount(h: TestHarness, accountId: string, done: (s: AccountState) => boolean, what: string, timeoutMs = 30_000): Promise<AccountState> {
  const brief = (last: AccountState | undefined) =>
    last && { status: last.status, arr: last.arr, csOwner: last.csOwner, kickoff: last.kickoff?.status, renewal: last.renewal, ignored: last.ignored, early: last.early?.length };
  return eventually(
    () => queried(() => accountState(h, accountId)),
    done,
    (last) => `account ${accountId} never reached "${what}"; last state: ${JSON.stringify(brief(last))}`,
    timeoutMs,
  );
}

/** A complete sales -> CS hand-off context (the shipped handoff rules' base requirements). */
export function fullHandoff(overrides: Record<string, unknown> = {}): Record<string, unknown> {
  return {
    champion: 'Jana Weber',
    goals: ['self-serve dashboards', 'weekly revenue report'],
    successCriteria: ['20 weekly active analysts by day 60'],
    contractStart: '2027-01-15',
    contractEnd: '2028-01-14',
    ...overrides,
  };
}

/**
 * Drives a lead from creation to a won deal on `accountId` (routing, first touch, opportunity, win), as the CRM
 * would, and returns the lead's owner. The won deal starts the account workflow through the hand-off.
 */
export async function winLead(
  h: TestHarness,
  leadId: string,
  accountId: string,
  opts: { lead?: Record<string, unknown>; arr: number; handoff: Record<string, unknown>; at?: () => Promise<string> },
): Promise<string> {
  const time = opts.at ?? (async () => new Date(await h.now()).toISOString());
  h.track(accountWorkflowId(accountId));
  await deliver(h, leadEvent('lead.created', leadId, opts.lead ?? midMarketLead({ email: `${leadId}@shopco.example` }), await time()));
  const routed = await waitForState(h, leadId, (s) => s.owner !== null && s.sla?.status === 'running', 'routed');
  const owner = routed.owner!;
  await deliver(h, leadEvent('lead.touched', leadId, { by: owner }, await time()));
  await deliver(h, leadEvent('opportunity.created', leadId, { opportunityId: `opp-${leadId}`, amount: opts.arr }, await time()));
  await deliver(h, leadEvent('opportunity.won', leadId, { opportunityId: `opp-${leadId}`, accountId, arr: opts.arr, handoff: opts.handoff }, await time()));
  await waitForState(h, leadId, (s) => s.status === 'won', 'won');
  return owner;
}

/** Polls the ledger until `done` holds for an account's rows: the workflow writes them after its state changes. */
export function waitForLedger<T extends Record<string, unknown>>(h: TestHarness, accountId: string, done: (rows: T[]) => boolean, what: string, timeoutMs = 15_000): Promise<T[]> {
  const rows = () => h.ledger.query<T>('SELECT type, owner, team, lead_id, arr_delta, amount, occurred_at, data FROM ledger_events WHERE account_id = $1 ORDER BY id', [accountId]);
  return eventually(rows, done, (last) => `ledger rows of ${accountId} never showed "${what}"; types: ${(last ?? []).map((r) => r.type).join(', ')}`, timeoutMs);
}
