import { readFileSync, rmSync, statSync } from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ImpactReport } from '../../../decisions/impact.ts';
import { parseNdjson } from '../../../decisions/ndjson.ts';
import { readDecisions } from '../../../decisions/read.ts';
import { openLedger } from '../../../ledger/open.ts';
import type { OpenedLedger } from '../../../ledger/types.ts';
import { flywheelIn, ledgerProject } from '../../../../test/support/ledgerProject.ts';
import { decisions, ledgerRows, scratchRulesRepo } from '../../../../test/unit/decisions/impactFixture.ts';
import { pgliteTemplate, removeTempRoots } from '../../../../test/unit/ledger/helpers/fixtures.ts';

const T = 120_000;

let root: string;
let owner: OpenedLedger;
beforeAll(async () => {
  await pgliteTemplate();
  root = await ledgerProject({ ledger: true });
  owner = await openLedger({ root, role: 'owner', databaseUrl: undefined });
  await owner.record(ledgerRows(decisions()));
}, T);
afterAll(async () => {
  await owner?.close();
  removeTempRoots();
});

describe('flywheel decisions export', () => {
  it(
    'writes every decision as NDJSON that reads back identically, readable by its owner only',
    async () => {
      const out = path.join(root, 'decisions.ndjson');
      const run = await flywheelIn(root, ['decisions', 'export', '--out', out, '--json']);
      expect(run.stderr).toBe('');
      expect(run.code).toBe(0);
      expect(JSON.parse(run.stdout)).toEqual({ file: out, decisions: 42, since: null, first: '2026-03-02T09:00:00.000Z', last: '2026-03-02T09:14:00.000Z' });
      const back = parseNdjson(readFileSync(out, 'utf8'));
      expect(back.problems).toEqual([]);
      expect(back.decisions).toEqual(await readDecisions(owner));
      expect(statSync(out).mode & 0o777).toBe(0o600);
    },
    T,
  );

  it(
    'writes to stdout, from --since on',
    async () => {
      const run = await flywheelIn(root, ['decisions', 'export', '--since', '2026-03-02T09:13:00Z']);
      expect(run.code).toBe(0);
      expect(parseNdjson(run.stdout).decisions.map((d) => [d.entityId, d.kind])).toEqual([
        ['A1', 'sla'],
        ['A2', 'renewal'],
      ]);
    },
    T,
  );

  it(
    'gives rules impact the same report from the export as from the ledger',
    async () => {
      const repo = scratchRulesRepo();
      const out = path.join(root, 'for-impact.ndjson');
      expect((await flywheelIn(root, ['decisions', 'export', '--out', out])).stderr).toBe(`wrote 42 decisions to ${out}\n`);
      const fromLedger = await flywheelIn(root, ['rules', 'impact', '--rules', repo.rules, '--format', 'json']);
      const fromExport = await flywheelIn(root, ['rules', 'impact', '--rules', repo.rules, '--format', 'json', '--decisions', out]);
      expect(fromLedger.stderr).toBe('');
      expect(fromLedger.code).toBe(0);
      const report = JSON.parse(fromLedger.stdout) as ImpactReport;
      expect(report.flips).toBe(9);
      expect(report.couldNotReplay).toEqual([
        { reason: 'recorded before decisions carried their facts', count: 2 },
        { reason: 'no renewal rules (base and head)', count: 1 },
      ]);
      expect(JSON.parse(fromExport.stdout)).toEqual(report);
      rmSync(repo.root, { recursive: true, force: true });
    },
    T,
  );

  it(
    'exits 2 when there is no ledger to read, and documents itself',
    async () => {
      const empty = await ledgerProject({ ledger: false });
      const run = await flywheelIn(empty, ['decisions', 'export']);
      expect(run).toMatchObject({ code: 2, stdout: '' });
      expect(run.stderr).toMatch(/^flywheel: no embedded ledger at .* yet/);
      const help = await flywheelIn(empty, ['decisions', 'export', '--help']);
      for (const text of ['--since <date>', '--out <file>', 'Exit codes:', 'rules impact --decisions', 'personal data']) expect(help.stdout).toContain(text);
    },
    T,
  );
});
