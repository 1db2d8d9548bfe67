import type { Ledger } from '../ledger/types.ts';
import type { DeliveryResult } from './temporalSink.ts';

const INSERT_RECEIPTS = `
INSERT INTO ingest_receipts (event_key, workflow_id)
SELECT * FROM unnest($1::text[], $2::text[])
ON CONFLICT (event_key) DO NOTHING
RETURNING event_key`;

/**
 * Records that Temporal accepted these events and says, per event in order, whether one with the same key was
 * received before. Call it only after Temporal accepted them: a receipt written first would make the CRM's retry
 * of an event whose signal then failed look like a duplicate, and the event would be reported as taken but lost.
 * The answer is informational; the workflow dedups by key itself, so a wrong flag can never apply an event twice.
 */
export async function recordReceipts(ledger: Ledger, delivered: readonly DeliveryResult[]): Promise<boolean[]> {
  if (delivered.length === 0) return [];
  const rows = await ledger.query<{ event_key: string }>(INSERT_RECEIPTS, [delivered.map((d) => d.key), delivered.map((d) => d.workflowId)]);
  const fresh = new Set(rows.map((r) => r.event_key));
  // The same event twice in one batch: the first is new, the repeat is the duplicate.
  return delivered.map((d) => !fresh.delete(d.key));
}
