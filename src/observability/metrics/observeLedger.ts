import type { Ledger, LedgerEvent, LedgerTx, RecordResult } from '../../ledger/types.ts';
import { FlywheelMetrics } from './flywheelMetrics.ts';

// In the ledger's own clock, so an API and a worker on different hosts measure against one clock.
const SINCE_FIRST_RECEIPT = `
SELECT extract(epoch FROM clock_timestamp() - min(received_at))::float8 AS seconds
FROM ingest_receipts WHERE workflow_id = $1`;

/**
 * The ledger with its writes measured: record() calls and whole transactions time into flywheel_ledger_write_seconds,
 * committed rows count by type, and a committed first assignment (`lead.assigned`) observes the lead's speed to lead:
 * the time since the ingest API first received an event for its workflow. Reads pass through untouched.
 */
export function observeLedger(ledger: Ledger, metrics: FlywheelMetrics, onError: (e: unknown) => void = () => {}): Ledger {
  const committed = (rows: readonly LedgerEvent[], result: RecordResult | undefined) => {
    // Rows that were all there already (a retried activity writing its keys again) were counted the first time.
    if (result && result.duplicates > 0 && result.inserted === 0) return;
    for (const e of rows) metrics.ledgerRows.inc({ type: FlywheelMetrics.ledgerTypeLabel(e.type) });
    for (const e of rows) if (isFirstAssignment(e)) void speedToLead(ledger, metrics, e.workflowId!).catch(onError);
  };
  return {
    get mode() {
      return ledger.mode;
    },
    get description() {
      return ledger.description;
    },
    query: <T>(sql: string, params?: unknown[]) => ledger.query<T>(sql, params),
    ping: () => ledger.ping(),
    close: () => ledger.close(),
    async record(events) {
      const result = await timed(metrics, 'record', () => ledger.record(events));
      committed(events, result);
      return result;
    },
    async transaction<T>(fn: (tx: LedgerTx) => Promise<T>): Promise<T> {
      const written: { rows: LedgerEvent[]; result: RecordResult }[] = [];
      const value = await timed(metrics, 'transaction', () =>
        ledger.transaction((tx) =>
          fn({
            query: <R>(sql: string, params?: unknown[]) => tx.query<R>(sql, params),
            async record(events) {
              const result = await timed(metrics, 'record', () => tx.record(events));
              written.push({ rows: events, result });
              return result;
            },
          }),
        ),
      );
      // Only now has the transaction committed; a rolled-back one threw above and counts nothing.
      for (const w of written) committed(w.rows, w.result);
      return value;
    },
  };
}

/** A lead's first owner; a recycled lead's new first assignment is a second life, not its speed to lead. */
function isFirstAssignment(e: LedgerEvent): boolean {
  return e.type === 'lead.assigned' && Boolean(e.workflowId) && e.data?.reason !== 'recycled';
}

async function speedToLead(ledger: Ledger, metrics: FlywheelMetrics, workflowId: string): Promise<void> {
  const [row] = await ledger.query<{ seconds: number | null }>(SINCE_FIRST_RECEIPT, [workflowId]);
  // No receipt: the lead came another way (an import, a test starting the workflow itself).
  if (row?.seconds != null && row.seconds >= 0) metrics.speedToLead.observe(row.seconds);
}

async function timed<T>(metrics: FlywheelMetrics, op: 'record' | 'transaction', fn: () => Promise<T>): Promise<T> {
  const end = metrics.ledgerWrite.startTimer({ op });
  try {
    const value = await fn();
    end({ outcome: 'ok' });
    return value;
  } catch (e) {
    end({ outcome: 'error' });
    throw e;
  }
}
