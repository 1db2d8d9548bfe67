import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseDocument } from 'yaml';
import { freePort } from '../../src/temporal/ports.ts';
import { isAlive, runCli } from '../support/cli.ts';

/**
 * A throwaway copy of the demo config on free ports, so the test never meets a developer's demo or dev stack.
 * Its root is a temp folder (data goes there); the rules stay the real demo/rules.
 */
async function demoProject(): Promise<{ root: string; configFile: string }> {
  const root = mkdtempSync(path.join(os.tmpdir(), 'flywheel-demo-'));
  const doc = parseDocument(readFileSync(new URL('../../demo/config/flywheel.yaml', import.meta.url), 'utf8'));
  const api = await freePort();
  doc.setIn(['temporal', 'devServer', 'port'], await freePort());
  doc.setIn(['temporal', 'devServer', 'uiPort'], await freePort());
  doc.setIn(['server', 'port'], api);
  // The stand-in CRM that receives assignment and escalation webhooks is served on the API's own port.
  doc.setIn(['connections', 'crmWebhook', 'url'], `http://127.0.0.1:${api}/v1/dev/crm-sink`);
  doc.setIn(['rules', 'dir'], fileURLToPath(new URL('../../demo/rules', import.meta.url)));
  mkdirSync(path.join(root, 'config'));
  const configFile = path.join(root, 'config', 'flywheel.yaml');
  writeFileSync(configFile, doc.toString());
  return { root, configFile };
}

interface Summary {
  ok: boolean;
  missing: string[];
  counts: Record<string, number>;
  medians: { timeToFirstTouchMs: number | null; timeToFirstMeetingMs: number | null };
  delivery: { events: number; redelivered: number; acknowledgedDuplicates: number; rejected: number };
  temporalPid: number | null;
  queries: { query: string; url: string | null }[];
}

describe('flywheel demo', () => {
  let project: { root: string; configFile: string };
  beforeAll(async () => {
    project = await demoProject();
  });
  afterAll(() => rmSync(project.root, { recursive: true, force: true }));

  it('routes, meets, breaches, reassigns and wins through the signed API, then stops everything with --exit', { timeout: 150_000 }, async () => {
    // With a secret set, every simulated CRM request must be signed, as a real CRM's would be.
    const env = { FLYWHEEL_CONFIG: project.configFile, FLYWHEEL_INGEST_SECRET: 'demo-test-secret' };
    const r = await runCli(['demo', '--exit', '--leads', '60', '--minutes', '0.5', '--json'], env);
    expect(r.code, r.stderr).toBe(0);

    const lines = r.stdout.trim().split('\n');
    expect(lines, 'stdout holds only the JSON summary').toHaveLength(1);
    const s = JSON.parse(lines[0]!) as Summary;
    expect(s.ok).toBe(true);
    expect(s.missing).toEqual([]);
    expect(s.counts.sent).toBe(60);
    for (const k of ['routed', 'met', 'breached', 'reassigned', 'won']) expect(s.counts[k], k).toBeGreaterThan(0);
    expect(s.medians.timeToFirstTouchMs).toBeGreaterThan(0);
    expect(s.delivery.rejected).toBe(0);
    expect(s.delivery.redelivered).toBeGreaterThan(0);
    // A redelivery goes out only after the first copy was answered, so the API always recognises it.
    expect(s.delivery.acknowledgedDuplicates).toBe(s.delivery.redelivered);
    expect(s.queries.map((q) => q.query)).toContain('FlywheelStage="Engage" AND SlaStatus="breached"');

    expect(s.temporalPid).toBeGreaterThan(0);
    expect(isAlive(s.temporalPid!)).toBe(false);
    // The demo's data lives under the config's project root, never in the developer's .flywheel/.
    expect(existsSync(path.join(project.root, '.flywheel', 'ledger'))).toBe(true);
  });

  it('refuses to reset data that an earlier demo did not create', async () => {
    const other = await demoProject();
    try {
      mkdirSync(path.join(other.root, '.flywheel', 'ledger'), { recursive: true });
      const r = await runCli(['demo', '--exit'], { FLYWHEEL_CONFIG: other.configFile });
      expect(r.code).toBe(1);
      expect(r.stderr).toMatch(/hold\(s\) data that `flywheel demo` did not create/);
      expect(existsSync(path.join(other.root, '.flywheel', 'ledger'))).toBe(true);
    } finally {
      rmSync(other.root, { recursive: true, force: true });
    }
  });
});
