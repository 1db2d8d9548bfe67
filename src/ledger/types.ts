// Later issues may add event types here: `type` is plain text in the table, so a new type needs no migration.
export const LEDGER_EVENT_TYPES = [
  'stage.changed',
  'lead.assigned',
  'lead.reassigned',
  'sla.started',
  'sla.warned',
  'sla.met',
  'sla.breached',
  'sla.escalated',
  'sla.cancelled',
  'sla.paused',
  'sla.resumed',
  'lead.held',
  'lead.hold_exceeded',
  'lead.blocked',
  'lead.closed',
  'lead.reopened',
  // An open lead brought in by an import (issue 14): marks it so metrics do not count it as a new lead.
  'lead.imported',
  'account.closed',
  'lead.failed',
  'account.failed',
  'notification.failed',
  'deal.created',
  'deal.won',
  'deal.lost',
  'arr.changed',
  'handoff.recorded',
  'handoff.incomplete',
  'meeting.booked',
  'decision.recorded',
  'decision.shadowed',
  'event.ignored',
  'system.check',
  // The right to erasure: a record's personal data was erased from the ledger (counts only).
  'record.forgotten',
  // Delight (accounts)
  'cs.assigned',
  'health.scored',
  'playbook.started',
  'renewal.reminder',
  'renewal.overdue',
  'onboarding.completed',
  'referral.submitted',
  'referral.credited',
  // An existing customer imported in its current state (issue 14): its ARR is opening ARR, never a new booking.
  'account.imported',
  'plan.published',
  'plan.decided',
  'plan.escalated',
] as const;

export type LedgerEventType = (typeof LEDGER_EVENT_TYPES)[number];

/** One flywheel fact. `key` makes writes idempotent: the first write of a key wins, repeats are counted as duplicates. */
export interface LedgerEvent {
  key: string;
  type: LedgerEventType;
  /** ISO 8601 with a time zone, e.g. 2026-03-01T09:30:00Z. */
  occurredAt: string;
  leadId?: string;
  accountId?: string;
  workflowId?: string;
  owner?: string;
  team?: string;
  stage?: string;
  amount?: number;
  arrDelta?: number;
  /** ISO 4217 code, e.g. EUR. */
  currency?: string;
  rulesRevision?: string;
  data?: Record<string, unknown>;
}

export type LedgerMode = 'embedded' | 'embedded-client' | 'postgres';

export interface RecordResult {
  inserted: number;
  duplicates: number;
}

/** Statements inside `Ledger.transaction`: they commit together or not at all. */
export interface LedgerTx {
  query<T = Record<string, unknown>>(sql: string, params?: unknown[]): Promise<T[]>;
  record(events: LedgerEvent[]): Promise<RecordResult>;
}

/**
 * The store metrics read. Rows from `query` have the same JavaScript types in every mode: bigint and numeric as
 * numbers, timestamps as Date, date as 'YYYY-MM-DD', json as parsed values; sessions run in UTC.
 * Every `query` call is atomic: without parameters it may hold several statements (the last one's rows are
 * returned), and it may not leave a transaction open. Work that must read, decide and write atomically goes in
 * `transaction`.
 */
export interface Ledger {
  readonly mode: LedgerMode;
  /** Safe to print: never contains a password. */
  readonly description: string;
  record(events: LedgerEvent[]): Promise<RecordResult>;
  query<T = Record<string, unknown>>(sql: string, params?: unknown[]): Promise<T[]>;
  /**
   * Runs fn in one transaction: committed when it returns, rolled back when it throws, or when one of its statements
   * failed even if fn caught that error. Inside fn use only `tx`: the ledger itself waits for the transaction.
   * On the embedded store, transactions (of every process) take turns, so keep them short.
   */
  transaction<T>(fn: (tx: LedgerTx) => Promise<T>): Promise<T>;
  ping(): Promise<{ ok: true; latencyMs: number }>;
  close(): Promise<void>;
}

export interface MigrationFile {
  version: number;
  name: string;
  file: string;
  sql: string;
  checksum: string;
}

export interface AppliedMigration {
  version: number;
  name: string;
  appliedAt: Date;
  checksum: string;
}

export interface MigrationStatus {
  applied: AppliedMigration[];
  pending: MigrationFile[];
  /** Applied by a newer Flywheel than this one: reported, not fatal, so an older worker can still run during a rollout. */
  unknown: AppliedMigration[];
}

/** What `openLedger` returns: a Ledger that can also report on its schema. */
export interface OpenedLedger extends Ledger {
  /** Migrations this open applied (always empty for an embedded client: the owner applies them). */
  readonly migrationsApplied: readonly MigrationFile[];
  migrationStatus(): Promise<MigrationStatus>;
}
