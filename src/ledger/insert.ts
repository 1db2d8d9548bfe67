import type { LedgerEvent } from './types.ts';

/**
 * One statement for any batch size: the whole batch travels as one JSON array (one parameter, so no limit on rows,
 * and the batch is atomic), read back into columns by jsonb_to_recordset. One JSON.stringify and one jsonb parse per
 * batch: the earlier one-array-per-column form had the driver quote and escape every JSON text into an array literal
 * and PostgreSQL unescape it again before parsing it, the largest allocation of a new lead in `npm run bench`.
 * ON CONFLICT DO NOTHING also absorbs a key repeated inside the same batch.
 */
export const RECORD_SQL = `
WITH inserted AS (
  INSERT INTO ledger_events
    (event_key, type, occurred_at, lead_id, account_id, workflow_id, owner, team, stage,
     amount, arr_delta, currency, rules_revision, data)
  SELECT key, type, "occurredAt", "leadId", "accountId", "workflowId", owner, team, stage,
     amount, "arrDelta", currency, "rulesRevision", data
  FROM jsonb_to_recordset($1::jsonb) AS r(
    key text, type text, "occurredAt" timestamptz, "leadId" text, "accountId" text, "workflowId" text, owner text,
    team text, stage text, amount numeric, "arrDelta" numeric, currency text, "rulesRevision" text, data jsonb)
  ON CONFLICT (event_key) DO NOTHING
  RETURNING 1
)
SELECT count(*) AS inserted FROM inserted`;

/** The batch as RECORD_SQL's one parameter: validated rows (src/ledger/validate.ts), every row with a data object. */
export function recordParams(events: readonly LedgerEvent[]): [string] {
  // Serialised here so both drivers send it the same way (text, cast to jsonb in the statement).
  return [JSON.stringify(events.map((e) => (e.data === undefined ? { ...e, data: {} } : e)))];
}

export function insertedCount(rows: readonly { inserted: unknown }[], total: number): { inserted: number; duplicates: number } {
  const inserted = Number(rows[0]?.inserted ?? 0);
  return { inserted, duplicates: total - inserted };
}
