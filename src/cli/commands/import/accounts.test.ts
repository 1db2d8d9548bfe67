import { randomUUID } from 'node:crypto';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { parseDocument } from 'yaml';
import { configFor, runCliInProcess } from '../../../../test/support/cli.ts';
import { createHarness, type TestHarness } from '../../../../test/support/temporal.ts';
import { accountWorkflowId } from '../../../../workflows/definitions.ts';

let h: TestHarness;
let configFile: string;
const dir = mkdtempSync(path.join(os.tmpdir(), 'flywheel-import-accounts-'));
const run = randomUUID().slice(0, 8);
const envBefore = { address: process.env.TEMPORAL_ADDRESS, namespace: process.env.TEMPORAL_NAMESPACE };

beforeAll(async () => {
  h = await createHarness('dev', 'import-accounts-cli');
  configFile = await configFor({ ledgerDir: h.ledgerDir });
  const doc = parseDocument(readFileSync(configFile, 'utf8'));
  doc.setIn(['temporal', 'taskQueue'], h.taskQueue);
  writeFileSync(configFile, doc.toString());
  // The import reaches Temporal from the environment, as `flywheel worker` does.
  process.env.TEMPORAL_ADDRESS = inject('temporal').devAddress;
  process.env.TEMPORAL_NAMESPACE = 'default';
});

afterAll(async () => {
  if (envBefore.address === undefined) delete process.env.TEMPORAL_ADDRESS;
  else process.env.TEMPORAL_ADDRESS = envBefore.address;
  if (envBefore.namespace === undefined) delete process.env.TEMPORAL_NAMESPACE;
  else process.env.TEMPORAL_NAMESPACE = envBefore.namespace;
  await h?.close();
});

function file(name: string, text: string): string {
  const f = path.join(dir, name);
  writeFileSync(f, text);
  return f;
}

async function receipts(keys: string[]): Promise<string[]> {
  const rows = await h.ledger.query<{ event_key: string }>('SELECT event_key FROM ingest_receipts WHERE event_key = ANY($1::text[]) ORDER BY event_key', [keys]);
  return rows.map((r) => r.event_key);
}

async function started(accountId: string): Promise<boolean> {
  try {
    await h.client.workflow.getHandle(accountWorkflowId(accountId)).describe();
    return true;
  } catch (e) {
    if (/not found/i.test(String(e))) return false;
    throw e;
  }
}

const HEADER = 'Account ID,Name,Domain,ARR,Currency,Contract Start,Contract End,CS Owner,Health Score,Health Band';

describe('flywheel import accounts <file>', () => {
  it('reports each bad row as file:line: field: problem, imports the rest and exits 1', async () => {
    const id = (n: number) => `imp-${run}-bad-${n}`;
    const csv = file(
      'customers.csv',
      [
        HEADER,
        `${id(1)},Acme GmbH,acme.example,120000,EUR,2025-01-01,2026-12-31,,80,green`,
        `${id(2)},"Beta, Inc",beta.example,lots,EUR,2025-01-01,2026-12-31,,70,yellow`,
        `${id(3)},Gamma,gamma.example,5000,EUR,2025-01-01,31/12/2026,,70,green`,
        `${id(4)},"Delta ""the"" Company",https://www.delta.example/about,5000,EUR,2025-01-01,2027-03-31,,,`,
        `${id(1)},Acme again,acme.example,1,EUR,,,,,`,
        `${id(6)},too,few`,
      ].join('\n'),
    );
    for (const n of [1, 4]) h.track(accountWorkflowId(id(n)));
    const res = await runCliInProcess(['import', 'accounts', csv], configFile);
    expect(res.code, res.stderr).toBe(1);
    expect(res.stderr).toContain('customers.csv:3: ARR: is not a number');
    expect(res.stderr).toContain('customers.csv:4: Contract End: must match format "date" or must match format "date-time"');
    expect(res.stderr).toContain('customers.csv:6: Account ID: repeats the record id of line 2');
    expect(res.stderr).toContain('customers.csv:7: (row): has 3 field(s), the header has 10');
    expect(res.stdout).toContain('imported: 2');
    expect(res.stdout).toContain('bad rows: 4');
    const keys = [1, 2, 3, 4].map((n) => `import://file/customers.csv#accounts:${id(n)}`);
    expect(await receipts(keys)).toEqual([keys[0], keys[3]].sort());
    expect(await started(id(1))).toBe(true);
    expect(await started(id(4))).toBe(true);
    expect(await started(id(2))).toBe(false);
  });

  it('--dry-run prints counts, a sample event and the bad rows, and delivers nothing', async () => {
    const id = (n: number) => `imp-${run}-dry-${n}`;
    const csv = file('dry.csv', [HEADER, `${id(1)},Acme,acme.example,1000,EUR,2025-01-01,2026-12-31,,,`, `${id(2)},Beta,beta.example,-5,EUR,2025-01-01,2026-12-31,,,`].join('\n'));
    const res = await runCliInProcess(['import', 'accounts', csv, '--dry-run', '--json'], configFile);
    expect(res.code, res.stderr).toBe(1);
    const out = JSON.parse(res.stdout) as {
      dryRun: boolean;
      imported: number;
      bad: { where: string; field: string }[];
      sample: { id: string; type: string; source: string; data: Record<string, unknown> }[];
    };
    expect(out).toMatchObject({ dryRun: true, imported: 1, bad: [{ where: 'dry.csv:3', field: 'ARR' }] });
    expect(out.sample).toEqual([
      expect.objectContaining({ id: `accounts:${id(1)}`, type: 'account.imported', source: 'import://file/dry.csv', data: expect.objectContaining({ arr: 1000, contractEnd: '2026-12-31' }) }),
    ]);
    expect(await receipts([`import://file/dry.csv#accounts:${id(1)}`])).toEqual([]);
    expect(await started(id(1))).toBe(false);
  });

  it('exits 2 for an unreadable file and for a --map naming a column the header lacks', async () => {
    const missing = await runCliInProcess(['import', 'accounts', path.join(dir, 'nope.csv')], configFile);
    expect(missing.code).toBe(2);
    expect(missing.stderr).toContain('cannot read');
    const csv = file('map.csv', [HEADER, `imp-${run}-map-1,Acme,acme.example,1000,EUR,2025-01-01,2026-12-31,,,`].join('\n'));
    const badMap = await runCliInProcess(['import', 'accounts', csv, '--map', 'Annual Revenue=arr', '--dry-run'], configFile);
    expect(badMap.code).toBe(2);
    expect(badMap.stderr).toContain('the mapping names column "Annual Revenue" (for arr)');
    const both = await runCliInProcess(['import', 'accounts', csv, '--from', 'hubspot'], configFile);
    expect(both.code).toBe(2);
  });
});
