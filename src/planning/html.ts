import { headlineFunnel, money, count, pct, signedPct, type PlanningReport } from './report.ts';
import { barChart, divergingChart, esc } from './svg.ts';

const STATUS_COLORS: Record<string, string> = { 'on-track': '#2e9e5b', ok: '#2e9e5b', watch: '#e0a526', warning: '#e0a526', 'off-track': '#d8573b', 'no-data': '#9aa0a6' };
const statusColor = (status: string, variance: number) => STATUS_COLORS[status] ?? (variance < 0 ? '#d8573b' : '#2e9e5b');

const STYLE = `
body { font-family: system-ui, -apple-system, "Segoe UI", sans-serif; margin: 2rem auto; max-width: 980px; color: #1d1d1f; padding: 0 1rem; }
h1 { font-size: 1.6rem; } h2 { margin-top: 2rem; border-bottom: 1px solid #ddd; padding-bottom: .3rem; }
table { border-collapse: collapse; margin: .5rem 0 1rem; font-size: .9rem; }
th, td { border: 1px solid #ddd; padding: .3rem .6rem; text-align: right; } th:first-child, td:first-child { text-align: left; }
.meta { color: #555; } .carried { background: #fff6e0; border-left: 4px solid #e0a526; padding: .5rem 1rem; }
.chart { display: block; margin: 1rem 0; font-size: 12px; } .chart-title { font-weight: 600; font-size: 13px; }
.label { fill: #333; } .value { fill: #333; }
code, pre { background: #f4f4f6; padding: .1rem .3rem; }
`;

/**
 * The report as one self-contained HTML page: inline CSS and inline SVG charts (reverse funnel, ARR against target,
 * assumption variance, NRR/GRR); no scripts and no external resources, so it opens anywhere, also offline.
 */
