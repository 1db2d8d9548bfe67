import { mkdtempSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { loadConfig } from '../../../src/config/load.ts';
import { DiagnosticsError, formatDiagnostic } from '../../../src/diagnostics/diagnostic.ts';
import { cronProblem } from '../../../src/plan/check.ts';
import { checkPlanText, loadPlan } from '../../../src/plan/load.ts';

const config = loadConfig('config/flywheel.yaml').config;

/** A small valid plan; each test breaks one line of it. Line numbers below count from 1 at `name:`. */
const VALID = `name: Test plan
currency: EUR
cadence:
  schedule: "0 8 1 * *"
  timezone: Europe/Berlin
approval:
  approvers: [jonas-becker]
  deadline: 5d
  escalateTo: [lena-vogel]
startingArr: 1000000
periods:
  - { id: "2027-01", from: "2027-01-01", to: "2027-02-01", arrTarget: 1050000 }
  - { id: "2027-02", from: "2027-02-01", to: "2027-03-01", arrTarget: 1100000 }
assumptions:
  acv: 20000
  winRate: 0.25
  leadToMql: 0.2
  mqlToOpportunity: 0.4
  salesCycleDays: 45
  monthlyGrossChurn: 0.01
  monthlyExpansion: 0.01
  quotaPerRepMonthly: 20000
  rampMonths: 3
  accountsPerCsm: 50
  reps: 2
  csms: 1
spend:
  - { channel: webinar, monthly: 5000 }
  - { channel: paid-search, monthly: 10000 }
`;

const lines = (text: string) => checkPlanText('plan.yaml', text, config).diagnostics.map(formatDiagnostic);

describe('loadPlan', () => {
  it('loads the shipped plans', () => {
    const { plan, file } = loadPlan('config/plan.yaml');
    expect(file).toBe(path.resolve('config/plan.yaml'));
    expect(plan.name).toBe('Northwind Metrics growth plan 2027');
    expect(plan.currency).toBe('EUR');
    expect(plan.periods.map((p) => p.id)).toEqual(Array.from({ length: 12 }, (_, i) => `2027-${String(i + 1).padStart(2, '0')}`));
    expect(plan.periods[11]).toEqual({ id: '2027-12', from: '2027-12-01', to: '2028-01-01', arrTarget: 6_420_000 });
    expect(loadPlan('demo/config/plan.yaml').plan.periods).toHaveLength(12);
  });

  it('accepts the small plan without findings', () => {
    expect(lines(VALID)).toEqual([]);
  });

  it('throws a DiagnosticsError for a missing file', () => {
    expect(() => loadPlan(path.join(os.tmpdir(), 'no-such-plan.yaml'), { config })).toThrow(DiagnosticsError);
  });

  it('throws every located problem of a file it cannot use', () => {
    const dir = mkdtempSync(path.join(os.tmpdir(), 'flywheel-plan-'));
    const file = path.join(dir, 'plan.yaml');
    writeFileSync(file, VALID.replace('winRate: 0.25', 'winRate: 1.25').replace('[lena-vogel]', '[nobody]'));
    try {
      loadPlan(file, { config });
      expect.unreachable();
    } catch (e) {
      expect(e).toBeInstanceOf(DiagnosticsError);
      // Schema errors come first; semantic checks run only on a plan that fits the schema.
      expect((e as DiagnosticsError).diagnostics.map((d) => [d.line, d.column, d.path, d.message])).toEqual([[16, 12, 'assumptions.winRate', 'must be <= 1']]);
    }
  });
});

describe('schema diagnostics', () => {
  it('names file, line, column and path', () => {
    expect(lines(VALID.replace('  acv: 20000\n', '  acv: 20000\n  acvv: 1\n'))).toEqual(['plan.yaml:16:3: assumptions.acvv: unknown field "acvv"']);
    expect(lines(VALID.replace('deadline: 5d', 'deadline: five days'))).toEqual(['plan.yaml:8:13: approval.deadline: "five days" is not a duration like 5d, 36h or P5D']);
    expect(lines(VALID.replace('currency: EUR', 'currency: euro'))).toEqual(['plan.yaml:2:11: currency: "euro" is not an ISO 4217 currency code like EUR']);
    expect(lines(VALID.replace('"2027-02-01", arrTarget: 1050000', '"2027-02-30", arrTarget: 1050000'))).toEqual(['plan.yaml:12:46: periods[0].to: must be a valid date']);
    expect(lines(VALID.replace('  reps: 2\n', ''))).toEqual(['plan.yaml:15:3: assumptions: missing required field "reps"']);
    expect(lines(VALID.replace('monthlyGrossChurn: 0.01', 'monthlyGrossChurn: -0.01'))).toEqual(['plan.yaml:20:22: assumptions.monthlyGrossChurn: must be >= 0']);
    expect(lines(VALID.replace('mqlToOpportunity: 0.4', 'mqlToOpportunity: 0'))).toEqual(['plan.yaml:18:21: assumptions.mqlToOpportunity: must be > 0']);
  });

  it('reports YAML syntax errors and duplicate keys', () => {
    expect(lines(VALID.replace('currency: EUR', 'currency: EUR\ncurrency: USD'))[0]).toMatch(/^plan\.yaml:3:1: invalid YAML: Map keys must be unique/);
  });
});

describe('semantic checks', () => {
  it('finds gaps and overlaps between periods and inverted periods', () => {
    expect(lines(VALID.replace('{ id: "2027-02", from: "2027-02-01"', '{ id: "2027-02", from: "2027-02-03"'))).toEqual([
      'plan.yaml:13:28: periods[1].from: gap: the previous period ends (exclusive) on 2027-02-01, this one starts on 2027-02-03',
    ]);
    expect(lines(VALID.replace('{ id: "2027-02", from: "2027-02-01"', '{ id: "2027-02", from: "2027-01-15"'))).toEqual([
      'plan.yaml:13:28: periods[1].from: overlaps the previous period, which ends (exclusive) on 2027-02-01',
    ]);
    expect(lines(VALID.replace('to: "2027-03-01"', 'to: "2027-02-01"'))).toEqual(['plan.yaml:13:46: periods[1].to: "to" (2027-02-01) must be after "from" (2027-02-01); "to" is exclusive']);
    expect(lines(VALID.replace('id: "2027-02"', 'id: "2027-01"'))).toEqual(['plan.yaml:13:11: periods[1].id: duplicate period id "2027-01" (first at periods[0])']);
  });

  it('checks approvers and escalation against the reps of config/flywheel.yaml', () => {
    expect(lines(VALID.replace('approvers: [jonas-becker]', 'approvers: [jonas-becker, jonas-beker]').replace('[lena-vogel]', '[lena-vogel, lena-vogel]'))).toEqual([
      'plan.yaml:7:29: approval.approvers[1]: unknown rep "jonas-beker" (not in config/flywheel.yaml reps)',
      'plan.yaml:9:28: approval.escalateTo[1]: "lena-vogel" is listed twice',
    ]);
    // Without a config the references are not checked.
    expect(checkPlanText('plan.yaml', VALID.replace('[lena-vogel]', '[nobody]')).diagnostics).toEqual([]);
  });

  it('finds duplicate channels, a bad cron, an unknown time zone and a currency other than the organisation’s', () => {
    expect(lines(VALID.replace('channel: paid-search', 'channel: webinar'))).toEqual(['plan.yaml:29:16: spend[1].channel: duplicate channel "webinar" (first at spend[0])']);
    expect(lines(VALID.replace('"0 8 1 * *"', '"0 25 1 * *"'))).toEqual(['plan.yaml:4:13: cadence.schedule: cron hour 25 is outside 0-23']);
    expect(lines(VALID.replace('Europe/Berlin', 'Europe/Berln'))).toEqual(['plan.yaml:5:13: cadence.timezone: unknown time zone "Europe/Berln" (did you mean "Europe/Berlin"?)']);
    expect(lines(VALID.replace('currency: EUR', 'currency: USD'))).toEqual(["plan.yaml:2:11: warning: currency: plan currency USD differs from the organisation's EUR (config/flywheel.yaml)"]);
  });
});

describe('cronProblem', () => {
  it('accepts the usual forms', () => {
    for (const ok of ['0 8 1 * *', '*/15 * * * *', '0 8 * * 1-5', '0 8,12 1,15 1-12/3 0', '0 0 1 1 7']) expect(cronProblem(ok)).toBeNull();
  });
  it('names what is wrong', () => {
    expect(cronProblem('0 8 1 *')).toBe('"0 8 1 *" is not a cron expression: expected 5 fields (minute hour day-of-month month day-of-week), got 4');
    expect(cronProblem('60 8 1 * *')).toBe('cron minute 60 is outside 0-59');
    expect(cronProblem('0 8 0 * *')).toBe('cron day of month 0 is outside 1-31');
    expect(cronProblem('0 8 1 JAN *')).toBe('cron month "JAN" is not *, a number, a range a-b, a list or a step /n');
    expect(cronProblem('0 17-9 * * *')).toBe('cron hour range 17-9 ends before it starts');
    expect(cronProblem('*/0 * * * *')).toBe('cron minute step must be at least 1');
  });
});
