import path from 'node:path';
import { Option, type Command } from 'commander';
import { loadConfig } from '../../../config/load.ts';
import type { CrmEvent } from '../../../events/catalog.ts';
import type { Ledger } from '../../../ledger/types.ts';
import { buildEvent, columnMapping, knownFacts, parseMapOptions, type BuildOptions, type ImportKind, type ImportOrigin } from '../../../import/records.ts';
import { badRowLines, badRows, runImport, type BadRow, type ImportPage, type ImportSource, type ImportSummary } from '../../../import/run.ts';
import { readImportFile, UnreadableFileError } from '../../../import/files.ts';
import { CliError } from '../../errors.ts';
import { Progress } from '../../progress.ts';

/**
 * What `flywheel import accounts|leads` share: options, the source (a file or a CRM), the run and its report.
 * Exit codes: 0 everything imported (or imported before), 1 some rows were bad (each reported, the rest imported),
 * 2 usage, an unreadable file or a configuration error, 130/143 interrupted by SIGINT/SIGTERM (resumable).
 */

export interface ImportOptions {
  from?: string;
  map: string[];
  dryRun?: boolean;
  json?: boolean;
  batch: string;
  concurrency: string;
  slaFromHandoff?: boolean;
  route?: boolean;
  stopAfter?: string;
  pageSize?: string;
}

export function importOptions(cmd: Command, kind: ImportKind): Command {
  cmd
    .argument('[file]', 'CSV file with a header row, or NDJSON (.ndjson/.jsonl: one JSON object per line)')
    .option('--from <crm>', 'read from a configured CRM instead of a file: hubspot or salesforce')
    .option('--map <column=fact>', `a column feeds a fact (repeatable; facts: ${knownFacts(kind).join(', ')})`, (v: string, prev: string[]) => [...prev, v], [] as string[])
    .option('--dry-run', 'print what would happen (counts, a sample of events, the bad rows) and deliver nothing')
    .option('--json', 'print the summary as JSON')
    .option('--batch <n>', 'events per delivery batch', '200')
    .option('--concurrency <n>', 'workflows signalled at once', '32')
    .addOption(new Option('--stop-after <batches>', 'test hook: stop as SIGTERM would after this many batches').hideHelp())
    .addOption(new Option('--page-size <n>', 'records per CRM page (default: the CRM maximum, HubSpot 200, Salesforce 2,000)').hideHelp());
  return cmd;
}

