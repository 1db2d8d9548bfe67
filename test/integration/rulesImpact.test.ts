import { readFileSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { parseDocument } from 'yaml';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ImpactReport, KindImpact } from '../../src/decisions/impact.ts';
import { IMPACT_MARKER } from '../../src/decisions/report/markdown.ts';
import { runCli } from '../support/cli.ts';
import { eventually } from '../support/eventually.ts';
import { alwaysOpen, deliver, leadEvent, midMarketLead, waitForState } from '../support/leads.ts';
import { scratchProject, type ScratchProject } from '../support/scratchProject.ts';
import { createHarness, type TestHarness } from '../support/temporal.ts';
import { gitCommitAll } from '../unit/decisions/impactFixture.ts';

const T = 180_000;
const run = Date.now().toString(36);
const id = (name: string) => `imp-${name}-${run}`;

/**
 * Leads around the one threshold this test raises: icp-b-mid-market-core starts at 300 employees instead of 200.
 * By hand, under the shipped rules and then under the raised threshold:
 *   raiser   250, ecommerce, demo request     B mql -> C mql (hand-raiser takes C); SLA tier B 4h -> tier C 1d
 *   engaged  260, software, content, engaged  B mql (engaged fit) -> C nurture: its routing and SLA are not reached
 *   steady   450, ecommerce, demo request     B mql either way
 *   nurture  280, manufacturing, content      C nurture either way (not a core industry: never mid-market core)
 *   small    120, ecommerce, referral, dbt    C mql either way (small data team), smb-pool, 1d
 */
const leads = {
  raiser: midMarketLead({ email: 'raiser@shopco.example', employees: 250 }),
  engaged: midMarketLead({
    email: 'engaged@dataco.example',
    domain: 'dataco.example',
    company: 'DataCo',
    employees: 260,
    industry: 'software',
    source: 'content',
    engagement: { score: 55, lastActivityAt: new Date().toISOString() },
  }),
  steady: midMarketLead({ email: 'steady@shopco.example' }),
  nurture: midMarketLead({ email: 'nurture@machines.example', domain: 'machines.example', company: 'Machines AG', employees: 280, industry: 'manufacturing', source: 'content' }),
  small: midMarketLead({ email: 'small@tiny.example', domain: 'tiny.example', company: 'Tiny GmbH', employees: 120, source: 'referral', technologies: ['dbt'] }),
};
const mqls = ['raiser', 'engaged', 'steady', 'small'] as const;
const THRESHOLD = { from: '{ "<=": [200, { var: lead.employees }, 999] }', to: '{ "<=": [300, { var: lead.employees }, 999] }' };

let h: TestHarness;
let project: ScratchProject;

/** The CLI in its own process, reading the worker's ledger through the socket its owner (this process) serves, as with `flywheel dev`. */
const flywheel = (args: string[]) =>
  runCli(['rules', 'impact', '--rules', path.join(project.root, 'rules'), ...args], { DATABASE_URL: '', FLYWHEEL_CONFIG: project.configFile }, undefined, project.root);

beforeAll(async () => {
  // The scratch project's rules, committed: the worker decides with them, and they are the base revision (HEAD).
  project = await scratchProject('rules-impact');
  gitCommitAll(project.root);
  h = await createHarness('dev', 'rules-impact', {
    adjust: (loaded) => {
      alwaysOpen(loaded);
      loaded.config.rules = { ...loaded.config.rules, dir: path.join(project.root, 'rules') };
    },
  });
  const config = parseDocument(readFileSync(project.configFile, 'utf8'));
  config.setIn(['ledger', 'embeddedDir'], h.ledgerDir);
  writeFileSync(project.configFile, config.toString());

  for (const [name, lead] of Object.entries(leads)) await deliver(h, leadEvent('lead.created', id(name), lead));
  for (const name of mqls) await waitForState(h, id(name), (s) => s.sla?.status === 'running', 'SLA running');
  await waitForState(h, id('nurture'), (s) => s.status === 'nurture', 'nurture');
  // Every decision row: four Attract kinds per lead, then routing and SLA for each MQL.
  const expected = Object.keys(leads).length * 4 + mqls.length * 2;
  await eventually(
    async () => (await h.ledger.query<{ n: number }>("SELECT count(*)::int AS n FROM ledger_events WHERE type = 'decision.recorded' AND lead_id = ANY($1)", [Object.keys(leads).map(id)]))[0]!.n,
    (n) => n === expected,
    (n) => `${n} of ${expected} decision rows`,
  );

  const icp = path.join(project.root, 'rules', 'icp.yaml');
  const text = readFileSync(icp, 'utf8');
  expect(text).toContain(THRESHOLD.from);
  writeFileSync(icp, text.replace(THRESHOLD.from, THRESHOLD.to));
}, T);
afterAll(async () => {
  await h?.close();
  if (project) rmSync(project.root, { recursive: true, force: true });
});

