/**
 * The right to erasure in the ledger: the personal data of one lead or account (src/ledger/personalData.ts says
 * what that is) is replaced by a marker in every row that carries it, in one transaction, and the erasure itself
 * is put on record as a `record.forgotten` row that counts what went, never what it was.
 */
import { accountWorkflowId, leadWorkflowId } from '../../workflows/definitions.ts';
import { identityValues, scrubData, type ScrubCount } from './personalData.ts';
import type { Ledger, LedgerEvent, LedgerTx } from './types.ts';

export type ForgetEntity = 'lead' | 'account';

/** The tables Flywheel creates, and what each holds of a record; a table not listed here is reported unchecked. */
// `rowsOf` is a condition on $1: the record's id, or with `byWorkflow` its workflow id. One parameter, always used:
// the owner of the embedded ledger prepares these statements, and an unused parameter has no type to bind.
const TABLES: Record<string, { holds: string; rowsOf?: (e: ForgetEntity) => string | null; byWorkflow?: true }> = {
  ledger_events: { holds: 'events with their data: personal values are erased' },
  // A customer's CS placements are keyed `account:<id>` (activities/account/assignCsOwner.ts csRecordId).
  lead_assignments: { holds: 'record id, rep, queue, times, skip reasons: no personal data', rowsOf: (e) => (e === 'lead' ? 'lead_id = $1' : `lead_id = 'account:' || $1`) },
  held_leads: { holds: 'lead id, queue, tier, source, rule: no personal data', rowsOf: (e) => (e === 'lead' ? 'lead_id = $1' : null) },
  ingest_receipts: { holds: 'event keys of delivered CRM events, no payloads', rowsOf: () => 'workflow_id = $1', byWorkflow: true },
  queue_rotation: { holds: 'round-robin weights per rep: no record data' },
  queue_locks: { holds: 'queue ids: no record data' },
  rep_open_counts: { holds: 'open assignments per rep: no record data' },
  schema_migrations: { holds: 'applied migrations: no record data' },
  worker_rules: { holds: "each worker's identity and rules revision: no record data" },
  connector_offsets: { holds: 'where each CRM event stream was read up to (replay ids): no record data' },
  connector_ignored: { holds: 'CRM record ids, field names and reasons of changes not turned into events: no values' },
};

export interface ForgetReport {
  entity: ForgetEntity;
  id: string;
  dryRun: boolean;
  at: string;
  /** Rows found for the record (its own and those of other records that carry it). */
  rowsFound: number;
  /** Rows whose data changed (would change, with dryRun). */
  rowsErased: number;
  /** Personal values replaced by the marker. */
  valuesErased: number;
  byType: Record<string, number>;
  /** Rows of other records that carried this one's data (an account's hand-off rows carrying the lead). */
  otherRecords: { workflowId: string; rows: number }[];
  /** Every workflow whose history may hold the record's data (its own, and the ones it handed data to). */
  workflowIds: string[];
  tables: { table: string; rows: number | null; holds: string }[];
  /** Tables of this database Flywheel does not know: not looked at. */
  uncheckedTables: string[];
  /** Earlier erasures of this record. */
  earlier: { at: string; rowsErased: number; valuesErased: number }[];
  /** The `record.forgotten` row written, or null (dry run, or nothing left to erase). */
  recordedKey: string | null;
}

interface Row {
  id: number;
  type: string;
  workflow_id: string | null;
  data: Record<string, unknown>;
  /** The record's own row (every personal field goes), or a row of a record it became (only its values go). */
  own: boolean;
}

/**
 * The record's own rows: by id column or workflow, and rows of other records that name it in their data (an
 * account's decisions from the lead's won deal carry `leadId`; a referral row its `leadWorkflowId`).
 */
function ownRows(entity: ForgetEntity): string {
  return entity === 'lead' ? `lead_id = $1 OR workflow_id = $2 OR data->>'leadId' = $1 OR data->>'leadWorkflowId' = $2` : `account_id = $1 OR workflow_id = $2`;
}

/**
 * Rows of the accounts a lead's won deals became: their hand-off context went on into CS routing and clocks, where
 * the lead may be quoted (as the champion, say) without being named.
 */
const BECAME = `account_id IN (SELECT account_id FROM ledger_events WHERE lead_id = $1 AND account_id IS NOT NULL AND type IN ('deal.won', 'handoff.recorded'))`;

const DECIDED: ReadonlySet<string> = new Set(['decision.recorded', 'decision.shadowed']);

const workflowOf = (entity: ForgetEntity, id: string) => (entity === 'lead' ? leadWorkflowId(id) : accountWorkflowId(id));

