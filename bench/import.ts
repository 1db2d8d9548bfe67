// Import throughput: `flywheel import accounts|leads` (file source -> receipts check -> batches through the
// connectors' delivery path: validation, signal-with-start, receipts) beside the bare-Temporal floor measured in the
// same run at the same concurrency (signal-with-start of the one-activity floor workflow), and the re-run of the
// same file (every row already imported: nothing sent). Wired from bench/leads.ts (--import N, --import-concurrency C).
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { randomBytes } from 'node:crypto';
import { fileSource } from '../src/cli/commands/import/action.ts';
import { deliverCrmEvents } from '../src/connectors/deliver.ts';
import { TemporalEventSink } from '../src/ingest/temporalSink.ts';
import type { ImportKind } from '../src/import/records.ts';
import { receivedKeys, runImport } from '../src/import/run.ts';
import { benchFloorSignal, benchFloorType } from './floorDefinitions.ts';
import type { BenchStack } from './stack.ts';

export interface ImportFigures {
  records: number;
  concurrency: number;
  batch: number;
  /** Bare signal-with-starts per second at the same concurrency. */
  floorPerSecond: number;
  accountsPerSecond: number;
  leadsPerSecond: number;
  /** The accounts file again: every row already imported, nothing sent. */
  rerunSeconds: number;
  rerunAlreadyImported: number;
}

async function floor(stack: BenchStack, n: number, concurrency: number, run: string): Promise<number> {
  let next = 0;
  const t0 = performance.now();
  const lane = async () => {
    for (let i = next++; i < n; i = next++) {
      await stack.client.withDeadline(Date.now() + 30_000, () =>
        stack.client.workflow.signalWithStart(benchFloorType, { workflowId: `floor:import-${run}-${i}`, taskQueue: stack.taskQueue, args: [], signal: benchFloorSignal, signalArgs: [] }),
      );
    }
  };
  await Promise.all(Array.from({ length: concurrency }, lane));
  return n / ((performance.now() - t0) / 1000);
}

function csv(kind: ImportKind, n: number, run: string): string {
  const lines =
    kind === 'accounts'
      ? ['id,name,domain,arr,currency,contract_start,contract_end,cs_owner,health_score']
      : ['id,email,first_name,last_name,company,domain,country,employees,stage,status,owner,handoff_at'];
  for (let i = 0; i < n; i++) {
    const end = new Date(Date.UTC(2027, i % 12, 1 + (i % 28))).toISOString().slice(0, 10);
    lines.push(
      kind === 'accounts'
        ? `acct-${run}-${i},Customer ${i},c${i}-${run}.example,${10_000 + i},EUR,2025-06-01,${end},,${50 + (i % 50)}`
        : `lead-${run}-${i},p${i}@l${i}-${run}.example,Jana,Weber,Shop ${i} GmbH,l${i}-${run}.example,DE,${20 + (i % 500)},Engage,assigned,anna-schmidt,2026-11-02T09:00:00Z`,
    );
  }
  return `${lines.join('\n')}\n`;
}

async function importFile(stack: BenchStack, kind: ImportKind, file: string, concurrency: number, batch: number) {
  const sink = new TemporalEventSink(stack.client, stack.taskQueue, { concurrency, timeoutMs: 30_000 });
  const deps = { sink, ledger: stack.ledger };
  return runImport({
    source: fileSource(kind, file, {}, { kind, now: new Date().toISOString() }),
    deliver: (events) => deliverCrmEvents(deps, events),
    received: (keys) => receivedKeys(stack.ledger, keys),
    batch,
  });
}

/**
 * Floor, accounts and leads alternate in `rounds` slices (as bench/leads.ts alternates floor and Flywheel), so the
 * worker still busy with one contender's workflows, or a burst of other load, lands on all three alike.
 */
export async function importSection(stack: BenchStack, n: number, concurrency: number, batch = 200, rounds = 2): Promise<ImportFigures> {
  const run = randomBytes(3).toString('hex');
  const dir = mkdtempSync(path.join(os.tmpdir(), 'flywheel-bench-import-'));
  const per = Math.max(1, Math.floor(n / rounds));
  const took = { floor: 0, accounts: 0, leads: 0 };
  const done = { floor: 0, accounts: 0, leads: 0 };
  try {
    const accountFiles: string[] = [];
    for (let k = 0; k < rounds; k++) {
      const files = { accounts: path.join(dir, `accounts-${k}.csv`), leads: path.join(dir, `leads-${k}.csv`) };
      writeFileSync(files.accounts, csv('accounts', per, `${run}r${k}`));
      writeFileSync(files.leads, csv('leads', per, `${run}r${k}`));
      accountFiles.push(files.accounts);
      const floorRate = await floor(stack, per, concurrency, `${run}r${k}`);
      took.floor += per / floorRate;
      done.floor += per;
      const accounts = await importFile(stack, 'accounts', files.accounts, concurrency, batch);
      const leads = await importFile(stack, 'leads', files.leads, concurrency, batch);
      if (accounts.bad.length || leads.bad.length) throw new Error(`bench import rows refused: ${JSON.stringify([...accounts.bad, ...leads.bad].slice(0, 3))}`);
      took.accounts += accounts.seconds;
      done.accounts += accounts.imported;
      took.leads += leads.seconds;
      done.leads += leads.imported;
    }
    const rerun = await importFile(stack, 'accounts', accountFiles[0]!, concurrency, batch);
    return {
      records: per * rounds,
      concurrency,
      batch,
      floorPerSecond: done.floor / took.floor,
      accountsPerSecond: done.accounts / took.accounts,
      leadsPerSecond: done.leads / took.leads,
      rerunSeconds: rerun.seconds,
      rerunAlreadyImported: rerun.alreadyImported,
    };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

export function renderImport(f: ImportFigures): string[] {
  const x = (a: number) => `${(a / f.floorPerSecond).toFixed(2)}x`;
  return [
    '',
    `### Import throughput (${f.records} records per kind, concurrency ${f.concurrency}, batches of ${f.batch})`,
    '',
    "Per second from the first batch sent to the last receipt written, over alternating floor/accounts/leads slices. Floor: bare signal-with-start of the one-activity workflow at the same concurrency, same run, same worker. Re-run: the first slice's accounts file again.",
    '',
    '| path | records/s | vs floor |',
    '| --- | --- | --- |',
    `| floor (signal-with-start) | ${f.floorPerSecond.toFixed(0)} | 1.00x |`,
    `| import accounts | ${f.accountsPerSecond.toFixed(0)} | ${x(f.accountsPerSecond)} |`,
    `| import leads | ${f.leadsPerSecond.toFixed(0)} | ${x(f.leadsPerSecond)} |`,
    `| re-run accounts (all already imported) | ${f.rerunAlreadyImported} skipped in ${f.rerunSeconds.toFixed(2)} s | |`,
  ];
}
