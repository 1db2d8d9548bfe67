/** Pure type: bundled into workflow code. */

/**
 * What stays of a lead or account whose workflow has completed, read back from its `lead.closed` /
 * `account.closed` ledger row (the workflow writes data: { status, reason, owner, tier, reopenable, snapshot }).
 * A later event for the same id is applied to this record, never to a brand-new one.
 */
export interface ClosedRecord {
  /** The status it closed with, e.g. won, lost, disqualified (lead) or churned (account). */
  status: string;
  reason: string | null;
  owner: string | null;
  /** When the row says it closed (its occurredAt), ISO 8601. */
  closedAt: string;
  /** Whether the rules allow a later update to re-open it (e.g. a disqualification that can change). */
  reopenable: boolean;
  /** The state the workflow chose to keep, to restore on re-opening. */
  snapshot: Record<string, unknown>;
}
