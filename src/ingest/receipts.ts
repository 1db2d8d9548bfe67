import type { Ledger } from '../ledger/types.ts';
import type { DeliveryResult } from './temporalSink.ts';

const INSERT_RECEIPTS = `
INSERT INTO ingest_receipts (event_key, workflow_id)
SELECT * FROM unnest($1::text[], $2::text[])
ON CONFLICT (event_key) DO NOTHING
RETURNING event_key`;

/** Receipts written by one statement at most: a statement of a few thousand short rows stays a few milliseconds. */
const MAX_ROWS_PER_WRITE = 2_000;
/**
 * How long a request waits for its receipts. They are informational, and one stuck statement holds up every request
 * queued behind it: past this the request is answered with its duplicate flags unknown, and its receipts are still
 * written once the ledger answers.
 */
const WAIT_MS = 5_000;
/** Rows that may wait for the ledger; past them a request is answered at once with its flags unknown. */
const MAX_WAITING_ROWS = 100_000;

/**
 * Records that Temporal accepted these events and says, per event in order, whether one with the same key was
 * received before. Call it only after Temporal accepted them: a receipt written first would make the CRM's retry
 * of an event whose signal then failed look like a duplicate, and the event would be reported as taken but lost.
 * The answer is informational; the workflow dedups by key itself, so a wrong flag can never apply an event twice.
 *
 * Requests that arrive while a write is under way go together in the next one (one statement and one commit for
 * all of them): a busy API writes fewer, larger statements, an idle one writes at once.
 */
export function recordReceipts(ledger: Ledger, delivered: readonly DeliveryResult[], opts: { waitMs?: number; maxWaitingRows?: number } = {}): Promise<boolean[]> {
  if (delivered.length === 0) return Promise.resolve([]);
  let writer = writers.get(ledger);
  if (!writer) writers.set(ledger, (writer = new ReceiptWriter(ledger)));
  const waitMs = opts.waitMs ?? WAIT_MS;
  return new Promise((resolve, reject) => {
    const late = setTimeout(() => reject(new Error(`the ledger did not write the ingest receipts within ${waitMs} ms; they are written when it answers`)), waitMs);
    late.unref();
    writer
      .write(delivered, opts.maxWaitingRows ?? MAX_WAITING_ROWS)
      .then(resolve, reject)
      .finally(() => clearTimeout(late));
  });
}

const writers = new WeakMap<Ledger, ReceiptWriter>();

interface Waiting {
  delivered: readonly DeliveryResult[];
  resolve: (duplicates: boolean[]) => void;
  reject: (e: unknown) => void;
}

class ReceiptWriter {
  #waiting: Waiting[] = [];
  #waitingRows = 0;
  #writing = false;

  constructor(private readonly ledger: Ledger) {}

  write(delivered: readonly DeliveryResult[], maxWaitingRows: number): Promise<boolean[]> {
    if (this.#waitingRows > 0 && this.#waitingRows + delivered.length > maxWaitingRows) {
      return Promise.reject(new Error(`${this.#waitingRows} ingest receipts already wait for the ledger; these are not recorded`));
    }
    return new Promise((resolve, reject) => {
      this.#waitingRows += delivered.length;
      this.#waiting.push({ delivered, resolve, reject });
      if (!this.#writing) void this.#drain();
    });
  }

  async #drain(): Promise<void> {
    this.#writing = true;
    try {
      while (this.#waiting.length > 0) await this.#writeNext();
    } finally {
      this.#writing = false;
    }
  }

  /** The requests waiting longest, up to the row limit (a single larger request goes alone), in one statement. */
  async #writeNext(): Promise<void> {
    let rows = 0;
    let n = 0;
    while (n < this.#waiting.length && (n === 0 || rows + this.#waiting[n]!.delivered.length <= MAX_ROWS_PER_WRITE)) rows += this.#waiting[n++]!.delivered.length;
    const batch = this.#waiting.splice(0, n);
    const all = batch.flatMap((w) => w.delivered);
    this.#waitingRows -= all.length;
    let fresh: Set<string>;
    try {
      const inserted = await this.ledger.query<{ event_key: string }>(INSERT_RECEIPTS, [all.map((d) => d.key), all.map((d) => d.workflowId)]);
      fresh = new Set(inserted.map((r) => r.event_key));
    } catch (e) {
      for (const w of batch) w.reject(e);
      return;
    }
    // In arrival order: the first of the same event (in one request or across requests) is new, a repeat the duplicate.
    for (const w of batch) w.resolve(w.delivered.map((d) => !fresh.delete(d.key)));
  }
}
