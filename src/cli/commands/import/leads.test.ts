import { randomUUID } from 'node:crypto';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { parseDocument } from 'yaml';
import { configFor, runCliInProcess } from '../../../../test/support/cli.ts';
import { createHarness, type TestHarness } from '../../../../test/support/temporal.ts';
import { leadWorkflowId } from '../../../../workflows/definitions.ts';

let h: TestHarness;
let configFile: string;
const dir = mkdtempSync(path.join(os.tmpdir(), 'flywheel-import-leads-'));
const run = randomUUID().slice(0, 8);
const envBefore = { address: process.env.TEMPORAL_ADDRESS, namespace: process.env.TEMPORAL_NAMESPACE };

beforeAll(async () => {
  h = await createHarness('dev', 'import-leads-cli');
  configFile = await configFor({ ledgerDir: h.ledgerDir });
  const doc = parseDocument(readFileSync(configFile, 'utf8'));
  doc.setIn(['temporal', 'taskQueue'], h.taskQueue);
  // The configuration's column mapping: the CRM export calls the owner "Lead Owner".
  doc.setIn(['import', 'leads', 'columns'], { owner: 'Lead Owner' });
  writeFileSync(configFile, doc.toString());
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

async function receipts(keys: string[]): Promise<string[]> {
  const rows = await h.ledger.query<{ event_key: string }>('SELECT event_key FROM ingest_receipts WHERE event_key = ANY($1::text[]) ORDER BY event_key', [keys]);
  return rows.map((r) => r.event_key);
}

async function started(leadId: string): Promise<boolean> {
  try {
    await h.client.workflow.getHandle(leadWorkflowId(leadId)).describe();
    return true;
  } catch (e) {
    if (/not found/i.test(String(e))) return false;
    throw e;
  }
}

type Sample = { id: string; type: string; subject: string; data: Record<string, unknown> };

describe('flywheel import leads <file.ndjson>', () => {
  const id = (n: number) => `impl-${run}-${n}`;
  const rows = [
    {
      ref: id(1),
      contact: { email: 'jana.weber@fjord.example', first: 'Jana' },
      company: 'Fjord GmbH',
      country: 'Germany',
      employees: 250,
      'Lead Owner': 'anna-schmidt',
      stage: 'Engage',
      status: 'working',
      handoffAt: '2026-11-02T09:00:00Z',
    },
    { ref: id(2), contact: { email: 'not-an-address', first: 'Ola' }, company: 'Nord AS', stage: 'Engage', status: 'working', 'Lead Owner': 'anna-schmidt', handoffAt: '2026-11-02T09:00:00Z' },
    { ref: id(3), contact: { email: 'li.wei@shop.example', first: 'Li' }, company: 'Shop Ltd', stage: 'Attract', status: 'mql' },
  ];
  const text = `${rows.map((r) => JSON.stringify(r)).join('\n')}\n{"ref": "${id(4)}", oops\n`;
  const file = path.join(dir, 'open-leads.ndjson');
  writeFileSync(file, text);
  const maps = ['--map', 'ref=id', '--map', 'contact.email=email', '--map', 'contact.first=firstName'];

  it('--dry-run shows the events built through --map and the config mapping, with the SLA clock asked for, and sends nothing', async () => {
    const res = await runCliInProcess(['import', 'leads', file, ...maps, '--sla-from-handoff', '--dry-run', '--json'], configFile);
    expect(res.code, res.stderr).toBe(1);
    const out = JSON.parse(res.stdout) as { imported: number; bad: { where: string; field: string; problem: string }[]; sample: Sample[] };
    expect(out.bad).toEqual([
      { where: 'open-leads.ndjson:2', field: 'contact.email', problem: 'is not an e-mail address' },
      { where: 'open-leads.ndjson:3', field: 'handoffAt', problem: 'is required with --sla-from-handoff (the recorded hand-off time)' },
      expect.objectContaining({ where: 'open-leads.ndjson:4', field: '(json)' }),
    ]);
    expect(out.imported).toBe(1);
    expect(out.sample[0]).toMatchObject({
      id: `leads:${id(1)}`,
      type: 'lead.imported',
      subject: id(1),
      data: {
        email: 'jana.weber@fjord.example',
        firstName: 'Jana',
        country: 'DE',
        employees: 250,
        owner: 'anna-schmidt',
        stage: 'Engage',
        status: 'working',
        handoffAt: '2026-11-02T09:00:00Z',
        sla: { start: true },
        importedFrom: 'file/open-leads.ndjson:1',
      },
    });
    expect(await receipts([`import://file/open-leads.ndjson#leads:${id(1)}`])).toEqual([]);
    expect(await started(id(1))).toBe(false);
  });

  it('imports the good NDJSON lines into lead workflows, reports the bad ones with file:line and exits 1; a re-run imports nothing', async () => {
    for (const n of [1, 3]) h.track(leadWorkflowId(id(n)));
    const res = await runCliInProcess(['import', 'leads', file, ...maps], configFile);
    expect(res.code, res.stderr).toBe(1);
    expect(res.stderr).toContain('open-leads.ndjson:2: contact.email: is not an e-mail address');
    expect(res.stderr).toMatch(/open-leads\.ndjson:4: \(json\): /);
    const keys = [1, 2, 3].map((n) => `import://file/open-leads.ndjson#leads:${id(n)}`);
    expect(await receipts(keys)).toEqual([keys[0], keys[2]].sort());
    expect(await started(id(1))).toBe(true);
    expect(await started(id(3))).toBe(true);
    expect(await started(id(2))).toBe(false);

    const again = await runCliInProcess(['import', 'leads', file, ...maps, '--json'], configFile);
    expect(again.code).toBe(1);
    expect(JSON.parse(again.stdout)).toMatchObject({ imported: 0, alreadyImported: 2 });
  });
});
