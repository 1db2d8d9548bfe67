/**
 * The operations page: one server-rendered HTML document with inline CSS and inline SVG charts (src/planning/svg.ts),
 * no scripts and nothing to build. It reloads itself (a meta refresh) so a screen on the wall stays current.
 */
import { toWallTime } from '../../calendar/zonedTime.ts';
import { barChart, esc } from '../../planning/svg.ts';
import { HANDOFFS } from '../../metrics/handoffs.ts';
import type { ClockRecord, ClockRow, OperationsModel } from './model.ts';

export const REFRESH_SECONDS = 20;

const STYLE = `
body { font-family: system-ui, -apple-system, "Segoe UI", sans-serif; margin: 1.5rem auto; max-width: 1100px; color: #1d1d1f; padding: 0 1rem; }
h1 { font-size: 1.5rem; margin-bottom: .2rem; } h2 { margin-top: 1.8rem; border-bottom: 1px solid #ddd; padding-bottom: .3rem; font-size: 1.15rem; }
table { border-collapse: collapse; margin: .5rem 0 1rem; font-size: .85rem; }
th, td { border: 1px solid #ddd; padding: .25rem .5rem; text-align: left; } th { background: #f4f4f6; } td.num { text-align: right; }
.meta { color: #555; font-size: .9rem; } .empty { color: #777; font-style: italic; }
.tiles { display: flex; flex-wrap: wrap; gap: .6rem; margin: 1rem 0; }
.tile { border: 1px solid #ddd; border-radius: 6px; padding: .5rem .9rem; min-width: 6rem; border-top: 4px solid #9aa0a6; }
.tile .n { font-size: 1.6rem; font-weight: 600; } .tile .l { font-size: .8rem; color: #555; }
.tiles .handoff { flex-basis: 100%; font-weight: 600; margin-bottom: -.2rem; }
.tile.bad { border-top-color: #d8573b; } .tile.warn { border-top-color: #e0a526; } .tile.ok { border-top-color: #2e9e5b; } .tile.info { border-top-color: #3b6fd8; }
tr.overdue td, tr.breached td { background: #fdecea; } tr.soon td { background: #fff6e0; }
.chart { display: block; margin: .8rem 0; font-size: 12px; } .chart-title { font-weight: 600; font-size: 13px; } .label, .value { fill: #333; }
.cols { display: flex; flex-wrap: wrap; gap: 0 2rem; } code { background: #f4f4f6; padding: .1rem .3rem; }
`;

/** `2026-12-07 14:05` in the page's time zone. */
function when(iso: string | null, zone: string): string {
  if (!iso) return '';
  const w = toWallTime(Date.parse(iso), zone);
  const p = (n: number) => String(n).padStart(2, '0');
  return `${w.year}-${p(w.month)}-${p(w.day)} ${p(w.hour)}:${p(w.minute)}`;
}

/** `2 h 05 min`, `12 min`, `-3 min` (past), `3 d 4 h`. */
export function span(ms: number): string {
  const sign = ms < 0 ? '-' : '';
  const m = Math.floor(Math.abs(ms) / 60_000);
  if (m < 60) return `${sign}${m} min`;
  const h = Math.floor(m / 60);
  if (h < 48) return `${sign}${h} h ${String(m % 60).padStart(2, '0')} min`;
  return `${sign}${Math.floor(h / 24)} d ${h % 24} h`;
}

const pct = (x: number) => `${Math.round(x * 100)}%`;
const cell = (x: string, cls = '') => `<td${cls ? ` class="${cls}"` : ''}>${x}</td>`;
const lead = (id: string, href: string | null) => (href ? `<a href="${esc(href)}" target="_blank" rel="noopener">${esc(id)}</a>` : esc(id));
/** A clock's row attributes (data-lead or data-account, and data-handoff) and its first two cells: the linked id and the hand-off. */
const recordAttrs = (r: ClockRecord) => (r.leadId !== null ? `data-lead="${esc(r.leadId)}"` : `data-account="${esc(r.accountId ?? '')}"`) + ` data-handoff="${esc(r.handoff)}"`;
const recordCells = (r: ClockRecord & { link: string | null }) => cell(lead(r.leadId ?? r.accountId ?? '', r.link)) + cell(esc(r.handoff));

function table(headers: string[], rows: string[], empty: string, id: string): string {
  if (rows.length === 0) return `<p class="empty" id="${id}">${esc(empty)}</p>`;
  return [`<table id="${id}">`, `<tr>${headers.map((h) => `<th>${esc(h)}</th>`).join('')}</tr>`, ...rows, '</table>'].join('\n');
}

function tile(n: number, label: string, tone: 'bad' | 'warn' | 'ok' | 'info' | '' = ''): string {
  return `<div class="tile ${tone}" data-count="${esc(label)}"><div class="n">${n}</div><div class="l">${esc(label)}</div></div>`;
}

