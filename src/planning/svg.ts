/**
 * Small inline SVG charts for the planning report: plain markup, no scripts, no external fonts or styles, so the
 * page is self-contained. Every chart carries a <title> (its accessible name) and text labels on each bar.
 */

export interface Bar {
  label: string;
  value: number;
  /** Shown at the end of the bar; default: the value. */
  text?: string;
  color?: string;
}

export const esc = (s: string) => s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;').replace(/'/g, '&#39;');

const f = (n: number) => String(Math.round(n * 10) / 10);
const LABEL_W = 170;
const VALUE_W = 110;
const BAR_H = 22;
const GAP = 8;
const TOP = 30;

function frame(title: string, width: number, height: number, body: string[]): string {
  const id = `chart-${title
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, '-')
    .replace(/^-|-$/g, '')}`;
  return [
    `<svg class="chart" width="${width}" height="${height}" viewBox="0 0 ${width} ${height}" role="img" aria-labelledby="${id}">`,
    `<title id="${id}">${esc(title)}</title>`,
    `<text x="0" y="18" class="chart-title">${esc(title)}</text>`,
    ...body,
    '</svg>',
  ].join('\n');
}

/** Horizontal bars from zero, scaled to the largest value (or `max`); optional dashed reference line. */
export function barChart(title: string, bars: Bar[], opts: { width?: number; max?: number; reference?: { value: number; label: string } } = {}): string {
  const width = opts.width ?? 640;
  const plotW = width - LABEL_W - VALUE_W;
  const max = Math.max(opts.max ?? 0, opts.reference?.value ?? 0, ...bars.map((b) => b.value), 1e-9);
  const height = TOP + bars.length * (BAR_H + GAP) + 10;
  const body: string[] = [];
  bars.forEach((b, i) => {
    const y = TOP + i * (BAR_H + GAP);
    const w = Math.max(0, (Math.max(0, b.value) / max) * plotW);
    body.push(`<text x="${LABEL_W - 8}" y="${f(y + BAR_H * 0.7)}" text-anchor="end" class="label">${esc(b.label)}</text>`);
    body.push(`<rect x="${LABEL_W}" y="${y}" width="${f(w)}" height="${BAR_H}" fill="${b.color ?? '#3b6fd8'}"><title>${esc(`${b.label}: ${b.text ?? String(b.value)}`)}</title></rect>`);
    body.push(`<text x="${f(LABEL_W + w + 6)}" y="${f(y + BAR_H * 0.7)}" class="value">${esc(b.text ?? String(b.value))}</text>`);
  });
  if (opts.reference) {
    const x = LABEL_W + (opts.reference.value / max) * plotW;
    body.push(`<line x1="${f(x)}" y1="${TOP - 6}" x2="${f(x)}" y2="${height - 6}" stroke="#222" stroke-dasharray="4 3"/>`);
    body.push(`<text x="${f(x + 4)}" y="${TOP - 8}" class="value">${esc(opts.reference.label)}</text>`);
  }
  return frame(title, width, height, body);
}

/** Bars left (negative) or right (positive) of a zero line, e.g. variance of actuals against assumptions. */
export function divergingChart(title: string, bars: Bar[], opts: { width?: number } = {}): string {
  const width = opts.width ?? 640;
  const plotW = width - LABEL_W - VALUE_W;
  const max = Math.max(...bars.map((b) => Math.abs(b.value)), 1e-9);
  const zero = LABEL_W + plotW / 2;
  const height = TOP + Math.max(1, bars.length) * (BAR_H + GAP) + 10;
  const body: string[] = [`<line x1="${f(zero)}" y1="${TOP - 6}" x2="${f(zero)}" y2="${height - 6}" stroke="#222"/>`];
  bars.forEach((b, i) => {
    const y = TOP + i * (BAR_H + GAP);
    const w = (Math.abs(b.value) / max) * (plotW / 2);
    const x = b.value < 0 ? zero - w : zero;
    const color = b.color ?? (b.value < 0 ? '#d8573b' : '#2e9e5b');
    body.push(`<text x="${LABEL_W - 8}" y="${f(y + BAR_H * 0.7)}" text-anchor="end" class="label">${esc(b.label)}</text>`);
    body.push(`<rect x="${f(x)}" y="${y}" width="${f(w)}" height="${BAR_H}" fill="${color}"><title>${esc(`${b.label}: ${b.text ?? String(b.value)}`)}</title></rect>`);
    body.push(`<text x="${f(LABEL_W + plotW + 6)}" y="${f(y + BAR_H * 0.7)}" class="value">${esc(b.text ?? String(b.value))}</text>`);
  });
  if (bars.length === 0) body.push(`<text x="${LABEL_W}" y="${TOP + 14}" class="label">no data</text>`);
  return frame(title, width, height, body);
}
