import { rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import type { ImpactReport } from '../../../decisions/impact.ts';
import { toNdjsonLine } from '../../../decisions/ndjson.ts';
import { IMPACT_MARKER } from '../../../decisions/report/markdown.ts';
import { runRules } from '../../../../test/unit/rules/helpers.ts';
import { decisions, scratchRulesRepo } from '../../../../test/unit/decisions/impactFixture.ts';

const repo = scratchRulesRepo();
const file = path.join(repo.root, 'decisions.ndjson');
writeFileSync(file, decisions().map(toNdjsonLine).join(''));
afterAll(() => rmSync(repo.root, { recursive: true, force: true }));
const impact = (...args: string[]) => runRules(['rules', 'impact', '--rules', repo.rules, ...args]);

describe('flywheel rules impact', () => {
  it('replays an export under HEAD and the working tree and reports the flips as JSON', async () => {
    const run = await impact('--decisions', file, '--format', 'json');
    expect(run.stderr).toBe('');
    expect(run.code).toBe(0);
    const r = JSON.parse(run.stdout) as ImpactReport;
    expect(r.flips).toBe(9);
    expect(r.before).toMatchObject({ label: 'base', ref: 'HEAD', revisions: [expect.stringMatching(/^[0-9a-f]{12}\+[0-9a-f]{8}$/)] });
    expect(r.after).toMatchObject({ label: 'head', revisions: [expect.stringMatching(/-dirty$/)] });
    expect(r.kinds.find((k) => k.kind === 'icp')?.transitions.map((t) => [t.label, t.count])).toEqual([['tier B -> tier C', 4]]);
  });

  it('prints text by default and the pull-request comment with --format markdown', async () => {
    const text = await impact('--decisions', file);
    expect(text.stdout).toMatch(/^Rules impact: base HEAD \(\w{12}\+\w{8}\) -> head .*rules \(/);
    expect(text.stdout).toContain('  tier B -> tier C: 4  e.g. L1, L2, L7\n');
    const md = await impact('--decisions', file, '--format', 'markdown');
    expect(md.stdout.startsWith(`${IMPACT_MARKER}\n## Rules impact\n`)).toBe(true);
    expect(md.stdout).toContain('| qualification | mql -> nurture | 1 | would not have reached sales |');
  });

  it('sets exit 1 when more decisions flip than --fail-on-flips allows', async () => {
    expect((await impact('--decisions', file, '--fail-on-flips', '8')).code).toBe(1);
    expect((await impact('--decisions', file, '--fail-on-flips', '9')).code).toBe(0);
  });

  it('reads only decisions since a date, and limits examples', async () => {
    const r = JSON.parse((await impact('--decisions', file, '--since', '2026-03-02T09:10:00Z', '--examples', '1', '--format', 'json')).stdout) as ImpactReport;
    expect(r.window).toEqual({ since: '2026-03-02T09:10:00.000Z', first: '2026-03-02T09:10:00.000Z', last: '2026-03-02T09:14:00.000Z' });
    expect(r.kinds.find((k) => k.kind === 'icp')?.transitions).toEqual([{ label: 'tier B -> tier C', from: 'tier B', to: 'tier C', count: 2, examples: ['L7'] }]);
  });

  it('names the lines of an export that are not decisions, skips them, and goes on', async () => {
    const lines = decisions().map(toNdjsonLine);
    const bad = path.join(repo.root, 'bad.ndjson');
    writeFileSync(bad, [lines[0], '{not json\n', '\n', '{"kind":"icp"}\n', ...lines.slice(1)].join(''));
    const run = await impact('--decisions', bad, '--format', 'json');
    expect(run.code).toBe(0);
    expect(run.stderr).toBe(`${bad}:2: not valid JSON; skipped\n${bad}:4: "entityId" is not a string; skipped\n`);
    expect((JSON.parse(run.stdout) as ImpactReport).decisions).toBe(42);
  });

  it('exits 2 for invalid rules, naming file, line and rule id', async () => {
    const broken = scratchRulesRepo();
    writeFileSync(
      path.join(broken.rules, 'routing.yaml'),
      'kind: routing\nversion: 1\nhitPolicy: first\nrules:\n  - id: route-typo\n    when: true\n    then: { strategy: queue, queue: mid-markt }\n',
    );
    const run = await runRules(['rules', 'impact', '--rules', broken.rules, '--decisions', file]);
    expect(run.code).toBe(2);
    expect(run.stderr).toMatch(/routing\.yaml:7:\d+: \[rule route-typo\] .*unknown queue "mid-markt"/);
  });

  it('exits 2 for usage errors and unreadable input', async () => {
    const cases: [string[], RegExp][] = [
      [['--decisions', file, '--format', 'html'], /--format must be text, markdown or json, got "html"/],
      [['--decisions', file, '--since', 'last week'], /--since must be a date/],
      [['--decisions', file, '--fail-on-flips', '-1'], /--fail-on-flips must be a whole number 0 or more/],
      [['--decisions', path.join(repo.root, 'missing.ndjson')], /cannot read decisions .*missing\.ndjson: ENOENT/],
      [['--decisions', file, '--base', 'no-such-branch'], /--base no-such-branch: git rev-parse/],
      [['--decisions', file, '--bogus'], /unknown option '--bogus'/],
    ];
    for (const [args, message] of cases) {
      const run = await impact(...args);
      expect({ args, code: run.code }).toEqual({ args, code: 2 });
      expect(run.stderr).toMatch(message);
    }
    expect(await runRules(['rules', 'impact', '--rules', '/nonexistent/rules'])).toMatchObject({ code: 2, stderr: 'flywheel: rules folder not found: /nonexistent/rules\n' });
  });

  it('documents its options and exit codes in --help', async () => {
    const help = await runRules(['rules', 'impact', '--help']);
    for (const text of [
      '--base <ref>',
      '--since <date>',
      '--decisions <file>',
      '--format <format>',
      '--fail-on-flips <n>',
      '--examples <n>',
      'Exit codes:',
      '1  more decisions changed than --fail-on-flips allows',
      'not reached',
      'could not replay',
    ])
      expect(help.stdout).toContain(text);
  });
});