export async function importAction(kind: ImportKind, file: string | undefined, opts: ImportOptions): Promise<void> {
  const batch = positiveInt(opts.batch, '--batch');
  const concurrency = positiveInt(opts.concurrency, '--concurrency');
  if (file && opts.from) throw new CliError('give a file or --from, not both', 2);
  if (!file && !opts.from) throw new CliError(`name a file to import, or --from hubspot|salesforce`, 2);
  if (opts.from && opts.from !== 'hubspot' && opts.from !== 'salesforce') throw new CliError(`--from ${opts.from}: expected hubspot or salesforce`, 2);
  let cliMap: Record<string, string>;
  try {
    cliMap = parseMapOptions(opts.map);
  } catch (e) {
    throw new CliError((e as Error).message, 2);
  }
  const known = new Set(knownFacts(kind));
  for (const fact of Object.keys(cliMap)) if (!known.has(fact) && !fact.includes('.')) throw new CliError(`--map ...=${fact}: ${kind} have no fact "${fact}" (known: ${[...known].join(', ')})`, 2);

  const loaded = loadConfig();
  const now = new Date().toISOString();
  const build: Omit<BuildOptions, 'origin' | 'mapping'> = { kind, now, slaFromHandoff: opts.slaFromHandoff, route: opts.route };

  let ledger: (Ledger & { close(): Promise<void> }) | undefined;
  let closeTemporal: (() => Promise<void>) | undefined;
  const cleanup = async () => {
    await closeTemporal?.().catch(() => undefined);
    await ledger?.close().catch(() => undefined);
  };
  let source: ImportSource;
  let label: string;
  try {
    if (!opts.dryRun || opts.from) {
      const { openLedger } = await import('../../../ledger/open.ts');
      const { dataPaths } = await import('../../../runtime/paths.ts');
      ledger = await openLedger({ root: loaded.root, embeddedDir: dataPaths(loaded).ledgerDir, role: 'auto' }).catch((e: Error) => {
        throw new CliError(`the ledger did not open: ${e.message}`, 2);
      });
    }
    if (file) {
      source = fileSource(kind, file, cliMap, build, loaded.config.import?.[kind]?.columns ?? {});
      label = path.basename(file);
    } else {
      const { crmSource } = await import('../../../import/crm.ts');
      source = await crmSource(opts.from as 'hubspot' | 'salesforce', kind, loaded.config, ledger!, {
        ...build,
        explicit: cliMap,
        ...(opts.pageSize ? { pageSize: positiveInt(opts.pageSize, '--page-size') } : {}),
      }).catch((e: Error) => {
        throw e instanceof CliError ? e : new CliError(e.message, 2);
      });
      label = `${opts.from} ${kind}`;
    }

    let deliver: ((events: CrmEvent[]) => Promise<unknown>) | undefined;
    if (!opts.dryRun) {
      const { targetFromEnvironment, connectClient } = await import('../../../temporal/connection.ts');
      const { TemporalEventSink } = await import('../../../ingest/temporalSink.ts');
      const { deliverCrmEvents } = await import('../../../connectors/deliver.ts');
      const { DEFAULT_TASK_QUEUE } = await import('../../../../workflows/definitions.ts');
      const client = await connectClient(targetFromEnvironment()).catch((e: Error) => {
        throw new CliError(`cannot connect to Temporal (TEMPORAL_ADDRESS and friends): ${e.message}`, 2);
      });
      closeTemporal = () => client.connection.close();
      const sink = new TemporalEventSink(client, loaded.config.temporal?.taskQueue ?? DEFAULT_TASK_QUEUE, { concurrency, timeoutMs: 30_000 });
      const deps = { sink, ledger: ledger!, log: { error: (_o: unknown, m?: string) => void process.stderr.write(`warning: ${m ?? 'receipts not written'}\n`) } };
      deliver = (events) => deliverCrmEvents(deps, events);
    }

    let signal: NodeJS.Signals | null = null;
    const onSignal = (s: NodeJS.Signals) => {
      if (signal) process.exit(s === 'SIGINT' ? 130 : 143);
      signal = s;
      process.stderr.write(`\n${s}: finishing the batch in flight, then stopping (a second ${s} exits at once)\n`);
    };
    process.on('SIGINT', onSignal);
    process.on('SIGTERM', onSignal);
    const progress = new Progress(`${opts.dryRun ? 'checking' : 'importing'} ${label}`, source.total);
    let summary: ImportSummary;
    try {
      const { receivedKeys } = await import('../../../import/run.ts');
      summary = await runImport({
        source,
        deliver,
        received: ledger ? (keys) => receivedKeys(ledger!, keys) : undefined,
        batch,
        dryRun: opts.dryRun,
        shouldStop: () => signal !== null,
        stopAfterBatches: opts.stopAfter ? positiveInt(opts.stopAfter, '--stop-after') : undefined,
        onProgress: (p) => progress.update(p.done, p.total),
      }).catch((e: unknown) => {
        // A CRM read failing mid-way: what was delivered has receipts (and the position of the last whole page is stored).
        if (e instanceof Error && e.name === 'CrmImportError') throw new CliError(`${e.message}; resume with the same command (what was delivered is skipped)`, 2);
        throw e;
      });
    } finally {
      process.off('SIGINT', onSignal);
      process.off('SIGTERM', onSignal);
    }
    const rate = summary.seconds > 0 ? summary.imported / summary.seconds : 0;
    const stoppedBy = (signal as NodeJS.Signals | null) ?? (summary.interrupted ? ('SIGTERM' as const) : null);
    progress.finish(
      `${opts.dryRun ? 'would import' : 'imported'} ${summary.imported} ${kind}, already imported: ${summary.alreadyImported}, bad rows: ${summary.bad.length}` +
        `${opts.dryRun ? '' : ` in ${summary.seconds.toFixed(1)}s (${rate.toFixed(0)}/s)`}`,
    );
    report(kind, summary, opts, rate);
    if (stoppedBy) {
      process.stderr.write(`interrupted (${stoppedBy}) after ${summary.imported} imported: resume with the same command; what was delivered is skipped\n`);
      process.exitCode = stoppedBy === 'SIGINT' ? 130 : 143;
      return;
    }
    process.exitCode = summary.bad.length > 0 ? 1 : 0;
  } finally {
    await cleanup();
  }
}