export function renderHtml(r: PlanningReport): string {
  const c = r.plan.currency;
  const a = r.adjust;
  const m = headlineFunnel(r);
  const charts: string[] = [];
  if (m) {
    charts.push(
      barChart(`Reverse funnel for ${m.period}`, [
        { label: 'Leads', value: m.leads, text: count(m.leads), color: '#8fb0ee' },
        { label: 'MQLs', value: m.mqls, text: count(m.mqls), color: '#5f8fe3' },
        { label: 'Opportunities', value: m.opportunities, text: count(m.opportunities), color: '#3b6fd8' },
      ]),
    );
  }
  charts.push(
    barChart(`ARR for ${r.period.id}: actual vs target`, [
      { label: 'Target', value: a.arrTarget, text: money(a.arrTarget, c), color: '#9aa0a6' },
      { label: 'Actual', value: a.actualArr, text: money(a.actualArr, c), color: a.actualArr >= a.arrTarget ? '#2e9e5b' : '#d8573b' },
    ]),
  );
  if (a.reforecast.length > 0) {
    charts.push(
      barChart(
        'Bookings needed per period (re-forecast)',
        a.reforecast.map((x) => ({ label: x.period, value: x.bookingsNeeded, text: money(x.bookingsNeeded, c) })),
      ),
    );
  }
  const checks = r.analyze.checks.filter((k) => k.variance !== null);
  charts.push(
    divergingChart(
      'Actual vs assumption variance',
      checks.map((k) => ({ label: k.label ?? k.name, value: k.variance!, text: signedPct(k.variance), color: statusColor(k.status, k.variance!) })),
    ),
  );
  const { nrr, grr } = r.analyze.retention;
  charts.push(
    barChart(
      'Net and gross revenue retention',
      [
        { label: 'NRR', value: nrr ?? 0, text: pct(nrr), color: '#3b6fd8' },
        { label: 'GRR', value: grr ?? 0, text: pct(grr), color: '#5f8fe3' },
      ],
      { max: 1.2, reference: { value: 1, label: '100%' } },
    ),
  );

  const row = (cells: string[], tag = 'td') => `<tr>${cells.map((x) => `<${tag}>${x}</${tag}>`).join('')}</tr>`;
  const parts: string[] = [];
  parts.push('<!DOCTYPE html>', '<html lang="en">', '<head>', '<meta charset="utf-8">', '<meta name="viewport" content="width=device-width, initial-scale=1">');
  parts.push(`<title>${esc(`Growth plan review ${r.cycle}: ${r.plan.name}`)}</title>`, `<style>${STYLE}</style>`, '</head>', '<body>');
  parts.push(`<h1>${esc(`Growth plan review ${r.cycle}: ${r.plan.name}`)}</h1>`);
  parts.push(
    `<p class="meta">Period <strong>${esc(r.period.id)}</strong> (${esc(r.period.from)} to ${esc(r.period.to)}); actuals ${esc(r.period.measuredFrom)} to ${esc(r.period.measuredTo)}. Generated ${esc(r.generatedAt)} by <code>${esc(r.workflowId)}</code>.</p>`,
  );
  if (r.carried) {
    parts.push(
      `<div class="carried"><p><strong>Changes requested last cycle</strong> by ${esc(r.carried.by)} (cycle ${esc(r.carried.cycle)}, ${esc(r.carried.at)}):</p><p>${esc(r.carried.comments)}</p></div>`,
    );
  }
  parts.push('<h2>1. Adjust: plan vs actual ARR</h2>');
  parts.push('<table>', row(['', 'Value'], 'th'));
  parts.push(row([`ARR target (${esc(r.period.id)})`, esc(money(a.arrTarget, c))]), row([`Actual ARR (${a.accounts} accounts)`, esc(money(a.actualArr, c))]));
  parts.push(row(['Gap', esc(money(a.gap, c))]), row(['Attainment', esc(pct(a.attainment))]), '</table>');
  parts.push(charts[0]!, charts[1]!);
  if (a.reforecast.length > 0) {
    parts.push('<table>', row(['Period', 'ARR target', 'Bookings needed', 'Opportunities', 'MQLs', 'Leads', 'Opps by', 'Reps needed', 'Rep hires', 'CSM hires'], 'th'));
    for (const x of a.reforecast) {
      parts.push(
        row(
          [
            x.period,
            money(x.arrTarget, c),
            money(x.bookingsNeeded, c),
            count(x.opportunities),
            count(x.mqls),
            count(x.leads),
            x.opportunitiesCreateBy,
            String(x.repsNeeded),
            String(x.repHires),
            String(x.csmHires),
          ].map(esc),
        ),
      );
    }
    parts.push('</table>');
  }
  parts.push(...charts.slice(2, charts.length - 2));
  parts.push('<h2>2. Augment: recommendations</h2>');
  if (r.augment.recommendations.length === 0) parts.push('<p>No recommendations: the audit found nothing to change.</p>');
  else {
    parts.push('<ul>');
    for (const rec of r.augment.recommendations) {
      const tags = [rec.severity, rec.area].filter(Boolean).join(', ');
      parts.push(`<li><strong>${esc(rec.title)}</strong>${tags ? ` (${esc(tags)})` : ''}${rec.detail ? `: ${esc(rec.detail)}` : ''}</li>`);
    }
    parts.push('</ul>');
  }
  parts.push('<h2>3. Analyze: assumptions vs actuals</h2>');
  if (r.analyze.checks.length > 0) {
    parts.push('<table>', row(['Assumption', 'Planned', 'Actual', 'Variance', 'Status'], 'th'));
    for (const k of r.analyze.checks)
      parts.push(row([k.label ?? k.name, k.planned === null ? 'n/a' : String(k.planned), k.actual === null ? 'n/a' : String(k.actual), signedPct(k.variance), k.status].map(esc)));
    parts.push('</table>');
  }
  parts.push(charts[charts.length - 2]!, charts[charts.length - 1]!);
  parts.push('<h2>4. Align: decision</h2>');
  parts.push(`<p>Approvers: ${esc(r.approval.approvers.join(', '))}. Decide within ${esc(r.approval.deadline)}; then ${esc(r.approval.escalateTo.join(', ') || 'nobody')} is asked.</p>`);
  parts.push(`<pre>flywheel plan approve ${esc(r.cycle)} --by &lt;approver&gt;\nflywheel plan approve ${esc(r.cycle)} --by &lt;approver&gt; --request-changes --comments "..."</pre>`);
  parts.push('</body>', '</html>', '');
  return parts.join('\n');
}
