import { execFileSync, spawnSync } from 'node:child_process';
import { chmodSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { toNdjsonLine } from '../../../src/decisions/ndjson.ts';
import { IMPACT_MARKER } from '../../../src/decisions/report/markdown.ts';
import { CLI } from '../../support/cli.ts';
import { decisions, scratchRulesRepo } from '../decisions/impactFixture.ts';

interface Step {
  id?: string;
  name?: string;
  uses?: string;
  run?: string;
  if?: string;
  with?: Record<string, unknown>;
  env?: Record<string, string>;
}
const workflow = parse(readFileSync(new URL('../../../.github/workflows/rules.yml', import.meta.url), 'utf8')) as {
  on: { pull_request: { paths: string[] } };
  permissions: Record<string, string>;
  jobs: { rules: { steps: Step[] } };
};
const steps = workflow.jobs.rules.steps;
const impactStep = steps.find((s) => s.id === 'impact')!;
const commentStep = steps.find((s) => s.uses?.startsWith('actions/github-script@'))!;
const runs = steps.flatMap((s) => (s.run ? [s.run] : []));

describe('the rules pull-request workflow', () => {
  it('runs on pull requests that touch the rules or the config, and may comment on them', () => {
    expect(workflow.on.pull_request.paths).toEqual(expect.arrayContaining(['rules/**', 'config/**']));
    expect(workflow.permissions).toEqual({ contents: 'read', 'pull-requests': 'write' });
  });

  it('checks out the whole history, installs with npm ci from the lock file on Node 20', () => {
    expect(steps.find((s) => s.uses?.startsWith('actions/checkout@'))?.with).toMatchObject({ 'fetch-depth': 0 });
    expect(steps.find((s) => s.uses?.startsWith('actions/setup-node@'))?.with).toMatchObject({ 'node-version': 20 });
    expect(runs).toContain('npm ci');
    expect(runs.some((r) => /npm install/.test(r))).toBe(false);
  });

  it('validates, tests, then replays the recorded decisions against the base branch as Markdown', () => {
    const at = (pattern: RegExp) => steps.findIndex((s) => s.run !== undefined && pattern.test(s.run));
    const validate = at(/^npx flywheel rules validate rules --format github/);
    const test = at(/^npx flywheel rules test rules /);
    expect(validate).toBeGreaterThanOrEqual(0);
    expect(test).toBeGreaterThan(validate);
    expect(steps.indexOf(impactStep)).toBeGreaterThan(test);
    expect(impactStep.run).toContain('args=(rules impact --base "origin/$BASE_REF" --format markdown)');
    expect(impactStep.run).toContain('npx flywheel "${args[@]}"');
    expect(impactStep.env).toMatchObject({ BASE_REF: '${{ github.base_ref }}', LEDGER_URL: '${{ secrets.FLYWHEEL_LEDGER_URL }}', DECISIONS_EXPORT: '${{ vars.FLYWHEEL_DECISIONS_EXPORT }}' });
    expect(impactStep.if).toContain("github.event_name == 'pull_request'");
    expect(commentStep.if).toContain("steps.impact.outcome == 'success'");
  });
});

/** The impact step's shell script, run as the runner would, with `npx flywheel` being this checkout's CLI. */
function runImpactStep(cwd: string, env: Record<string, string>) {
  const tmp = mkdtempSync(path.join(os.tmpdir(), 'flywheel-runner-'));
  const bin = path.join(tmp, 'bin');
  mkdirSync(bin);
  writeFileSync(path.join(bin, 'npx'), `#!/bin/sh\n[ "$1" = flywheel ] || exit 127\nshift\nexec "${process.execPath}" "${CLI}" "$@"\n`);
  chmodSync(path.join(bin, 'npx'), 0o755);
  const output = path.join(tmp, 'output');
  writeFileSync(output, '');
  const script = path.join(tmp, 'impact.sh');
  writeFileSync(script, impactStep.run!);
  // A runner has none of this process's Flywheel settings: the project's own config/ next to rules/ applies.
  const { FLYWHEEL_CONFIG: _config, ...inherited } = process.env;
  const r = spawnSync('bash', ['--noprofile', '--norc', '-eo', 'pipefail', script], {
    cwd,
    encoding: 'utf8',
    env: {
      ...inherited,
      PATH: `${bin}:${process.env.PATH}`,
      RUNNER_TEMP: tmp,
      GITHUB_OUTPUT: output,
      BASE_REF: 'main',
      LEDGER_URL: '',
      DECISIONS_EXPORT: '',
      SINCE: '',
      MAX_FLIPS: '',
      DATABASE_URL: '',
      ...env,
    },
  });
  try {
    return { status: r.status, stderr: r.stderr, body: readFileSync(path.join(tmp, 'impact.md'), 'utf8'), output: readFileSync(output, 'utf8') };
  } finally {
    rmSync(tmp, { recursive: true, force: true });
  }
}

describe('the impact step', () => {
  const repo = scratchRulesRepo();
  // The pull request's base branch as the runner's checkout knows it.
  execFileSync('git', ['-C', repo.root, 'update-ref', 'refs/remotes/origin/main', 'HEAD']);
  writeFileSync(path.join(repo.root, 'decisions.ndjson'), decisions().map(toNdjsonLine).join(''));
  afterAll(() => rmSync(repo.root, { recursive: true, force: true }));

  it('comments that impact was not run, and how to set it up, when no decisions are configured', () => {
    const r = runImpactStep(repo.root, {});
    expect(r.status).toBe(0);
    expect(r.output).toBe('code=0\n');
    expect(r.body.startsWith(`${IMPACT_MARKER}\n## Rules impact\n\nImpact was not run`)).toBe(true);
    expect(r.body).toContain('secret `FLYWHEEL_LEDGER_URL`');
    expect(r.body).toContain('variable `FLYWHEEL_DECISIONS_EXPORT`');
  }, 60_000);

  it('writes the Markdown report from an export in the repository, and the exit code for the last step', async () => {
    const r = runImpactStep(repo.root, { DECISIONS_EXPORT: 'decisions.ndjson' });
    expect(r.stderr).toBe('');
    expect(r.output).toBe('code=0\n');
    expect(r.body.startsWith(`${IMPACT_MARKER}\n## Rules impact\n\n**9 of 42 recorded decisions would change**: base \`origin/main\``)).toBe(true);
    const capped = runImpactStep(repo.root, { DECISIONS_EXPORT: 'decisions.ndjson', MAX_FLIPS: '3' });
    expect(capped.output).toBe('code=1\n');
    expect(capped.body).toContain('| icp | tier B -> tier C | 4 |  |');
  }, 60_000);

  it('says impact could not run when the export cannot be read', () => {
    const r = runImpactStep(repo.root, { DECISIONS_EXPORT: 'missing.ndjson' });
    expect(r.output).toBe('code=2\n');
    expect(r.body).toBe(`${IMPACT_MARKER}\n## Rules impact\n\nImpact could not run: the decisions export named by \`FLYWHEEL_DECISIONS_EXPORT\` could not be read. The job log says why.\n`);
  }, 60_000);
});

describe('the comment step', () => {
  type Comment = { id: number; body: string; user: { type: string } };
  /** Runs the github-script with a recorder for the GitHub API calls it makes. */
  async function post(existing: Comment[], body: string) {
    const file = path.join(mkdtempSync(path.join(os.tmpdir(), 'flywheel-comment-')), 'impact.md');
    writeFileSync(file, body);
    const calls: [string, Record<string, unknown>][] = [];
    const listComments = () => undefined;
    const github = {
      paginate: async (fn: unknown) => (fn === listComments ? existing : []),
      rest: {
        issues: {
          listComments,
          updateComment: async (a: Record<string, unknown>) => void calls.push(['update', a]),
          createComment: async (a: Record<string, unknown>) => void calls.push(['create', a]),
        },
      },
    };
    const context = { repo: { owner: 'acme', repo: 'revops' }, issue: { number: 7 } };
    const saved = process.env.BODY_FILE;
    process.env.BODY_FILE = file;
    try {
      const AsyncFunction = Object.getPrototypeOf(async () => undefined).constructor as new (...args: string[]) => (...a: unknown[]) => Promise<void>;
      await new AsyncFunction('require', 'github', 'context', commentStep.with!.script as string)((m: string) => (m === 'fs' ? { readFileSync } : undefined), github, context);
    } finally {
      if (saved === undefined) delete process.env.BODY_FILE;
      else process.env.BODY_FILE = saved;
    }
    return calls;
  }

  it('creates the comment once, then updates the one that starts with the marker', async () => {
    const report = `${IMPACT_MARKER}\n## Rules impact\n`;
    expect(await post([{ id: 1, body: 'looks good', user: { type: 'User' } }], report)).toEqual([['create', { owner: 'acme', repo: 'revops', issue_number: 7, body: report }]]);
    const existing = [
      { id: 1, body: `quoting: ${IMPACT_MARKER}`, user: { type: 'User' } },
      { id: 2, body: `${IMPACT_MARKER}\nold report`, user: { type: 'User' } },
      { id: 3, body: `${IMPACT_MARKER}\nold report`, user: { type: 'Bot' } },
    ];
    expect(await post(existing, report)).toEqual([['update', { owner: 'acme', repo: 'revops', comment_id: 3, body: report }]]);
  });

  it('adds the marker to a body without one, and cuts a report longer than a comment may be', async () => {
    const [[, plain]] = (await post([], 'no marker')) as [[string, { body: string }]];
    expect(plain.body).toBe(`${IMPACT_MARKER}\nno marker`);
    const [[, long]] = (await post([], `${IMPACT_MARKER}\n${'x'.repeat(70_000)}`)) as [[string, { body: string }]];
    expect(long.body.length).toBeLessThan(65_536);
    expect(long.body).toMatch(/The report was cut to fit a comment; the job summary has all of it\._\n$/);
  });
});
