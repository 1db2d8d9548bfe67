import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ImpactReport } from '../../../decisions/impact.ts';
import { occasions } from '../../../decisions/keys.ts';
import { SHADOW_MARKER } from '../../../decisions/report/markdown.ts';
import { shadowRow } from '../../../decisions/rows.ts';
import { openLedger } from '../../../ledger/open.ts';
import type { OpenedLedger } from '../../../ledger/types.ts';
import type { Decision } from '../../../rules/types.ts';
import { flywheelIn, ledgerProject } from '../../../../test/support/ledgerProject.ts';
import { pgliteTemplate, removeTempRoots } from '../../../../test/unit/ledger/helpers/fixtures.ts';

const T = 120_000;

const decision = (kind: Decision['kind'], revision: string, rule: string, outcome: unknown) =>
  ({ kind, outcome, matched: [rule], inputs: {}, revision: { id: revision, commit: null, contentHash: '', dirty: false } }) as unknown as Decision;

/** Disagreements as the activities record them: tier B leads the candidate calls A, one routed elsewhere. */
function rows() {
  const at = (day: number) => new Date(Date.UTC(2026, 2, day, 10)).toISOString();
  const tier = (id: string, day: number, live: string, shadow: string) =>
    shadowRow(
      { entity: 'lead', id, occasion: occasions.attract(at(day)) },
      decision('icp', 'live00000000+11111111', `icp-${live}`, { tier: live }),
      decision('icp', 'cand00000000+22222222', `icp-${shadow}`, { tier: shadow }),
      { lead: { id } },
      at(day),
    );
  const route = shadowRow(
    { entity: 'lead', id: 'L3', occasion: occasions.route(0) },
    decision('routing', 'live00000000+11111111', 'route-mid-market', { strategy: 'queue', queue: 'mid-market' }),
    decision('routing', 'cand00000000+22222222', 'route-enterprise-emea', { strategy: 'queue', queue: 'enterprise-emea' }),
    { lead: { id: 'L3' } },
    at(4),
  );
  return [tier('L1', 1, 'B', 'A'), tier('L2', 2, 'B', 'A'), tier('L3', 3, 'B', 'A'), route];
}

let root: string;
let owner: OpenedLedger;
beforeAll(async () => {
  await pgliteTemplate();
  root = await ledgerProject({ ledger: true });
  owner = await openLedger({ root, role: 'owner', databaseUrl: undefined });
  await owner.record(rows());
}, T);
afterAll(async () => {
  await owner?.close();
  removeTempRoots();
});

describe('flywheel rules shadow-report', () => {
  it(
    'summarises the recorded disagreements live -> shadow as JSON',
    async () => {
      const run = await flywheelIn(root, ['rules', 'shadow-report', '--format', 'json', '--examples', '2']);
      expect(run.stderr).toBe('');
      expect(run.code).toBe(0);
      const r = JSON.parse(run.stdout) as ImpactReport;
      expect(r).toMatchObject({
        source: 'shadow',
        decisions: 4,
        flips: 4,
        before: { label: 'live', revisions: ['live00000000+11111111'] },
        after: { label: 'shadow', revisions: ['cand00000000+22222222'] },
      });
      expect(r.kinds.map((k) => [k.kind, k.changed, k.transitions.map((t) => [t.label, t.count, t.examples])])).toEqual([
        ['icp', 3, [['tier B -> tier A', 3, ['L1', 'L2']]]],
        ['routing', 1, [['queue mid-market -> queue enterprise-emea', 1, ['L3']]]],
      ]);
      expect(r.kinds[1]).toMatchObject({ newlyMatching: [{ rule: 'route-enterprise-emea', count: 1 }], noLongerMatching: [{ rule: 'route-mid-market', count: 1 }] });
    },
    T,
  );

  it(
    'reads from --since on, in text and Markdown like the impact report',
    async () => {
      const text = await flywheelIn(root, ['rules', 'shadow-report', '--since', '2026-03-03']);
      expect(text.code).toBe(0);
      expect(text.stdout).toContain(
        'Shadow rules report: live (live00000000+11111111) -> shadow (cand00000000+22222222)\nDisagreements: 2, 2026-03-03T10:00:00.000Z to 2026-03-04T10:00:00.000Z, since 2026-03-03T00:00:00.000Z\n',
      );
      expect(text.stdout).toContain('  tier B -> tier A: 1  e.g. L3\n');
      const md = await flywheelIn(root, ['rules', 'shadow-report', '--format', 'markdown']);
      expect(md.stdout.startsWith(`${SHADOW_MARKER}\n## Shadow rules report\n`)).toBe(true);
      expect(md.stdout).toContain('| routing | queue mid-market -> queue enterprise-emea | 1 |  |');
    },
    T,
  );

  it(
    'exits 2 without a ledger or with a bad option, and documents itself',
    async () => {
      const empty = await ledgerProject({ ledger: false });
      const run = await flywheelIn(empty, ['rules', 'shadow-report']);
      expect(run.code).toBe(2);
      expect(run.stderr).toMatch(/^flywheel: no embedded ledger at /);
      expect((await flywheelIn(empty, ['rules', 'shadow-report', '--format', 'yaml'])).code).toBe(2);
      const help = await flywheelIn(empty, ['rules', 'shadow-report', '--help']);
      for (const text of ['--since <date>', '--format <format>', 'rules.shadow', 'Exit codes:']) expect(help.stdout).toContain(text);
    },
    T,
  );
});
