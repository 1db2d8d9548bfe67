import { readFileSync } from 'node:fs';
import { expect } from 'vitest';
import type { LoadedConfig } from '../../src/config/types.ts';
import type { ReportWeek } from '../../src/slaReport/week.ts';
import type { SlaReportOutcome } from '../../workflows/slaReport/types.ts';
import { SLA_WEEK_EXPECTED } from '../support/slaWeekFixture.ts';
import { addDays, formatIsoDate, MS_PER_DAY } from '../../src/calendar/civil.ts';

/** Every team's manager, once, in team order: who the shipped config tells by default. */
export const MANAGERS = ['lena-vogel', 'jonas-becker', 'maya-brooks', 'sofia-rossi'];

/** lukas-meyer on leave from four weeks before `around` to four after: whichever week a test reports, his clock is in it. */
export function lukasOnLeave(around: number) {
  return (loaded: LoadedConfig) => {
    const day = formatIsoDate(Math.floor(around / MS_PER_DAY));
    loaded.config.reps.find((r) => r.id === 'lukas-meyer')!.outOfOffice = [{ from: addDays(day, -28), to: addDays(day, 28), reason: 'test leave' }];
  };
}

/** The published files of a run say what the fixture's week must say. */
export function expectPublished(out: SlaReportOutcome, week: ReportWeek, reportsDir: string): void {
  expect(out.week).toEqual(week);
  expect(out.files.dir).toBe(`${reportsDir}/sla-${week.week}`);
  const json = JSON.parse(readFileSync(out.files.json, 'utf8'));
  expect(json.week).toEqual(week);
  expect(json.handoffs).toEqual(SLA_WEEK_EXPECTED.handoffs);
  expect(json.teams).toEqual(SLA_WEEK_EXPECTED.teams);
  expect(json.owners).toEqual(SLA_WEEK_EXPECTED.owners);
  expect(json.held).toEqual(SLA_WEEK_EXPECTED.held);
  expect(json.breaches.map((b: { cause: string }) => b.cause)).toEqual(SLA_WEEK_EXPECTED.breachCauses);
  expect(json.causes).toEqual(SLA_WEEK_EXPECTED.causes);
  expect(readFileSync(out.files.markdown, 'utf8')).toContain(`# Hand-off SLA report ${week.week}\n`);
  expect(readFileSync(out.files.markdown, 'utf8')).toContain('| marketing-to-sales | 3 | 6 | 33.3% | 1 | 2.00 h |');
  const html = readFileSync(out.files.html, 'utf8');
  expect(html).toMatch(/^<!DOCTYPE html>/);
  expect(html).toContain('<td>sales-to-cs</td><td>1</td><td>1</td><td>50.0%</td>');
  expect(out.summary).toMatchObject({ week: week.week, breaches: 7, heldHours: 5.5, pausedHours: 5 });
}
