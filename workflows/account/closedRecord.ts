/**
 * A customer's permanent closed record and its revival, pure: what the `account.closed` row keeps, and how a fresh
 * run takes it back when a late event arrives after the workflow completed.
 */
import type { ClosedRecord } from '../shared/closed.ts';
import type { AccountState } from './types.ts';

/** The data of the `account.closed` row; `seq` and `clocks` let a revival go on numbering where this run stopped. */
export function closedRow(s: AccountState): Record<string, unknown> {
  const { name, domain, region, tier, currency, salesOwner, contract, churn, wonAt, clocks, seq } = s;
  return { status: s.status, reason: s.churn?.reason ?? null, owner: s.csOwner, reopenable: true, snapshot: { name, domain, region, tier, currency, salesOwner, contract, churn, wonAt, clocks, seq } };
}

/** Takes the closed record back as a churned account that answers late events until `closesAt` (a win brings it back). */
export function restoreClosed(s: AccountState, closed: ClosedRecord, closesAt: string): void {
  const snap = closed.snapshot as Partial<AccountState>;
  // Kickoff clocks and CS placements are keyed by these counters: a customer won back goes on from them.
  s.seq = snap.seq ?? 0;
  s.clocks = snap.clocks ?? 0;
  Object.assign(s, {
    name: snap.name ?? null,
    domain: snap.domain ?? null,
    region: snap.region ?? null,
    tier: snap.tier ?? null,
    currency: snap.currency ?? null,
    salesOwner: snap.salesOwner ?? null,
    csOwner: closed.owner,
    contract: snap.contract ?? { start: null, end: null },
    churn: snap.churn ?? { at: closed.closedAt, reason: closed.reason ?? 'closed' },
    wonAt: snap.wonAt ?? null,
    closedAt: closed.closedAt,
    closesAt,
  });
  s.stage = 'Closed';
  s.status = 'churned';
}
