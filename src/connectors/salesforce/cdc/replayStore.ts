import type { Ledger } from '../../../ledger/types.ts';

/**
 * The subscriber's durable position per topic, in the ledger (tables connector_offsets and connector_ignored,
 * migration 0006). A position is written only after Temporal accepted every event before it, together with the
 * rows of events that were read but not delivered, in one transaction: a restart resumes after the last stored
 * replay id, and whatever is read again after a crash is applied once (same CloudEvent ids).
 */

export const CDC_CONNECTOR = 'salesforce-cdc';

export type IgnoredKind = 'ignored' | 'rejected' | 'gap' | 'replay-reset';

/** One event (or record of a merged event) read but not turned into a Flywheel event. Ids and field names only. */
export interface IgnoredRow {
  kind: IgnoredKind;
  /** The event's replay id (hex); null for a stream-level gap. */
  position: string | null;
  eventId: string | null;
  recordId: string | null;
  entity: string | null;
  changeType: string | null;
  reason: string;
  /** When it happened in the CRM (commit time), if known. */
  occurredAt: string | null;
}

export interface StoredPosition {
  replayId: Buffer;
  eventId: string | null;
  updatedAt: Date;
}

export interface ReplayStore {
  get(stream: string): Promise<StoredPosition | null>;
  /** Stores the position and the ignored rows of the batch before it, atomically. */
  save(stream: string, position: Buffer, eventId: string | null, ignored: readonly IgnoredRow[]): Promise<void>;
  /** The stored position is no longer retained by the CRM: forget it and record the gap, atomically. */
  reset(stream: string, gap: IgnoredRow): Promise<void>;
}

const UPSERT = `
INSERT INTO connector_offsets (connector, source, stream, position, event_id, updated_at)
VALUES ($1, $2, $3, $4, $5, now())
ON CONFLICT (connector, source, stream) DO UPDATE SET position = EXCLUDED.position, event_id = EXCLUDED.event_id, updated_at = now()`;

const INSERT_IGNORED = `
INSERT INTO connector_ignored (connector, source, stream, kind, position, event_id, record_id, entity, change_type, reason, occurred_at)
SELECT $1, $2, $3, * FROM unnest($4::text[], $5::text[], $6::text[], $7::text[], $8::text[], $9::text[], $10::text[], $11::timestamptz[])
ON CONFLICT (connector, source, stream, event_id, record_id, kind) WHERE event_id IS NOT NULL DO NOTHING`;

type Query = Pick<Ledger, 'query'>['query'];

async function insertIgnored(query: Query, connector: string, source: string, stream: string, rows: readonly IgnoredRow[]): Promise<void> {
  if (rows.length === 0) return;
  await query(INSERT_IGNORED, [
    connector,
    source,
    stream,
    rows.map((r) => r.kind),
    rows.map((r) => r.position),
    rows.map((r) => r.eventId),
    rows.map((r) => r.recordId ?? ''),
    rows.map((r) => r.entity),
    rows.map((r) => r.changeType),
    rows.map((r) => r.reason),
    rows.map((r) => r.occurredAt),
  ]);
}

/** The ledger-backed store for one CRM instance (`source`, e.g. salesforce://org/00D...). */
export function ledgerReplayStore(ledger: Pick<Ledger, 'query' | 'transaction'>, source: string, connector = CDC_CONNECTOR): ReplayStore {
  return {
    async get(stream) {
      const [row] = await ledger.query<{ position: string; event_id: string | null; updated_at: Date }>(
        'SELECT position, event_id, updated_at FROM connector_offsets WHERE connector = $1 AND source = $2 AND stream = $3',
        [connector, source, stream],
      );
      return row ? { replayId: Buffer.from(row.position, 'hex'), eventId: row.event_id, updatedAt: row.updated_at } : null;
    },
    async save(stream, position, eventId, ignored) {
      await ledger.transaction(async (tx) => {
        await insertIgnored((sql, params) => tx.query(sql, params), connector, source, stream, ignored);
        await tx.query(UPSERT, [connector, source, stream, position.toString('hex'), eventId]);
      });
    },
    async reset(stream, gap) {
      await ledger.transaction(async (tx) => {
        await tx.query('DELETE FROM connector_offsets WHERE connector = $1 AND source = $2 AND stream = $3', [connector, source, stream]);
        await insertIgnored((sql, params) => tx.query(sql, params), connector, source, stream, [gap]);
      });
    },
  };
}