function clockRow(c: ClockRow, zone: string): string {
  const cls = c.msLeft < 0 ? 'overdue' : c.msLeft < 3_600_000 ? 'soon' : '';
  return `<tr class="${cls}" ${recordAttrs(c)}>${[
    recordCells(c),
    cell(esc(c.status)),
    cell(esc(c.owner ?? '')),
    cell(esc(c.tier ?? '')),
    cell(esc(c.rule ?? '')),
    cell(esc(when(c.deadline, zone))),
    cell(esc(span(c.msLeft)), 'num'),
  ].join('')}</tr>`;
}

export function renderOperationsPage(m: OperationsModel): string {
  const z = m.timezone;
  const c = m.sla.counts;
  const parts: string[] = [];
  parts.push('<!DOCTYPE html>', '<html lang="en">', '<head>', '<meta charset="utf-8">', '<meta name="viewport" content="width=device-width, initial-scale=1">');
  parts.push(`<meta http-equiv="refresh" content="${REFRESH_SECONDS}">`, '<title>Flywheel operations</title>', `<style>${STYLE}</style>`, '</head>', '<body>');
  parts.push('<h1>Flywheel operations</h1>');
  parts.push(
    `<p class="meta">As of <strong>${esc(when(m.generatedAt, z))}</strong> ${esc(z)}; today counts from ${esc(when(m.todayFrom, z))}. Reloads every ${REFRESH_SECONDS} s. ` +
      `${m.temporalUi ? `Lead and account ids open their workflow in the <a href="${esc(m.temporalUi)}" target="_blank" rel="noopener">Temporal UI</a>.` : 'No Temporal UI address is configured: lead and account ids are not linked.'} ` +
      'Same data as JSON: <a href="v1/operations"><code>/v1/operations</code></a>.</p>',
  );

  parts.push('<h2 id="sla">SLA board</h2>');
  // One row of tiles per hand-off: the lead's first touch (with the held leads) and the account's CS kickoff.
  for (const h of HANDOFFS) {
    const n = c.byHandoff[h];
    parts.push(`<div class="tiles" data-handoff="${esc(h)}">`, `<div class="handoff">${esc(h)}</div>`);
    parts.push(
      tile(n.overdue, 'overdue', n.overdue ? 'bad' : 'ok'),
      tile(n.dueSoon, 'due within 1 h', n.dueSoon ? 'warn' : 'ok'),
      tile(n.warned, 'warned', n.warned ? 'warn' : ''),
      tile(n.running, 'running', 'info'),
      tile(n.paused, 'paused'),
      ...(h === 'marketing-to-sales' ? [tile(c.held, 'held leads', c.held ? 'warn' : '')] : []),
      tile(n.breachedToday, 'breaches today', n.breachedToday ? 'bad' : 'ok'),
    );
    parts.push('</div>');
  }
  parts.push(
    barChart(
      'Open SLA clocks by time to deadline',
      m.sla.buckets.map((b, i) => ({ label: b.label, value: b.n, color: i === 0 ? '#d8573b' : i === 1 ? '#e0a526' : '#3b6fd8' })),
      { width: 560 },
    ),
  );
  parts.push('<h3>Clocks closest to breach</h3>');
  parts.push(
    table(
      ['Lead / account', 'Hand-off', 'Status', 'Owner', 'Tier', 'SLA rule', 'Deadline', 'Time left'],
      m.sla.board.map((x) => clockRow(x, z)),
      'No SLA clock is running.',
      'sla-board',
    ),
  );
  parts.push('<h3>Breaches today</h3>');
  parts.push(
    table(
      ['Lead / account', 'Hand-off', 'Breached at', 'Breached by', 'SLA rule', 'Deadline'],
      m.sla.breachesToday.map(
        (b) => `<tr class="breached" ${recordAttrs(b)}>${[recordCells(b), cell(esc(when(b.at, z))), cell(esc(b.owner ?? '')), cell(esc(b.rule ?? '')), cell(esc(when(b.deadline, z)))].join('')}</tr>`,
      ),
      'No SLA breached today.',
      'breaches-today',
    ),
  );
  parts.push('<div class="cols"><div>', '<h3>Held leads</h3>');
  parts.push(
    table(
      ['Lead', 'Queue', 'Held since', 'Waiting', 'Why', 'Next try'],
      m.sla.held.map(
        (h) =>
          `<tr data-lead="${esc(h.leadId)}">${[cell(lead(h.leadId, h.link)), cell(esc(h.queue)), cell(esc(when(h.since, z))), cell(esc(span(h.waitingMs)), 'num'), cell(esc(h.reasons.join(', '))), cell(esc(h.nextAt ? when(h.nextAt, z) : 'when capacity frees'))].join('')}</tr>`,
      ),
      'No lead is held.',
      'held-leads',
    ),
  );
  parts.push('</div><div>', '<h3>Paused clocks</h3>');
  parts.push(
    table(
      ['Lead / account', 'Hand-off', 'Owner', 'Reason', 'Until', 'Deadline'],
      m.sla.paused.map(
        (p) =>
          `<tr ${recordAttrs(p)}>${[recordCells(p), cell(esc(p.owner ?? '')), cell(esc(p.pausedReason ?? '')), cell(esc(p.pausedUntil ? when(p.pausedUntil, z) : 'until resumed')), cell(esc(when(p.deadline, z)))].join('')}</tr>`,
      ),
      'No clock is paused.',
      'paused-clocks',
    ),
  );
  parts.push('</div></div>');

  parts.push('<h2 id="load">Queue load and capacity</h2>');
  parts.push(
    barChart(
      'Open leads per rep against capacity',
      m.reps.map((r) => ({
        label: r.rep,
        value: r.load ?? 0,
        text: r.capacity ? `${r.open}/${r.capacity} (${pct(r.load ?? 0)})` : `${r.open} (no cap)`,
        color: r.load === null ? '#9aa0a6' : r.load >= 1 ? '#d8573b' : r.load >= 0.8 ? '#e0a526' : '#2e9e5b',
      })),
      { max: 1, reference: { value: 1, label: 'capacity' } },
    ),
  );
  parts.push(
    table(
      ['Queue', 'Strategy', 'Members', 'Open leads', 'Held'],
      m.queues.map((q) => `<tr>${[cell(esc(q.queue)), cell(esc(q.strategy)), cell(String(q.members), 'num'), cell(String(q.open), 'num'), cell(String(q.held), 'num')].join('')}</tr>`),
      'No queue is configured.',
      'queues',
    ),
  );

  parts.push('<h2 id="routing">Routing share against the weights</h2>');
  parts.push(`<p class="meta">Weighted round robin placements in the last ${m.routing.windowDays} days: each bar is a rep's actual share, its label says actual vs the share the weights ask for.</p>`);
  const routed = m.routing.queues.filter((q) => q.total > 0);
  if (routed.length === 0) parts.push(`<p class="empty">No weighted round robin placement in the last ${m.routing.windowDays} days.</p>`);
  for (const q of routed) {
    parts.push(
      barChart(
        `${q.queue}: share of ${q.total} placements`,
        q.reps.map((r) => ({
          label: `${r.rep} (weight ${r.weight})`,
          value: r.actual,
          text: `${pct(r.actual)} vs ${pct(r.expected)}`,
          color: Math.abs(r.actual - r.expected) > 0.15 ? '#e0a526' : '#3b6fd8',
        })),
        { max: 1 },
      ),
    );
  }

  parts.push('<h2 id="rules">Rules revisions in use</h2>');
  const r = m.rules;
  if (r.api) parts.push(`<p>This API loads revision <code>${esc(r.api.revision ?? 'none')}</code> (${esc(r.api.status)}).</p>`);
  if (r.workers) parts.push(`<p>Workers: <strong>${esc(r.workers.status)}</strong>: ${esc(r.workers.detail)}.</p>`);
  else parts.push('<p class="empty">The ledger has no worker heartbeats (migration 0005 not applied).</p>');
  parts.push(
    table(
      ['Revision', 'Live workers', 'Open leads (visibility)'],
      r.revisions.map((x) => `<tr>${[cell(`<code>${esc(x.revision)}</code>`), cell(String(x.workers), 'num'), cell(x.openLeads === null ? 'n/a' : String(x.openLeads), 'num')].join('')}</tr>`),
      'No live worker reported its rules.',
      'revisions',
    ),
  );
  const shadow = r.workers?.live.filter((w) => w.shadow) ?? [];
  if (shadow.length > 0 || r.shadowToday.length > 0) {
    parts.push('<h3>Shadow rules</h3>');
    parts.push(
      table(
        ['Kind', 'Shadow revision', 'Disagreements today'],
        r.shadowToday.map((s) => `<tr>${[cell(esc(s.kind)), cell(`<code>${esc(s.shadowRevision)}</code>`), cell(String(s.n), 'num')].join('')}</tr>`),
        `The shadow (${shadow.map((w) => w.shadow).join(', ')}) agreed with every decision today.`,
        'shadow',
      ),
    );
  }

  parts.push('<h2 id="visibility">Temporal visibility</h2>');
  const v = m.visibility;
  if (v.ok) {
    parts.push(`<p>${v.openLeads} open lead workflows; by <code>SlaStatus</code> (the workflows' own view, eventually consistent):</p>`);
    parts.push(
      barChart(
        'Open lead workflows by SlaStatus',
        Object.entries(v.bySlaStatus).map(([s, n]) => ({ label: s, value: n })),
        { width: 560 },
      ),
    );
  } else parts.push(`<p class="empty" id="visibility-unavailable">${esc(v.error)}</p>`);
  parts.push('</body>', '</html>', '');
  return parts.join('\n');
}
