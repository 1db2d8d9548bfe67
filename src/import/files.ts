import { readFileSync } from 'node:fs';
import { parse } from 'csv-parse/sync';

/**
 * Import files -> rows with their line numbers: CSV with a header row (RFC 4180, through csv-parse: quoted fields,
 * embedded commas and line breaks, a BOM) or NDJSON (one JSON object per line; nested objects are flattened to
 * dotted columns, `{"health":{"score":80}}` -> `health.score`). A line that cannot be read is a problem with its
 * line number, and the rest of the file is still read.
 */

export interface FileRow {
  /** 1-based line where the record starts. */
  line: number;
  values: Record<string, unknown>;
}

export interface FileProblem {
  line: number;
  field: string;
  problem: string;
}

export interface ReadFile {
  format: 'csv' | 'ndjson';
  headers: string[];
  rows: FileRow[];
  problems: FileProblem[];
}

export class UnreadableFileError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'UnreadableFileError';
  }
}

export function formatOf(file: string, text: string): 'csv' | 'ndjson' {
  if (/\.(ndjson|jsonl)$/i.test(file)) return 'ndjson';
  if (/\.csv$/i.test(file)) return 'csv';
  return text.trimStart().startsWith('{') ? 'ndjson' : 'csv';
}

export function readImportFile(file: string): ReadFile {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (e) {
    throw new UnreadableFileError(`cannot read ${file}: ${(e as NodeJS.ErrnoException).code ?? (e as Error).message}`);
  }
  return formatOf(file, text) === 'ndjson' ? parseNdjson(text) : parseCsv(text);
}

export function parseCsv(text: string): ReadFile {
  const problems: FileProblem[] = [];
  let records: { record: string[]; info: { lines: number } }[];
  try {
    records = parse(text, {
      bom: true,
      info: true,
      skip_empty_lines: true,
      relax_column_count: true,
      trim: true,
    }) as unknown as { record: string[]; info: { lines: number } }[];
  } catch (e) {
    // A quote never closed: csv-parse stops there; everything before it is lost to the parser, so say where.
    const err = e as { lines?: number; message: string };
    throw new UnreadableFileError(`line ${err.lines ?? '?'}: ${err.message.replace(/^Invalid Record Length: |^[A-Z_]+: /, '')}`);
  }
  if (records.length === 0) throw new UnreadableFileError('the file has no header row');
  const headers = records[0]!.record.map((h) => h.trim());
  const empty = headers.findIndex((h) => h === '');
  if (empty >= 0) throw new UnreadableFileError(`line 1: column ${empty + 1} has no name in the header row`);
  const rows: FileRow[] = [];
  // info.lines is the line the record ends on; a record spans as many lines as its quoted line breaks add.
  for (const { record, info } of records.slice(1)) {
    const newlines = record.reduce((n, f) => n + (f.match(/\n/g)?.length ?? 0), 0);
    const line = info.lines - newlines;
    if (record.length !== headers.length) {
      problems.push({ line, field: '(row)', problem: `has ${record.length} field(s), the header has ${headers.length}` });
      continue;
    }
    rows.push({ line, values: Object.fromEntries(headers.map((h, i) => [h, record[i]])) });
  }
  return { format: 'csv', headers, rows, problems };
}

export function parseNdjson(text: string): ReadFile {
  const rows: FileRow[] = [];
  const problems: FileProblem[] = [];
  const headers = new Set<string>();
  text.split(/\r?\n/).forEach((raw, i) => {
    const line = i + 1;
    const s = raw.trim();
    if (s === '') return;
    let v: unknown;
    try {
      v = JSON.parse(s);
    } catch (e) {
      problems.push({ line, field: '(json)', problem: (e as Error).message.replace(/ in JSON at position \d+.*$/, '') });
      return;
    }
    if (typeof v !== 'object' || v === null || Array.isArray(v)) {
      problems.push({ line, field: '(json)', problem: 'is not a JSON object' });
      return;
    }
    const values = flatten(v as Record<string, unknown>);
    for (const k of Object.keys(values)) headers.add(k);
    rows.push({ line, values });
  });
  return { format: 'ndjson', headers: [...headers], rows, problems };
}

function flatten(o: Record<string, unknown>, prefix = '', out: Record<string, unknown> = {}): Record<string, unknown> {
  for (const [k, v] of Object.entries(o)) {
    if (typeof v === 'object' && v !== null && !Array.isArray(v)) flatten(v as Record<string, unknown>, `${prefix}${k}.`, out);
    else out[`${prefix}${k}`] = v;
  }
  return out;
}
