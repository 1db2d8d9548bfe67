import type { LedgerEvent } from './types.ts';

/**
 * One statement for any batch size: each column travels as one array parameter, so the statement has 14 parameters
 * whether it writes 1 or 10,000 events (a VALUES list would hit PostgreSQL's 65,535-parameter limit), and the batch
 * is atomic. ON CONFLICT DO NOTHING also absorbs a key repeated inside the same batch.
 */
export const RECORD_SQL = `
WITH inserted AS (
  INSERT INTO ledger_events
    (event_key, type, occurred_at, lead_id, account_id, workflow_id, owner, team, stage,
     amount, arr_delta, currency, rules_revision, data)
  SELECT * FROM unnest(
    $1::text[], $2::text[], $3::timestamptz[], $4::text[], $5::text[], $6::text[], $7::text[], $8::text[], $9::text[],
    $10::numeric[], $11::numeric[], $12::text[], $13::text[], $14::jsonb[])
  ON CONFLICT (event_key) DO NOTHING
  RETURNING 1
)
SELECT count(*) AS inserted FROM inserted`;

export function recordParams(events: readonly LedgerEvent[]): unknown[][] {
  const col = <T>(f: (e: LedgerEvent) => T | undefined) => events.map((e) => f(e) ?? null);
  return [
    col((e) => e.key),
    col((e) => e.type),
    col((e) => e.occurredAt),
    col((e) => e.leadId),
    col((e) => e.accountId),
    col((e) => e.workflowId),
    col((e) => e.owner),
    col((e) => e.team),
    col((e) => e.stage),
    col((e) => e.amount),
    col((e) => e.arrDelta),
    col((e) => e.currency),
    col((e) => e.rulesRevision),
    // Serialised here so both drivers send jsonb the same way (as text elements of a jsonb[] parameter).
    col((e) => JSON.stringify(e.data ?? {})),
  ];
}

export function insertedCount(rows: readonly { inserted: unknown }[], total: number): { inserted: number; duplicates: number } {
  const inserted = Number(rows[0]?.inserted ?? 0);
  return { inserted, duplicates: total - inserted };
}
