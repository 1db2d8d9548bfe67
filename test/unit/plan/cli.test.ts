import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { main } from '../../../src/cli/main.ts';
import { reverseFunnel } from '../../../src/plan/funnel.ts';
import { renderPlan, table } from '../../../src/plan/render.ts';
import { smallPlan } from './fixtures.ts';

async function run(...args: string[]): Promise<{ code: number; out: string; err: string }> {
  let out = '';
  let err = '';
  const o = vi.spyOn(process.stdout, 'write').mockImplementation((s) => ((out += String(s)), true));
  const e = vi.spyOn(process.stderr, 'write').mockImplementation((s) => ((err += String(s)), true));
  try {
    const code = await main(['node', 'flywheel', ...args]);
    return { code, out, err };
  } finally {
    o.mockRestore();
    e.mockRestore();
    process.exitCode = undefined;
  }
}

afterEach(() => {
  delete process.env.FLYWHEEL_CONFIG;
});

describe('flywheel plan show', () => {
  it('prints the plan and one funnel row per period', async () => {
    const { code, out } = await run('plan', 'show');
    expect(code).toBe(0);
    expect(out).toContain('Northwind Metrics growth plan 2027 (EUR)');
    expect(out).toContain('ARR 4,200,000 -> 6,420,000 by 2028-01-01 (exclusive)');
    expect(out).toMatch(/^2027-01\s+4,200,000\s+4,216,800\s+4,330,000\s+113,200\s+22\s+2026-11-02\s+74\s+412\s+5\s+0\s+-\s+181\s+4 \(\+1\)\s+235\.44$/m);
    expect(out).toMatch(/^2027-12\s.*\s2027-08-01\s/m);
  });

  it('prints JSON with --json and reads another file with --file', async () => {
    const { code, out } = await run('plan', 'show', '--json', '--file', 'demo/config/plan.yaml');
    expect(code).toBe(0);
    const json = JSON.parse(out) as { file: string; plan: { name: string }; funnel: { period: string; leads: number }[] };
    expect(json.file).toBe(path.join('demo', 'config', 'plan.yaml'));
    expect(json.funnel).toHaveLength(12);
    expect(json.funnel[0]).toMatchObject({ period: '2027-01', leads: 412 });
  });

  it('exits 2 with located diagnostics for an invalid plan', async () => {
    const dir = mkdtempSync(path.join(os.tmpdir(), 'flywheel-plan-cli-'));
    const file = path.join(dir, 'plan.yaml');
    writeFileSync(file, readFileSync('config/plan.yaml', 'utf8').replace('channel: event,', 'channel: webinar,'));
    process.env.FLYWHEEL_CONFIG = path.resolve('config/flywheel.yaml');
    const { code, err } = await run('plan', 'show', '--file', file);
    expect(code).toBe(2);
    expect(err).toMatch(/plan\.yaml:\d+:\d+: spend\[2\]\.channel: duplicate channel "webinar" \(first at spend\[1\]\)/);
  });
});

describe('flywheel plan validate', () => {
  it('says valid and exits 0 for the shipped plans', async () => {
    expect(await run('plan', 'validate')).toEqual({ code: 0, out: 'config/plan.yaml: valid\n', err: '' });
    expect((await run('plan', 'validate', 'demo/config/plan.yaml')).code).toBe(0);
  });

  it('exits 2 and lists every finding, as text, GitHub annotations or JSON', async () => {
    const dir = mkdtempSync(path.join(os.tmpdir(), 'flywheel-plan-cli-'));
    const file = path.join(dir, 'plan.yaml');
    writeFileSync(file, readFileSync('config/plan.yaml', 'utf8').replace('escalateTo: [lena-vogel]', 'escalateTo: [lena-vogl]').replace('from: "2027-03-01"', 'from: "2027-03-02"'));
    process.env.FLYWHEEL_CONFIG = path.resolve('config/flywheel.yaml');
    const text = await run('plan', 'validate', file);
    expect(text.code).toBe(2);
    expect(text.out).toBe('');
    expect(text.err.trim().split('\n')).toEqual([
      expect.stringMatching(/plan\.yaml:15:16: approval\.escalateTo\[0\]: unknown rep "lena-vogl"/),
      expect.stringMatching(/plan\.yaml:22:28: periods\[2\]\.from: gap: the previous period ends \(exclusive\) on 2027-03-01, this one starts on 2027-03-02/),
    ]);
    expect((await run('plan', 'validate', file, '--format', 'github')).err).toContain('::error file=');
    const json = await run('plan', 'validate', file, '--json');
    expect(JSON.parse(json.out)).toMatchObject({ valid: false, diagnostics: [{ code: 'unknown-rep' }, { code: 'period-gap' }] });
    expect(json.code).toBe(2);
  });

  it('exits 2 for a file it cannot read', async () => {
    const { code, err } = await run('plan', 'validate', 'no/such/plan.yaml');
    expect(code).toBe(2);
    expect(err).toContain('cannot read no/such/plan.yaml: ENOENT');
  });
});

describe('renderPlan', () => {
  it('aligns the table: text left, numbers right', () => {
    expect(
      table(
        ['a', 'bb'],
        [
          ['xyz', '1'],
          ['q', '1,000'],
        ],
      ),
    ).toEqual(['a       bb', '---  -----', 'xyz      1', 'q    1,000']);
    const lines = renderPlan(smallPlan(), reverseFunnel(smallPlan()));
    expect(lines[0]).toBe('Small plan (EUR)');
    expect(lines.at(-1)).toMatch(/^2027-03\s+1,100,000\s+1,083,500\s+1,000,000\s+0\s+0\s+2027-01-15\s+0\s+0\s+0\s+0\s+-\s+50\s+1\s+-$/);
  });
});
