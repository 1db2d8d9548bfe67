import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import { loadConfig } from '../../../src/config/load.ts';
import { renderSlaHtml } from '../../../src/slaReport/html.ts';
import { writeSlaReport } from '../../../src/slaReport/publish.ts';
import { buildSlaReport, renderSlaMarkdown, slaSummary, type SlaReport } from '../../../src/slaReport/report.ts';
import { parseWeek } from '../../../src/slaReport/week.ts';
import { emptyLedgerPerTest } from '../ledger/helpers/emptyLedger.ts';
import { tagProblems } from '../planning/sample.ts';
import { outOfOfficeFor, SLA_WEEK_EXPECTED, slaWeekRows } from '../../support/slaWeekFixture.ts';

const tmp = mkdtempSync(path.join(os.tmpdir(), 'flywheel-sla-report-'));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

// The week Berlin's clocks go forward (167 hours): the fixture's last breach is at hour 110.
const WEEK = parseWeek('2027-W12', 'Europe/Berlin');
const config = loadConfig(fileURLToPath(new URL('../../../config/flywheel.yaml', import.meta.url))).config;
const lukas = config.reps.find((r) => r.id === 'lukas-meyer')!;
lukas.outOfOffice = [outOfOfficeFor(WEEK)];
const ledger = emptyLedgerPerTest();

async function report(): Promise<SlaReport> {
  await ledger.record(slaWeekRows(WEEK, 'unit'));
  return buildSlaReport(ledger, config, WEEK, { generatedAt: '2027-03-29T06:00:00.000Z', workflowId: 'sla-report:2027-W12' });
}

describe('the weekly SLA report from the ledger', () => {
  it('counts compliance per hand-off, team and owner in the week only', async () => {
    const r = await report();
    expect(r.week).toEqual(WEEK);
    expect(r.handoffs).toEqual(SLA_WEEK_EXPECTED.handoffs);
    expect(r.teams).toEqual(SLA_WEEK_EXPECTED.teams);
    expect(r.owners).toEqual(SLA_WEEK_EXPECTED.owners);
    expect(r.held).toEqual(SLA_WEEK_EXPECTED.held);
  });

  it('lists every breach of the week with its causes', async () => {
    const r = await report();
    expect(r.breaches.map((b) => b.cause)).toEqual(SLA_WEEK_EXPECTED.breachCauses);
    expect(r.causes).toEqual(SLA_WEEK_EXPECTED.causes);
    const byLead = (id: string) => r.breaches.find((b) => b.leadId === `${id}-unit`)!;
    expect(byLead('L3')).toMatchObject({ owner: 'claire-dubois', team: 'sales-emea', heldHours: 4, causes: ['held'], clock: 0, rule: 'first-touch' });
    expect(byLead('L5')).toMatchObject({ pausedHours: 1, causes: ['paused'] });
    expect(byLead('L6')).toMatchObject({ owner: null, team: 'sales-commercial', causes: ['no-owner'] });
    expect(byLead('L8')).toMatchObject({ clock: 1, causes: ['reassigned'] });
    expect(r.breaches.at(-1)).toMatchObject({ handoff: 'sales-to-cs', accountId: 'A2-unit', owner: 'david-kim', team: 'customer-success', cause: 'missed' });
    // L10 breached at the week's end: the next week's.
    expect(r.breaches.some((b) => b.leadId === 'L10-unit')).toBe(false);
  });

  it('an owner on leave only explains a breach when the leave overlaps the clock', async () => {
    lukas.outOfOffice = [{ from: '2027-03-01', to: '2027-03-05', reason: 'earlier leave' }];
    try {
      const r = await report();
      expect(r.breaches.find((b) => b.owner === 'lukas-meyer')?.causes).toEqual(['missed']);
    } finally {
      lukas.outOfOffice = [outOfOfficeFor(WEEK)];
    }
  });

  it('says so when nothing happened', async () => {
    const r = await buildSlaReport(ledger, config, WEEK, { generatedAt: '2027-03-29T06:00:00.000Z' });
    expect(r.handoffs.map((h) => [h.met, h.breached, h.compliance])).toEqual([
      [0, 0, null],
      [0, 0, null],
    ]);
    expect(renderSlaMarkdown(r)).toContain('No breaches this week.');
    expect(tagProblems(renderSlaHtml(r))).toEqual([]);
  });
});

describe('the weekly SLA report rendered', () => {
  it('Markdown: the week, compliance tables, breaches with causes and the notes', async () => {
    const md = renderSlaMarkdown(await report());
    expect(md.startsWith('# Hand-off SLA report 2027-W12\n')).toBe(true);
    expect(md).toContain('Week 2027-W12: 2027-03-22 00:00 to the next Monday 00:00 Europe/Berlin (2027-03-21T23:00:00.000Z to 2027-03-28T22:00:00.000Z)');
    expect(md).toContain('| marketing-to-sales | 3 | 6 | 33.3% | 1 | 2.00 h |');
    expect(md).toContain('| sales-to-cs | 1 | 1 | 50.0% | 1 | 3.00 h |');
    expect(md).toContain('Held: 2 leads placed after waiting 5.50 h in all for an owner.');
    expect(md).toContain('| marketing-to-sales | sales-emea | claire-dubois | 2 | 1 | 66.7% |');
    expect(md).toContain('| marketing-to-sales | sales-commercial | — | 0 | 1 | 0.0% |');
    expect(md).toContain('7 breaches by first cause: no-owner 1, out-of-office 1, held 1, paused 1, reassigned 1, missed 2.');
    expect(md).toMatch(/\| lead L3-unit \| claire-dubois \| sales-emea \| first-touch \| held \| — \| 4\.00 h \| 0\.00 h \|/);
    expect(md).toContain('## Notes');
  });

  it('HTML: one self-contained page with the same figures and its charts', async () => {
    const html = renderSlaHtml(await report());
    expect(html.startsWith('<!DOCTYPE html>')).toBe(true);
    expect(tagProblems(html)).toEqual([]);
    expect(html).not.toMatch(/https?:|<script/);
    const titles = [...html.matchAll(/<title id="[^"]+">([^<]*)<\/title>/g)].map((m) => m[1]);
    expect(titles).toEqual(['SLA compliance per hand-off', 'SLA compliance per team', 'Breaches by first cause']);
    expect(html).toContain('<td>marketing-to-sales</td><td>3</td><td>6</td><td>33.3%</td>');
    expect(html).toContain('<td>out-of-office</td>');
  });

  it('files: sla-<week>/report.{md,json,html}, rewritten whole with no temporary file left', async () => {
    const r = await report();
    const files = writeSlaReport(tmp, r);
    expect(files.dir).toBe(path.join(tmp, 'sla-2027-W12'));
    writeSlaReport(tmp, r);
    expect(readdirSync(files.dir).sort()).toEqual(['report.html', 'report.json', 'report.md']);
    expect(JSON.parse(readFileSync(files.json, 'utf8'))).toEqual(JSON.parse(JSON.stringify(r)));
    expect(readFileSync(files.markdown, 'utf8')).toBe(renderSlaMarkdown(r));
    expect(slaSummary(r)).toEqual({
      week: '2027-W12',
      handoffs: { 'marketing-to-sales': { met: 3, breached: 6, compliance: 0.3333 }, 'sales-to-cs': { met: 1, breached: 1, compliance: 0.5 } },
      breaches: 7,
      causes: SLA_WEEK_EXPECTED.causes,
      heldHours: 5.5,
      pausedHours: 5,
    });
  });
});