const labels = (k: KindImpact | undefined) => k?.transitions.map((t) => [t.label, t.count, [...t.examples].sort()]);

describe('rules impact on a ledger built by real workflows', () => {
  it(
    'shows exactly the tier and qualification flips worked out by hand, as JSON',
    async () => {
      const r = await flywheel(['--format', 'json']);
      expect(r.stderr).toBe('');
      expect(r.code).toBe(0);
      const report = JSON.parse(r.stdout) as ImpactReport;
      const kind = (k: string) => report.kinds.find((x) => x.kind === k);
      expect(report.decisions).toBe(28);
      expect(report.couldNotReplay).toEqual([]);
      expect(report.before).toMatchObject({ ref: 'HEAD', revisions: [expect.stringMatching(/^[0-9a-f]{12}\+[0-9a-f]{8}$/)] });
      expect(report.after.revisions).toEqual([expect.stringMatching(/-dirty$/)]);

      expect(kind('icp')).toMatchObject({
        replayed: 5,
        unchanged: 3,
        changed: 2,
        newlyMatching: [{ rule: 'icp-c-mid-market-other', count: 2 }],
        noLongerMatching: [{ rule: 'icp-b-mid-market-core', count: 2 }],
      });
      expect(labels(kind('icp'))).toEqual([['tier B -> tier C', 2, [id('engaged'), id('raiser')]]]);
      expect(kind('qualification')).toMatchObject({
        replayed: 5,
        unchanged: 4,
        changed: 1,
        newlyMatching: [{ rule: 'qual-nurture', count: 1 }],
        noLongerMatching: [{ rule: 'qual-engaged-fit', count: 1 }],
      });
      expect(kind('qualification')?.transitions).toEqual([{ label: 'mql -> nurture', from: 'mql', to: 'nurture', meaning: 'would not have reached sales', count: 1, examples: [id('engaged')] }]);
      expect(kind('routing')).toMatchObject({ replayed: 4, unchanged: 3, changed: 1 });
      expect(labels(kind('routing'))).toEqual([['queue mid-market -> not reached', 1, [id('engaged')]]]);
      expect(kind('sla')).toMatchObject({ replayed: 4, unchanged: 2, changed: 2 });
      expect(labels(kind('sla'))).toEqual([
        ['target 4h -> not reached', 1, [id('engaged')]],
        ['target 4h -> target 1d', 1, [id('raiser')]],
      ]);
      expect(kind('data-quality')).toMatchObject({ replayed: 5, changed: 0 });
      expect(kind('disqualification')).toMatchObject({ replayed: 5, changed: 0 });
      expect(report.flips).toBe(6);
    },
    T,
  );

  it(
    'says the same in text and in the Markdown comment',
    async () => {
      const text = await flywheel([]);
      expect(text.code).toBe(0);
      expect(text.stdout).toContain('6 of 28 recorded decisions would change.');
      expect(text.stdout).toMatch(new RegExp(`^  tier B -> tier C: 2  e\\.g\\. imp-(raiser|engaged)-${run}, imp-(raiser|engaged)-${run}$`, 'm'));
      expect(text.stdout).toContain(`  mql -> nurture: 1 (would not have reached sales)  e.g. ${id('engaged')}\n`);
      expect(text.stdout).toContain(`  target 4h -> target 1d: 1  e.g. ${id('raiser')}\n`);

      const md = await flywheel(['--format', 'markdown']);
      expect(md.code).toBe(0);
      expect(md.stdout.startsWith(`${IMPACT_MARKER}\n## Rules impact\n\n**6 of 28 recorded decisions would change**: base \`HEAD\``)).toBe(true);
      for (const row of [
        '| icp | 5 | 3 | **2** | 0 |',
        '| qualification | 5 | 4 | **1** | 0 |',
        '| icp | tier B -> tier C | 2 |  |',
        '| qualification | mql -> nurture | 1 | would not have reached sales |',
        '| routing | queue mid-market -> not reached | 1 | would not have reached sales |',
        '| sla | target 4h -> target 1d | 1 |  |',
        '| icp | `icp-b-mid-market-core` | 0 | 2 |',
        '| icp | `icp-c-mid-market-other` | 2 | 0 |',
      ])
        expect(md.stdout).toContain(row);
      expect(md.stdout).toContain(`- qualification, mql -> nurture: \`${id('engaged')}\``);
    },
    T,
  );

  it(
    'sets the exit code with --fail-on-flips',
    async () => {
      expect((await flywheel(['--fail-on-flips', '5'])).code).toBe(1);
      expect((await flywheel(['--fail-on-flips', '6'])).code).toBe(0);
      expect((await flywheel(['--fail-on-flips', '7', '--format', 'json'])).code).toBe(0);
    },
    T,
  );
});
