import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { renderHtml } from '../../../src/planning/html.ts';
import { writeReport } from '../../../src/planning/publish.ts';
import { renderMarkdown } from '../../../src/planning/report.ts';
import { sampleReport, tagProblems } from './sample.ts';

const tmp = mkdtempSync(path.join(os.tmpdir(), 'flywheel-planning-report-'));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

describe('planning report HTML', () => {
  const html = renderHtml(sampleReport());

  it('is one complete HTML document', () => {
    expect(html.startsWith('<!DOCTYPE html>')).toBe(true);
    expect(html).toMatch(
      /<html lang="en">[\s\S]*<head>[\s\S]*<meta charset="utf-8">[\s\S]*<title>Growth plan review 2027-03: Northwind Metrics growth plan 2027<\/title>[\s\S]*<\/head>\s*<body>[\s\S]*<\/body>\s*<\/html>\s*$/,
    );
    expect(tagProblems(html)).toEqual([]);
  });

  it('draws the reverse funnel, ARR, variance and retention charts as inline SVG with titles and bars', () => {
    const svgs = html.match(/<svg[\s\S]*?<\/svg>/g) ?? [];
    const titles = svgs.map((s) => /<title id="[^"]+">([^<]*)<\/title>/.exec(s)?.[1]);
    expect(titles).toEqual([
      'Reverse funnel for 2027-03',
      'ARR for 2027-03: actual vs target',
      'Bookings needed per period (re-forecast)',
      'Actual vs assumption variance',
      'Net and gross revenue retention',
    ]);
    for (const s of svgs) {
      expect(s).toMatch(/<svg [^>]*viewBox="0 0 \d+ \d+"[^>]*role="img"/);
      expect((s.match(/<rect /g) ?? []).length).toBeGreaterThan(0);
    }
    // The funnel narrows: leads > MQLs > opportunities, as bar widths.
    const widths = [...svgs[0]!.matchAll(/<rect [^>]*width="([\d.]+)"/g)].map((x) => Number(x[1]));
    expect(widths).toHaveLength(3);
    expect(widths[0]!).toBeGreaterThan(widths[1]!);
    expect(widths[1]!).toBeGreaterThan(widths[2]!);
    // Variance: one bar per check with data; the unfavourable one goes left of the zero line.
    expect(svgs[3]).toContain('Win rate: -18.2%');
    expect(svgs[3]).toContain('Monthly gross churn: +62.5%');
    expect(svgs[3]).not.toContain('Sales cycle');
    expect(svgs[4]).toContain('NRR: 103.1%');
    expect(svgs[4]).toContain('GRR: 94.1%');
  });

  it('is self-contained: no scripts, no external URLs, no linked resources', () => {
    expect(html).not.toMatch(/<script|<link|<iframe|<img|@import/i);
    expect(html).not.toMatch(/https?:|\/\/[a-z0-9.-]+\.[a-z]{2,}/i);
    expect(html).not.toMatch(/\s(src|href)=/i);
  });

  it('escapes text from the plan and the comments', () => {
    const evil = renderHtml(sampleReport({ plan: { name: '<script>alert(1)</script> & co', file: 'x', currency: 'EUR' } }));
    expect(evil).not.toContain('<script>');
    expect(evil).toContain('&lt;script&gt;alert(1)&lt;/script&gt; &amp; co');
    expect(html).toContain('Raise the webinar budget &amp; re-check &lt;NA&gt; win rates');
    expect(tagProblems(evil)).toEqual([]);
  });

  it('writes report.md, report.json and report.html to the cycle folder; the written page is still a valid document', () => {
    const report = sampleReport({ cycle: 'scheduled-2027-04-01T06:00:00Z' });
    const files = writeReport(tmp, report);
    expect(files.dir).toBe(path.join(tmp, 'scheduled-2027-04-01T06-00-00Z'));
    expect(JSON.parse(readFileSync(files.json, 'utf8'))).toEqual(report);
    const page = readFileSync(files.html, 'utf8');
    expect(page).toBe(renderHtml(report));
    expect(tagProblems(page)).toEqual([]);
    expect((page.match(/<svg /g) ?? []).length).toBe(5);
    expect(readFileSync(files.markdown, 'utf8')).toContain('# Growth plan review scheduled-2027-04-01T06:00:00Z');
  });

  it('the tag check itself catches broken markup', () => {
    expect(tagProblems('<html><body><div></body></html>')).not.toEqual([]);
    expect(tagProblems('<svg><rect x="1"/></svg>')).toEqual([]);
  });
});

describe('planning report Markdown', () => {
  const md = renderMarkdown(sampleReport());
  it('has the four steps, the carried comments, the tables and the approve commands', () => {
    expect(md).toMatch(/^# Growth plan review 2027-03/);
    for (const h of ['## Changes requested last cycle', '## 1. Adjust', '## 2. Augment', '## 3. Analyze', '## 4. Align']) expect(md).toContain(h);
    expect(md).toContain('> Raise the webinar budget & re-check <NA> win rates');
    expect(md).toContain('| Actual ARR (187 accounts) | EUR 4,512,346 |');
    expect(md).toContain('| Win rate | 0.22 | 0.18 | -18.2% | watch |');
    expect(md).toContain('**Add a second rep to the enterprise-emea queue** (critical, sla): 31% of 120 first-touch SLAs breached');
    expect(md).toContain('flywheel plan approve 2027-03 --by <approver> --request-changes --comments "..."');
    expect(md).toContain('Net revenue retention 103.1%, gross revenue retention 94.1%.');
  });
});
