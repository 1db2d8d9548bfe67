import type { Ledger } from '../ledger/types.ts';
import type { DecisionEntity, DecisionRowData, ShadowRowData, StoredDecision } from './types.ts';

export interface DecisionFilter {
  entity?: DecisionEntity;
  /** With entity: one record's decisions. */
  id?: string;
  /** Decisions at or after this instant. */
  since?: string;
  /** Only these kinds. */
  kinds?: readonly string[];
}

interface Row {
  event_key: string;
  occurred_at: string | Date;
  lead_id: string | null;
  account_id: string | null;
  owner: string | null;
  rules_revision: string | null;
  data: Record<string, unknown>;
}

const iso = (v: string | Date) => (v instanceof Date ? v.toISOString() : new Date(v).toISOString());

function where(type: string, f: DecisionFilter): { sql: string; params: unknown[] } {
  const clauses = ['type = $1'];
  const params: unknown[] = [type];
  if (f.entity && f.id !== undefined) {
    params.push(f.id);
    clauses.push(f.entity === 'lead' ? `lead_id = $${params.length} AND account_id IS NULL` : `account_id = $${params.length}`);
  } else if (f.entity) clauses.push(f.entity === 'lead' ? 'lead_id IS NOT NULL AND account_id IS NULL' : 'account_id IS NOT NULL');
  if (f.since) {
    params.push(f.since);
    clauses.push(`occurred_at >= $${params.length}::timestamptz`);
  }
  if (f.kinds?.length) {
    params.push([...f.kinds]);
    clauses.push(`data->>'kind' = ANY($${params.length}::text[])`);
  }
  return { sql: clauses.join(' AND '), params };
}

/**
 * A row written before decisions carried their facts (the Attract kinds from the workflow) is returned with
 * `facts: null` cast away as {}: it explains, but cannot be decided again (`replayable` says so).
 */
function toStored(r: Row): StoredDecision {
  const d = r.data as unknown as DecisionRowData;
  const entity: DecisionEntity = d.entity ?? (r.account_id ? 'account' : 'lead');
  return {
    ...d,
    kind: d.kind,
    entity,
    occasion: d.occasion ?? '',
    matched: d.matched ?? [],
    inputs: d.inputs ?? {},
    facts: d.facts ?? (undefined as unknown as Record<string, unknown>),
    key: r.event_key,
    at: iso(r.occurred_at),
    entityId: (entity === 'account' ? r.account_id : r.lead_id) ?? '',
    revision: r.rules_revision,
    owner: r.owner,
  };
}

/** Whether a stored decision carries the facts needed to decide it again. */
export const replayable = (d: StoredDecision): boolean => unreplayableReason(d) === null;

/** Why a stored decision cannot be decided again: no facts recorded, or its personal facts were erased. */
export function unreplayableReason(d: StoredDecision): string | null {
  if (d.facts === undefined || d.facts === null) return 'recorded before decisions carried their facts';
  // Erased facts would decide differently ("no e-mail domain") and show a change no rule made.
  if (d.erasedAt) return 'personal facts erased (flywheel ledger forget)';
  return null;
}

/** Decisions from the ledger in the order they were made (time, then the ledger's own order). */
export async function readDecisions(ledger: Pick<Ledger, 'query'>, f: DecisionFilter = {}): Promise<StoredDecision[]> {
  const w = where('decision.recorded', f);
  const rows = await ledger.query<Row>(`SELECT event_key, occurred_at, lead_id, account_id, owner, rules_revision, data FROM ledger_events WHERE ${w.sql} ORDER BY occurred_at, id`, w.params);
  return rows.map(toStored);
}

export interface StoredShadow extends ShadowRowData {
  key: string;
  at: string;
  entityId: string;
}

/** Disagreements of the shadow revision, oldest first. */
export async function readShadowDisagreements(ledger: Pick<Ledger, 'query'>, f: DecisionFilter = {}): Promise<StoredShadow[]> {
  const w = where('decision.shadowed', f);
  const rows = await ledger.query<Row>(`SELECT event_key, occurred_at, lead_id, account_id, owner, rules_revision, data FROM ledger_events WHERE ${w.sql} ORDER BY occurred_at, id`, w.params);
  return rows.map((r) => ({ ...(r.data as unknown as ShadowRowData), key: r.event_key, at: iso(r.occurred_at), entityId: r.account_id ?? r.lead_id ?? '' }));
}
