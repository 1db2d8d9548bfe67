import type { CrmEvent } from '../events/catalog.ts';
import { eventKey } from '../events/catalog.ts';
import type { Ledger } from '../ledger/types.ts';
import type { RowProblem } from './records.ts';

/**
 * The import loop, the same for files and CRMs: pages of built records come in; events already received (an ingest
 * receipt holds their key) are skipped before anything is sent; the rest go out in batches through `deliver` (the
 * connectors' delivery path: validation, signal-with-start, receipts). After each page a CRM source's position is
 * saved, so an interrupted import resumes at the page it was in (rows of it already delivered are skipped by their
 * receipts). A stop request (SIGINT/SIGTERM) is honoured between batches: the batch in flight finishes first.
 */

export interface BadRow {
  /** `file.csv:12` or `hubspot companies/123`. */
  where: string;
  field: string;
  problem: string;
}

export interface ImportPage {
  events: CrmEvent[];
  bad: BadRow[];
  /** The source's position after this page (a CRM's paging cursor); undefined for files, null at the end. */
  position?: string | null;
}

export interface ImportSource {
  /** Records in the source, when known (the progress bar's total). */
  total?: number;
  pages(): AsyncIterable<ImportPage>;
  /** Stores the position after a fully delivered page. */
  savePosition?(position: string | null): Promise<void>;
}

export interface ImportRunOptions {
  source: ImportSource;
  /** Delivers events; resolves once Temporal has them and receipts are written. */
  deliver?: (events: CrmEvent[]) => Promise<unknown>;
  /** Keys (source#id) of events received before; absent in a dry run without a ledger. */
  received?: (keys: string[]) => Promise<Set<string>>;
  batch: number;
  dryRun?: boolean;
  shouldStop?: () => boolean;
  /** Test hook: stop (as a signal would) after this many delivered batches. */
  stopAfterBatches?: number;
  onProgress?: (p: ImportProgress) => void;
  /** How many events a dry run keeps as a sample. */
  sampleSize?: number;
}

export interface ImportProgress {
  /** Records dealt with: imported, already imported or bad. */
  done: number;
  total?: number;
}

export interface ImportSummary {
  read: number;
  imported: number;
  alreadyImported: number;
  bad: BadRow[];
  interrupted: boolean;
  sample: CrmEvent[];
  seconds: number;
}

export async function runImport(o: ImportRunOptions): Promise<ImportSummary> {
  const started = performance.now();
  const s: ImportSummary = { read: 0, imported: 0, alreadyImported: 0, bad: [], interrupted: false, sample: [], seconds: 0 };
  let batches = 0;
  const progress = () => o.onProgress?.({ done: s.imported + s.alreadyImported + s.bad.length, total: o.source.total });
  const stopNow = () => (o.shouldStop?.() ?? false) || (o.stopAfterBatches !== undefined && batches >= o.stopAfterBatches);
  for await (const page of o.source.pages()) {
    s.read += page.events.length + page.bad.length;
    s.bad.push(...page.bad);
    let fresh = page.events;
    if (o.received && fresh.length > 0) {
      const seen = new Set<string>();
      for (let i = 0; i < fresh.length; i += 1000) for (const k of await o.received(fresh.slice(i, i + 1000).map(eventKey))) seen.add(k);
      fresh = page.events.filter((e) => !seen.has(eventKey(e)));
      s.alreadyImported += page.events.length - fresh.length;
    }
    progress();
    if (o.dryRun) {
      for (const e of fresh) if (s.sample.length < (o.sampleSize ?? 3)) s.sample.push(e);
      s.imported += fresh.length;
      continue;
    }
    for (let i = 0; i < fresh.length; i += o.batch) {
      if (stopNow()) {
        s.interrupted = true;
        break;
      }
      const batch = fresh.slice(i, i + o.batch);
      await o.deliver!(batch);
      batches++;
      s.imported += batch.length;
      progress();
    }
    if (s.interrupted) break;
    if (page.position !== undefined) await o.source.savePosition?.(page.position);
    if (stopNow() && page.position !== null && page.position !== undefined) {
      s.interrupted = true;
      break;
    }
  }
  s.seconds = (performance.now() - started) / 1000;
  return s;
}

/** Which of these receipt keys the ledger holds. */
export async function receivedKeys(ledger: Ledger, keys: string[]): Promise<Set<string>> {
  if (keys.length === 0) return new Set();
  const rows = await ledger.query<{ event_key: string }>('SELECT event_key FROM ingest_receipts WHERE event_key = ANY($1::text[])', [keys]);
  return new Set(rows.map((r) => r.event_key));
}

const OFFSET_CONNECTOR = 'import';

/** A CRM import's saved paging position (null: none saved, start at the beginning). */
export async function loadPosition(ledger: Ledger, source: string, stream: string): Promise<string | null> {
  const rows = await ledger.query<{ position: string }>('SELECT position FROM connector_offsets WHERE connector = $1 AND source = $2 AND stream = $3', [OFFSET_CONNECTOR, source, stream]);
  return rows[0]?.position ?? null;
}

/** Saves the position after a delivered page; null (the source is read to its end) deletes it. */
export async function savePosition(ledger: Ledger, source: string, stream: string, position: string | null): Promise<void> {
  if (position === null) {
    await ledger.query('DELETE FROM connector_offsets WHERE connector = $1 AND source = $2 AND stream = $3', [OFFSET_CONNECTOR, source, stream]);
    return;
  }
  await ledger.query(
    `INSERT INTO connector_offsets (connector, source, stream, position, updated_at) VALUES ($1, $2, $3, $4, now())
     ON CONFLICT (connector, source, stream) DO UPDATE SET position = EXCLUDED.position, updated_at = now()`,
    [OFFSET_CONNECTOR, source, stream, position],
  );
}

/** Rows with problems -> `where: field: problem` lines. */
export function badRowLines(bad: readonly BadRow[]): string[] {
  return bad.map((b) => `${b.where}: ${b.field}: ${b.problem}`);
}

/** A row's problems as BadRows. */
export function badRows(where: string, problems: readonly RowProblem[]): BadRow[] {
  return problems.map((p) => ({ where, field: p.field, problem: p.problem }));
}
