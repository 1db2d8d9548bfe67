import { cpSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openLedger } from '../../../ledger/open.ts';
import type { OpenedLedger } from '../../../ledger/types.ts';
import { whyRecord } from '../../../decisions/why.ts';
import { loadRules } from '../../../rules/load.ts';
import { configFor, runCliInProcess } from '../../../../test/support/cli.ts';
import { recordBreachJourney, type Journey } from '../../../../test/support/decisionJourney.ts';
import { midMarketLead } from '../../../../test/support/leads.ts';
import { pgliteTemplate, removeTempRoots, tempRoot } from '../../../../test/unit/ledger/helpers/fixtures.ts';

const T = 120_000;
const RULES = fileURLToPath(new URL('../../../../rules', import.meta.url));
const LEAD = 'why-lead-1';
const PERSON = midMarketLead({ email: 'erin.quarshie@shopco.example', firstName: 'Erin', lastName: 'Quarshie', phone: '+49 30 5550199' });

let ledger: OpenedLedger;
let ledgerDir: string;
let config: string;
let journey: Journey;

beforeAll(async () => {
  await pgliteTemplate();
  const root = await tempRoot();
  ledgerDir = path.join(root, '.flywheel', 'ledger');
  // Serving, so the in-process CLI reaches this process's ledger through its socket, as `flywheel dev`'s clients do.
  ledger = await openLedger({ root, role: 'owner', databaseUrl: undefined });
  journey = await recordBreachJourney(ledger, LEAD, PERSON);
  config = await configFor({ ledgerDir });
}, T);
afterAll(async () => {
  await ledger?.close();
  removeTempRoots();
});

const why = (args: string[], file = config) => runCliInProcess(['lead', 'why', ...args], file);

describe('flywheel lead why', () => {
  it('names the owner, the deadline and the reassignment after the breach, with rules, revision, inputs and candidates', async () => {
    const { code, stdout, stderr } = await why([LEAD]);
    expect(stderr).toBe('');
    expect(code).toBe(0);
    expect(journey.second).not.toBe(journey.first);
    const revision = loadRules(RULES).revision.id;
    expect(stdout).toMatch(new RegExp(`^Lead ${LEAD}: \\d+ decisions from 2027-02-01T09:00:00.000Z to 2027-02-01T13:00:02.000Z \\(from the ledger\\)\\n`));
    expect(stdout).toMatch(
      new RegExp(`  Owner        ${journey.second}  queue mid-market\\n +why: routing rule route-mid-market at revision ${escape(revision)}, 2027-02-01T13:00:02.000Z \\(sla-breach\\)`),
    );
    expect(stdout).toMatch(/ {2}Deadline {5}2027-02-01T17:00:02.000Z {2}target 4h on calendar \S+ for \S+\n +why: sla rule sla-mts-tier-b at revision /);
    expect(stdout).toContain(`  Reassigned   2027-02-01T13:00:02.000Z  ${journey.first} -> ${journey.second}  (sla-breach, excluded ${journey.first}; rule route-mid-market)`);
    // Descriptions come from the current rules; personal inputs are masked, company facts are not.
    expect(stdout).toMatch(/route-mid-market: \S.*\n/);
    expect(stdout).toContain('      lead.email = e***@shopco.example  (personal, masked)');
    expect(stdout).toContain('      lead.employees = 450\n');
    expect(stdout).not.toContain('erin.quarshie');
    expect(stdout).not.toContain('5550199');
    expect(stdout).toMatch(
      new RegExp(`route:1  revision [^\\n]+\\n {2}routing {10}queue mid-market\\n[\\s\\S]*?candidates\\n {6}${journey.first} +mid-market +excluded \\(breached this lead before\\)\\n`),
    );
    expect(stdout).toMatch(new RegExp(` {6}${journey.second} +mid-market +chosen\\n`));
    expect(stdout).toMatch(/attract:2027-02-01T09:00:00.000Z {2}revision .*\n {2}data-quality {5}\S/);
  });

  it('prints the structured answer with --json, the same as the builder the API uses', async () => {
    const { code, stdout } = await why([LEAD, '--json']);
    expect(code).toBe(0);
    const json = JSON.parse(stdout);
    expect(json).toEqual(JSON.parse(JSON.stringify(await whyRecord(ledger, 'lead', LEAD, { engine: loadRules(RULES) }))));
    expect(json.summary.owner).toMatchObject({ owner: journey.second, queue: 'mid-market', reason: 'sla-breach', rules: ['route-mid-market'] });
    expect(json.summary.reassignments).toEqual([expect.objectContaining({ from: journey.first, to: journey.second, reason: 'sla-breach', excluded: [journey.first] })]);
    expect(json.occasions.map((o: { occasion: string }) => o.occasion)).toEqual(['attract:2027-02-01T09:00:00.000Z', 'route:0', 'clock:0', 'route:1', 'clock:1']);
    expect(json.occasions[0].decisions.map((d: { kind: string }) => d.kind)).toEqual(['data-quality', 'disqualification', 'icp', 'qualification']);
    const inputs = json.occasions[0].decisions.flatMap((d: { inputs: { path: string }[] }) => d.inputs);
    expect(inputs).toContainEqual({ path: 'lead.email', value: 'e***@shopco.example', masked: true });
    expect(inputs).toContainEqual({ path: 'lead.country', value: 'DE' });
  });

  it('says when a matched rule is gone from the current rules, and explains rows recorded before facts were kept', async () => {
    const dir = mkdtempSync(path.join(os.tmpdir(), 'flywheel-why-rules-'));
    cpSync(RULES, dir, { recursive: true });
    const routing = path.join(dir, 'routing.yaml');
    writeFileSync(routing, readFileSync(routing, 'utf8').replace('id: route-mid-market', 'id: route-mid-market-v2'));
    await ledger.record([
      {
        key: 'lead:why-old:0:decision:icp',
        type: 'decision.recorded',
        occurredAt: '2026-05-01T10:00:00Z',
        leadId: 'why-old',
        workflowId: 'lead:why-old',
        rulesRevision: 'abc123456789+deadbeef',
        data: { kind: 'icp', matched: ['icp-tier-b'], outcome: { tier: 'B' }, inputs: { 'lead.employees': 450 }, source: 'webinar' },
      },
    ]);
    const renamed = await why([LEAD], await configFor({ ledgerDir, rulesDir: dir }));
    expect(renamed.stdout).toContain('route-mid-market (no longer in the current rules)');
    const old = await why(['why-old', '--json']);
    expect(old.code).toBe(0);
    expect(JSON.parse(old.stdout).occasions[0].decisions[0]).toMatchObject({
      kind: 'icp',
      label: 'tier B',
      replayable: false,
      note: 'could not replay: recorded before decisions carried their facts',
    });
  });

  it('exits 1 for a lead without decisions and 2 for bad usage or a missing ledger', async () => {
    expect(await why(['nobody'])).toEqual({ code: 1, stdout: '', stderr: 'flywheel: no decisions recorded for lead nobody in the ledger\n' });
    expect((await why([])).code).toBe(2);
    const missing = await why([LEAD], await configFor({ ledgerDir: path.join(os.tmpdir(), 'flywheel-no-such-ledger') }));
    expect(missing.code).toBe(2);
    expect(missing.stderr).toMatch(/no embedded ledger at .*flywheel-no-such-ledger/);
  });
});

function escape(s: string): string {
  return s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}