async function plan(q: Pick<LedgerTx, 'query'>, entity: ForgetEntity, id: string, lock: boolean, at: string) {
  const wf = workflowOf(entity, id);
  const own = ownRows(entity);
  const rows = await q.query<Row>(
    `SELECT id, type, workflow_id, data, coalesce(${own}, false) AS own FROM ledger_events
     WHERE type <> 'record.forgotten' AND ((${own})${entity === 'lead' ? ` OR ${BECAME}` : ''}) ORDER BY id${lock ? ' FOR UPDATE' : ''}`,
    [id, wf],
  );
  const identity = identityValues(
    rows.filter((r) => r.own === true).map((r) => r.data),
    { contacts: entity === 'account' },
  );
  const count: ScrubCount = { values: 0 };
  const changed: { row: Row; data: Record<string, unknown> }[] = [];
  for (const row of rows) {
    const data = scrubData(row.data, identity, count, { fields: row.own === true });
    // A decision whose facts lost values can no longer be decided again faithfully: impact must skip it, and say why.
    if (data !== row.data) changed.push({ row, data: DECIDED.has(row.type) && data.erasedAt === undefined ? { ...data, erasedAt: at } : data });
  }
  return { wf, rows, changed, values: count.values };
}

async function tables(q: Pick<LedgerTx, 'query'>, entity: ForgetEntity, id: string, wf: string) {
  const present = await q.query<{ name: string }>(`SELECT table_name AS name FROM information_schema.tables WHERE table_schema = current_schema() AND table_type = 'BASE TABLE' ORDER BY table_name`);
  const out: ForgetReport['tables'] = [];
  const unchecked: string[] = [];
  for (const { name } of present) {
    const known = TABLES[name];
    if (!known) {
      unchecked.push(name);
      continue;
    }
    const where = known.rowsOf?.(entity);
    const rows = where ? Number((await q.query<{ n: number }>(`SELECT count(*) AS n FROM ${name} WHERE ${where}`, [known.byWorkflow ? wf : id]))[0]?.n ?? 0) : null;
    out.push({ table: name, rows, holds: known.holds });
  }
  return { tables: out, unchecked };
}

/**
 * Erases (or with dryRun, counts) the personal data of one record in the ledger. Idempotent: erased values are
 * the marker, so a second run finds nothing new and writes no second `record.forgotten` row.
 */
export async function forgetRecord(ledger: Pick<Ledger, 'query' | 'transaction'>, entity: ForgetEntity, id: string, opts: { dryRun?: boolean; at?: string } = {}): Promise<ForgetReport> {
  const at = opts.at ?? new Date().toISOString();
  const run = async (q: Pick<LedgerTx, 'query'>, write: LedgerTx | null): Promise<ForgetReport> => {
    const p = await plan(q, entity, id, write !== null, at);
    const byType: Record<string, number> = {};
    for (const c of p.changed) byType[c.row.type] = (byType[c.row.type] ?? 0) + 1;
    const others = new Map<string, number>();
    for (const r of p.rows) if (r.workflow_id && r.workflow_id !== p.wf) others.set(r.workflow_id, (others.get(r.workflow_id) ?? 0) + 1);
    const earlier = await q.query<{ occurred_at: Date; data: { rowsErased?: number; valuesErased?: number } }>(
      `SELECT occurred_at, data FROM ledger_events WHERE type = 'record.forgotten' AND ${entity === 'lead' ? 'lead_id' : 'account_id'} = $1 ORDER BY occurred_at`,
      [id],
    );
    const t = await tables(q, entity, id, p.wf);
    const report: ForgetReport = {
      entity,
      id,
      dryRun: write === null,
      at,
      rowsFound: p.rows.length,
      rowsErased: p.changed.length,
      valuesErased: p.values,
      byType,
      otherRecords: [...others].map(([workflowId, rows]) => ({ workflowId, rows })),
      workflowIds: [p.wf, ...others.keys()],
      tables: t.tables,
      uncheckedTables: t.unchecked,
      earlier: earlier.map((e) => ({ at: new Date(e.occurred_at).toISOString(), rowsErased: e.data.rowsErased ?? 0, valuesErased: e.data.valuesErased ?? 0 })),
      recordedKey: null,
    };
    if (!write || p.changed.length === 0) return report;
    for (const c of p.changed) await write.query('UPDATE ledger_events SET data = $2::jsonb WHERE id = $1', [c.row.id, JSON.stringify(c.data)]);
    const row = forgottenRow(report, p.wf);
    await write.record([row]);
    return { ...report, recordedKey: row.key };
  };
  if (opts.dryRun) return run(ledger, null);
  return ledger.transaction((tx) => run(tx, tx));
}

/** The erasure on record: what kind of rows and how many values went, never the values. */
function forgottenRow(r: ForgetReport, workflowId: string): LedgerEvent {
  return {
    key: `forgotten:${r.entity}:${r.id}:${r.at}`,
    type: 'record.forgotten',
    occurredAt: r.at,
    ...(r.entity === 'lead' ? { leadId: r.id } : { accountId: r.id }),
    workflowId,
    data: {
      entity: r.entity,
      rowsErased: r.rowsErased,
      valuesErased: r.valuesErased,
      byType: r.byType,
      otherRecords: r.otherRecords,
      policy: 'src/ledger/personalData.ts',
    },
  };
}
