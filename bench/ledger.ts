// Ledger timings on this machine: embedded open, and record() throughput for batches of 1 and 100,
// in the owning process, through the socket from another process, and on PostgreSQL when one can be started.
// Run: node --import tsx bench/ledger.ts [--json]
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { openLedger } from '../src/ledger/open.ts';
import type { Ledger, LedgerEvent } from '../src/ledger/types.ts';
import { startTempPostgres } from '../test/unit/ledger/helpers/tempPostgres.ts';

const SINGLES = 500;
const BATCHES = 30;

function makeEvents(prefix: string, n: number): LedgerEvent[] {
  return Array.from({ length: n }, (_, i) => ({
    key: `${prefix}:${i}`,
    type: 'stage.changed',
    occurredAt: new Date(Date.UTC(2026, 2, 1) + i * 60_000).toISOString(),
    leadId: `lead-${i % 500}`,
    workflowId: `lead:${i % 500}`,
    owner: 'jonas-becker',
    team: 'sales-emea',
    stage: 'sql',
    rulesRevision: 'bench',
    data: { from: 'mql', to: 'sql', reason: 'score above threshold' },
  }));
}

/** Events per second for record() with batches of 1 and of 100 (new keys each time). */
async function throughput(ledger: Ledger, tag: string) {
  // Warm-up: the first few hundred statements include JIT and PGlite's own start-up costs.
  for (const e of makeEvents(`${tag}:warm`, 200)) await ledger.record([e]);
  const singles = makeEvents(`${tag}:one`, SINGLES);
  let t0 = performance.now();
  for (const e of singles) await ledger.record([e]);
  const batch1 = SINGLES / ((performance.now() - t0) / 1000);
  const many = makeEvents(`${tag}:hundred`, BATCHES * 100);
  t0 = performance.now();
  for (let i = 0; i < BATCHES; i++) await ledger.record(many.slice(i * 100, (i + 1) * 100));
  const batch100 = (BATCHES * 100) / ((performance.now() - t0) / 1000);
  t0 = performance.now();
  const dup = await ledger.record(many.slice(0, 100));
  const duplicate100Ms = performance.now() - t0;
  if (dup.duplicates !== 100) throw new Error('expected a batch of duplicates');
  return { batch1: Math.round(batch1), batch100: Math.round(batch100), duplicate100Ms: round(duplicate100Ms) };
}

const round = (n: number) => Math.round(n * 10) / 10;

async function client(root: string) {
  const t0 = performance.now();
  const ledger = await openLedger({ root, role: 'client', databaseUrl: undefined });
  const connectMs = performance.now() - t0;
  const r = await throughput(ledger, 'socket');
  await ledger.close();
  process.stdout.write(`${JSON.stringify({ connectMs: round(connectMs), ...r })}\n`);
}

async function main() {
  const root = mkdtempSync(path.join(os.tmpdir(), 'flywheel-bench-'));
  try {
    let t0 = performance.now();
    const first = await openLedger({ root, role: 'owner', databaseUrl: undefined });
    const freshOpenMs = performance.now() - t0;
    await first.close();
    t0 = performance.now();
    const owner = await openLedger({ root, role: 'owner', databaseUrl: undefined });
    const reopenMs = performance.now() - t0;
    const embedded = await throughput(owner, 'owner');

    const child = spawn(process.execPath, ['--import', 'tsx', fileURLToPath(import.meta.url), '--client', root], { stdio: ['ignore', 'pipe', 'inherit'] });
    let out = '';
    child.stdout.on('data', (d) => (out += d));
    await once(child, 'exit');
    const socket = JSON.parse(out) as Record<string, number>;
    await owner.close();

    let postgres: Record<string, number> | string = 'not available';
    const pg = await startTempPostgres();
    if (pg) {
      try {
        t0 = performance.now();
        const l = await openLedger({ root, databaseUrl: await pg.freshDatabase() });
        const openMs = performance.now() - t0;
        postgres = { openAndMigrateMs: round(openMs), ...(await throughput(l, 'pg')) };
        await l.close();
      } finally {
        await pg.stop();
      }
    }
    const report = {
      machine: `${os.cpus().length} x ${os.cpus()[0]?.model ?? 'cpu'}, load ${os.loadavg().map(round).join(' ')}`,
      embedded: { freshOpenAndMigrateMs: round(freshOpenMs), reopenMs: round(reopenMs), ...embedded },
      socket,
      postgres,
    };
    if (process.argv.includes('--json')) process.stdout.write(`${JSON.stringify(report, null, 2)}\n`);
    else {
      const rate = (r: Record<string, unknown> | string) => (typeof r === 'string' ? r : `batch of 1: ${r.batch1} events/s, batch of 100: ${r.batch100} events/s`);
      process.stdout.write(
        [
          `machine        ${report.machine}`,
          `embedded open  fresh directory (initdb + migrate) ${report.embedded.freshOpenAndMigrateMs} ms, existing ${report.embedded.reopenMs} ms`,
          `embedded       ${rate(embedded)}`,
          `socket         ${rate(socket)} (connect ${socket.connectMs} ms)`,
          `postgres       ${rate(postgres)}`,
        ].join('\n') + '\n',
      );
    }
  } finally {
    rmSync(root, { recursive: true, force: true });
  }
}

const i = process.argv.indexOf('--client');
if (i > 0) await client(process.argv[i + 1]!);
else await main();
