import { randomUUID } from 'node:crypto';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { parseDocument } from 'yaml';
import { configFor, runCli, startCli } from '../support/cli.ts';
import { eventually } from '../support/eventually.ts';
import { createHarness, type TestHarness } from '../support/temporal.ts';
import { accountWorkflowType } from '../../workflows/definitions.ts';

/**
 * `flywheel import accounts` at book-of-business size, as its own process against the dev server: 5,000 customers
 * from a generated CSV. The first run is interrupted by SIGTERM once receipts show it delivering, the second
 * resumes and completes, the third starts nothing and reports all 5,000 as already imported.
 */

const N = 5_000;
let h: TestHarness;
let configFile: string;
let env: NodeJS.ProcessEnv;
const run = randomUUID().slice(0, 8);
const dir = mkdtempSync(path.join(os.tmpdir(), 'flywheel-import-5k-'));
const csv = path.join(dir, 'book.csv');

beforeAll(async () => {
  h = await createHarness('dev', 'import-cli-5k');
  // What is measured here is the import: that it starts each workflow once (signal-with-start, receipts). Running
  // 5,000 account workflows as well is the account workflow's own tests' business (a sample, time-skipping); this
  // file's worker stops polling so the import is not competing with them for the CPU.
  h.worker.worker.shutdown();
  configFile = await configFor({ ledgerDir: h.ledgerDir });
  const doc = parseDocument(readFileSync(configFile, 'utf8'));
  doc.setIn(['temporal', 'taskQueue'], h.taskQueue);
  writeFileSync(configFile, doc.toString());
  env = { FLYWHEEL_CONFIG: configFile, TEMPORAL_ADDRESS: inject('temporal').devAddress, TEMPORAL_NAMESPACE: 'default', DATABASE_URL: '' };
  const lines = ['id,name,domain,arr,currency,contract_start,contract_end,health_score'];
  for (let i = 0; i < N; i++) {
    const end = new Date(Date.UTC(2027, i % 12, 1 + (i % 28))).toISOString().slice(0, 10);
    lines.push(`imp5k-${run}-${i},Customer ${i},c${i}-${run}.example,${10_000 + i},EUR,2025-06-01,${end},${50 + (i % 50)}`);
  }
  writeFileSync(csv, `${lines.join('\n')}\n`);
});

afterAll(async () => {
  await h?.close();
});

async function receiptCount(): Promise<number> {
  const [row] = await h.ledger.query<{ n: number }>("SELECT count(*)::int AS n FROM ingest_receipts WHERE event_key LIKE 'import://file/book.csv#accounts:%'");
  return row!.n;
}

async function startedWorkflows(): Promise<number> {
  return h.client.workflow.count(`WorkflowType = '${accountWorkflowType}' AND TaskQueue = '${h.taskQueue}'`).then((c) => c.count);
}

describe('flywheel import accounts (5,000 customers, dev server)', () => {
  it('is interrupted by SIGTERM, resumes with the same command, and a second full run starts no workflow', async () => {
    // 1. Interrupted: SIGTERM once receipts show deliveries; the batch in flight finishes, exit 143.
    const first = startCli(['import', 'accounts', csv, '--batch', '100', '--concurrency', '4'], env);
    first.firstJsonLine.catch(() => undefined);
    await eventually(receiptCount, (n) => n >= 100, 'the first batch delivered', 60_000);
    first.child.kill('SIGTERM');
    const stopped = await first.exited;
    expect(stopped.code, stopped.stderr).toBe(143);
    expect(stopped.stderr).toContain('resume with the same command');
    const afterStop = await receiptCount();
    expect(afterStop).toBeGreaterThanOrEqual(100);
    expect(afterStop).toBeLessThan(N);
    expect(afterStop % 100).toBe(0);

    // 2. Resumed: what was delivered is skipped by its receipts, the rest is imported.
    const t0 = performance.now();
    const second = await runCli(['import', 'accounts', csv, '--json', '--concurrency', '64'], env);
    const secondMs = performance.now() - t0;
    expect(second.code, second.stderr).toBe(0);
    const summary = JSON.parse(second.stdout) as { imported: number; alreadyImported: number; bad: unknown[]; perSecond: number };
    expect(summary).toMatchObject({ imported: N - afterStop, alreadyImported: afterStop, bad: [] });
    expect(await receiptCount()).toBe(N);
    await eventually(startedWorkflows, (n) => n === N, `${N} account workflows on the task queue`, 30_000);
    console.log(`import of ${summary.imported} accounts: ${summary.perSecond}/s (run ${Math.round(secondMs)} ms)`);

    // 3. Again: nothing to send, nothing started; it reports them all as already imported.
    const t1 = performance.now();
    const third = await runCli(['import', 'accounts', csv, '--json'], env);
    const thirdMs = performance.now() - t1;
    expect(third.code, third.stderr).toBe(0);
    expect(JSON.parse(third.stdout)).toMatchObject({ imported: 0, alreadyImported: N, bad: [] });
    expect(thirdMs).toBeLessThan(15_000);
    expect(await startedWorkflows()).toBe(N);
    // The non-TTY closing line, no escape codes in a pipe.
    expect(third.stderr).toContain(`imported 0 accounts, already imported: ${N}, bad rows: 0`);
    expect(third.stderr).not.toContain('\x1b[');
  }, 240_000);
});
