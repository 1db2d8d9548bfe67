import { readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { checkConfigText, loadConfig } from '../../../src/config/load.ts';
import { slaReportSettings } from '../../../src/slaReport/settings.ts';

const shipped = readFileSync(new URL('../../../config/flywheel.yaml', import.meta.url), 'utf8');
// The shipped config's reports section replaced by `yaml` (indented under reports.slaWeekly).
const withSla = (yaml: string) => shipped.replace(/^reports:\n {2}slaWeekly:\n(?: {4}.*\n)+/m, `reports:\n  slaWeekly:\n${yaml}`);
const problems = (yaml: string) => checkConfigText('flywheel.yaml', withSla(yaml)).diagnostics.map((d) => `${d.path}: ${d.message}`);

describe('reports.slaWeekly in the configuration', () => {
  it('the shipped setting is valid: Mondays 08:00 in Berlin, reports under .flywheel/reports, every team manager told', () => {
    const file = fileURLToPath(new URL('../../../config/flywheel.yaml', import.meta.url));
    const loaded = loadConfig(file);
    expect(slaReportSettings(loaded)).toEqual({
      schedule: '0 8 * * 1',
      timezone: 'Europe/Berlin',
      reportsDir: path.join(loaded.root, '.flywheel', 'reports'),
      notify: ['marketing', 'sales-emea', 'sales-na', 'sales-commercial', 'customer-success'],
    });
  });

  it('defaults to the organisation time zone when the section is left out', () => {
    const file = fileURLToPath(new URL('../../../config/flywheel.yaml', import.meta.url));
    const loaded = loadConfig(file);
    delete loaded.config.reports;
    loaded.config.organisation.timezone = 'America/New_York';
    expect(slaReportSettings(loaded)).toMatchObject({ schedule: '0 8 * * 1', timezone: 'America/New_York' });
  });

  it('refuses a bad cron, an unknown zone, an unknown recipient and unknown keys, each at its path', () => {
    expect(problems('    schedule: "0 8 * * MON"\n')).toEqual(['reports.slaWeekly.schedule: cron day of week "MON" is not *, a number, a range a-b, a list or a step /n']);
    expect(problems('    timezone: Europe/Berln\n')).toEqual([expect.stringMatching(/^reports\.slaWeekly\.timezone: unknown time zone "Europe\/Berln"/)]);
    expect(problems('    notify: [sales-emea, nobody]\n')).toEqual(['reports.slaWeekly.notify[1]: "nobody" is neither a team nor a rep']);
    expect(problems('    cron: "0 8 * * 1"\n')).toEqual([expect.stringMatching(/^reports\.slaWeekly/)]);
    expect(problems('    schedule: "15 7 * * 1"\n    notify: [customer-success, anna-schmidt]\n')).toEqual([]);
  });
});
