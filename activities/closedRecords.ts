import type { Ledger } from '../src/ledger/types.ts';
import type { ClosedRecord } from '../workflows/shared/closed.ts';

export type { ClosedRecord };

interface Row {
  type: string;
  occurred_at: Date;
  owner: string | null;
  data: unknown;
}

/**
 * A lead's or account's closed record, from its latest close row in the ledger: the workflow asks before it
 * treats an id as new, so an event after the closed grace period reaches the closed record. A lead's latest
 * `lead.reopened` row cancels an earlier close; an account re-opens by a new won deal, which its workflow
 * decides, so only `account.closed` rows count. Run as a local activity (one indexed read).
 */
export function createClosedRecordActivities({ ledger }: { ledger: Ledger }) {
  return {
    async findClosedRecord(req: { entity: 'lead' | 'account'; id: string }): Promise<ClosedRecord | null> {
      const sql =
        req.entity === 'lead'
          ? "SELECT type, occurred_at, owner, data FROM ledger_events WHERE lead_id = $1 AND type IN ('lead.closed', 'lead.reopened') ORDER BY occurred_at DESC, id DESC LIMIT 1"
          : "SELECT type, occurred_at, owner, data FROM ledger_events WHERE account_id = $1 AND type = 'account.closed' ORDER BY occurred_at DESC, id DESC LIMIT 1";
      const row = (await ledger.query<Row>(sql, [req.id]))[0];
      if (!row || row.type === 'lead.reopened') return null;
      return toClosedRecord(row);
    },
  };
}

/** The row's data is ours but read defensively: a malformed field becomes its neutral value, never a crash. */
function toClosedRecord(row: Row): ClosedRecord {
  const data = isObject(row.data) ? row.data : {};
  const text = (v: unknown): string | null => (typeof v === 'string' && v !== '' ? v : null);
  return {
    status: text(data.status) ?? 'closed',
    reason: text(data.reason),
    owner: text(data.owner) ?? row.owner,
    closedAt: new Date(row.occurred_at).toISOString(),
    reopenable: data.reopenable === true,
    snapshot: isObject(data.snapshot) ? data.snapshot : {},
  };
}

function isObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}