function report(kind: ImportKind, s: ImportSummary, opts: ImportOptions, rate: number): void {
  if (opts.json) {
    process.stdout.write(
      `${JSON.stringify({
        kind,
        dryRun: opts.dryRun === true,
        read: s.read,
        imported: s.imported,
        alreadyImported: s.alreadyImported,
        bad: s.bad,
        interrupted: s.interrupted,
        seconds: Number(s.seconds.toFixed(3)),
        perSecond: Number(rate.toFixed(1)),
        ...(opts.dryRun ? { sample: s.sample } : {}),
      })}\n`,
    );
    return;
  }
  const lines = [`${opts.dryRun ? 'would import' : 'imported'}: ${s.imported}`, `already imported: ${s.alreadyImported}`, `bad rows: ${s.bad.length}`];
  if (opts.dryRun && s.sample.length > 0) {
    lines.push('sample events:');
    for (const e of s.sample) lines.push(`  ${JSON.stringify(e)}`);
  }
  process.stdout.write(`${lines.join('\n')}\n`);
  if (s.bad.length > 0) process.stderr.write(`${badRowLines(s.bad).join('\n')}\n`);
}

function positiveInt(v: string, flag: string): number {
  const n = Number(v);
  if (!Number.isInteger(n) || n < 1) throw new CliError(`${flag} ${v}: expected a whole number >= 1`, 2);
  return n;
}

/** A CSV/NDJSON file as one page: every row built, bad rows and repeated ids reported with file:line (`explicit`: --map, checked against the header). */
export function fileSource(kind: ImportKind, file: string, explicit: Record<string, string>, build: Omit<BuildOptions, 'origin' | 'mapping'>, configured: Record<string, string> = {}): ImportSource {
  const name = path.basename(file);
  let read;
  try {
    read = readImportFile(file);
  } catch (e) {
    if (e instanceof UnreadableFileError) throw new CliError(`${name}: ${e.message}`, 2);
    throw e;
  }
  const headers = new Set(read.headers);
  for (const [fact, column] of Object.entries(explicit)) {
    if (!headers.has(column) && read.rows.length > 0)
      throw new CliError(`${name}: the mapping names column "${column}" (for ${fact}), but the header has ${read.headers.map((h) => `"${h}"`).join(', ')}`, 2);
  }
  // The configuration's columns serve many files: those this file lacks are left to the header names. `--map` is strict.
  const fromConfig = Object.fromEntries(Object.entries(configured).filter(([, column]) => headers.has(column)));
  const mapping = columnMapping(kind, read.headers, { ...fromConfig, ...explicit });
  if (!mapping.id && read.rows.length > 0) throw new CliError(`${name}: no column holds the record id; name one with --map <column>=id or import.${kind}.columns.id`, 2);
  const origin: ImportOrigin = { source: `import://file/${name}`, system: 'file', name };
  const options: BuildOptions = { ...build, origin, mapping };
  const page: ImportPage = { events: [], bad: read.problems.map((p) => ({ where: `${name}:${p.line}`, field: p.field, problem: p.problem })) };
  const firstLine = new Map<string, number>();
  for (const row of read.rows) {
    const where = `${name}:${row.line}`;
    const built = buildEvent(row.values, options, `file/${where}`);
    if (!built.ok) {
      page.bad.push(...badRows(where, built.problems));
      continue;
    }
    const seen = firstLine.get(built.recordId);
    if (seen !== undefined) {
      page.bad.push({ where, field: mapping.id!, problem: `repeats the record id of line ${seen}` });
      continue;
    }
    firstLine.set(built.recordId, row.line);
    page.events.push(built.event);
  }
  page.bad.sort((a, b) => lineOf(a) - lineOf(b));
  return {
    total: read.rows.length + read.problems.length,
    async *pages() {
      yield page;
    },
  };
}

const lineOf = (b: BadRow) => Number(b.where.slice(b.where.lastIndexOf(':') + 1));
