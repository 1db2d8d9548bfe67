import { pct } from '../planning/report.ts';
import { barChart, esc } from '../planning/svg.ts';
import { BREACH_CAUSES } from './breaches.ts';
import type { SlaReport } from './report.ts';

const STYLE = `
body { font-family: system-ui, -apple-system, "Segoe UI", sans-serif; margin: 2rem auto; max-width: 980px; color: #1d1d1f; padding: 0 1rem; }
h1 { font-size: 1.6rem; } h2 { margin-top: 2rem; border-bottom: 1px solid #ddd; padding-bottom: .3rem; }
table { border-collapse: collapse; margin: .5rem 0 1rem; font-size: .9rem; }
th, td { border: 1px solid #ddd; padding: .3rem .6rem; text-align: right; } th:first-child, td:first-child { text-align: left; }
td.text { text-align: left; } .meta { color: #555; } .notes { color: #555; font-size: .9rem; }
.chart { display: block; margin: 1rem 0; font-size: 12px; } .chart-title { font-weight: 600; font-size: 13px; }
.label { fill: #333; } .value { fill: #333; } code { background: #f4f4f6; padding: .1rem .3rem; }
`;

// Green from 90 % compliance, amber from 75 %, red below.
const complianceColor = (x: number | null) => (x === null ? '#9aa0a6' : x >= 0.9 ? '#2e9e5b' : x >= 0.75 ? '#e0a526' : '#d8573b');
const hours = (h: number) => `${h.toFixed(2)} h`;
const dash = (s: string | null) => (s === null ? '—' : s);

/** The report as one self-contained page (inline CSS and SVG, no scripts, nothing fetched), like the planning report. */
export function renderSlaHtml(r: SlaReport): string {
  const w = r.week;
  const row = (cells: string[], tag = 'td') => `<tr>${cells.map((x) => `<${tag}>${x}</${tag}>`).join('')}</tr>`;
  const title = `Hand-off SLA report ${w.week}`;
  const p: string[] = ['<!DOCTYPE html>', '<html lang="en">', '<head>', '<meta charset="utf-8">', '<meta name="viewport" content="width=device-width, initial-scale=1">'];
  p.push(`<title>${esc(title)}</title>`, `<style>${STYLE}</style>`, '</head>', '<body>', `<h1>${esc(title)}</h1>`);
  p.push(
    `<p class="meta">Week ${esc(w.week)}: ${esc(w.monday)} 00:00 to the next Monday 00:00 ${esc(w.timezone)} (${esc(w.from)} to ${esc(w.to)}). Generated ${esc(r.generatedAt)}${r.workflowId ? ` by <code>${esc(r.workflowId)}</code>` : ''}.</p>`,
  );
  p.push('<h2>Compliance per hand-off</h2>', '<table>', row(['Hand-off', 'Met', 'Breached', 'Compliance', 'Paused clocks', 'Paused time'], 'th'));
  for (const h of r.handoffs) p.push(row([h.handoff, String(h.met), String(h.breached), pct(h.compliance), String(h.paused.clocks), hours(h.paused.hours)].map(esc)));
  p.push('</table>');
  p.push(
    barChart(
      'SLA compliance per hand-off',
      r.handoffs.map((h) => ({ label: h.handoff, value: h.compliance ?? 0, text: pct(h.compliance), color: complianceColor(h.compliance) })),
      { max: 1, reference: { value: 0.9, label: '90%' } },
    ),
  );
  p.push(`<p>Held: ${r.held.leads} lead${r.held.leads === 1 ? '' : 's'} placed after waiting ${esc(hours(r.held.hours))} in all for an owner.</p>`);
  p.push('<h2>Per team</h2>');
  if (r.teams.length === 0) p.push('<p>No SLA clock was met or breached this week.</p>');
  else {
    p.push('<table>', row(['Hand-off', 'Team', 'Met', 'Breached', 'Compliance'], 'th'));
    for (const t of r.teams) p.push(row([t.handoff, dash(t.team), String(t.met), String(t.breached), pct(t.compliance)].map(esc)));
    p.push('</table>');
    p.push(
      barChart(
        'SLA compliance per team',
        r.teams.map((t) => ({
          label: `${dash(t.team)} (${t.handoff === 'marketing-to-sales' ? 'M→S' : 'S→CS'})`,
          value: t.compliance ?? 0,
          text: pct(t.compliance),
          color: complianceColor(t.compliance),
        })),
        { max: 1, reference: { value: 0.9, label: '90%' } },
      ),
    );
  }
  p.push('<h2>Per owner</h2>');
  if (r.owners.length === 0) p.push('<p>No SLA clock was met or breached this week.</p>');
  else {
    p.push('<table>', row(['Hand-off', 'Team', 'Owner', 'Met', 'Breached', 'Compliance'], 'th'));
    for (const o of r.owners) p.push(row([o.handoff, dash(o.team), dash(o.owner), String(o.met), String(o.breached), pct(o.compliance)].map(esc)));
    p.push('</table>');
  }
  p.push('<h2>Breaches and their causes</h2>');
  if (r.breaches.length === 0) p.push('<p>No breaches this week.</p>');
  else {
    const causes = BREACH_CAUSES.filter((c) => r.causes[c] > 0);
    p.push(
      barChart(
        'Breaches by first cause',
        causes.map((c) => ({ label: c, value: r.causes[c], text: String(r.causes[c]), color: '#d8573b' })),
      ),
    );
    p.push('<table>', row(['Breached at', 'Hand-off', 'Record', 'Owner', 'Team', 'Rule', 'Cause', 'Also', 'Held', 'Paused'], 'th'));
    for (const b of r.breaches) {
      const record = b.leadId ? `lead ${b.leadId}` : `account ${b.accountId}`;
      const also = b.causes.filter((c) => c !== b.cause).join(', ');
      p.push(row([b.at, b.handoff, record, dash(b.owner), dash(b.team), dash(b.rule), b.cause, also || '—', hours(b.heldHours), hours(b.pausedHours)].map(esc)));
    }
    p.push('</table>');
  }
  p.push('<h2>Notes</h2>', '<ul class="notes">', ...r.notes.map((n) => `<li>${esc(n)}</li>`), '</ul>', '</body>', '</html>', '');
  return p.join('\n');
}
