import type { ImpactReport, RuleCount } from '../impact.ts';
import { headline, plural, sideText, spanText, title } from './wording.ts';

const rules = (rs: RuleCount[]) => rs.map((r) => `${r.rule} (${r.count})`).join(', ');

/** The impact or shadow report for a terminal. */
export function renderText(r: ImpactReport): string[] {
  const counted = r.source === 'impact';
  const lines = [`${title(r)}: ${sideText(r.before)} -> ${sideText(r.after)}`, `${counted ? 'Decisions' : 'Disagreements'}: ${r.decisions}, ${spanText(r)}`, `${headline(r)}.`, ''];
  if (r.kinds.length) {
    const head = counted ? ['kind', 'replayed', 'unchanged', 'changed', 'could not replay'] : ['kind', 'disagreements'];
    const rows = r.kinds.map((k) => (counted ? [k.kind, k.replayed, k.unchanged, k.changed, k.couldNotReplay] : [k.kind, k.changed]).map(String));
    const widths = head.map((h, i) => Math.max(h.length, ...rows.map((row) => row[i]!.length)));
    const line = (cells: string[]) =>
      cells
        .map((c, i) => (i === 0 ? c.padEnd(widths[i]!) : c.padStart(widths[i]!)))
        .join('  ')
        .trimEnd();
    lines.push(line(head), ...rows.map(line), '');
  }
  for (const k of r.kinds.filter((x) => x.changed > 0)) {
    lines.push(`${k.kind}: ${k.changed} changed`);
    for (const t of k.transitions) {
      const meaning = t.meaning ? ` (${t.meaning})` : '';
      const eg = t.examples.length ? `  e.g. ${t.examples.join(', ')}` : '';
      lines.push(`  ${t.label}: ${t.count}${meaning}${eg}`);
    }
    if (k.newlyMatching.length) lines.push(`  newly matching: ${rules(k.newlyMatching)}`);
    if (k.noLongerMatching.length) lines.push(`  no longer matching: ${rules(k.noLongerMatching)}`);
    lines.push('');
  }
  if (r.couldNotReplay.length) {
    lines.push(
      `Could not replay: ${plural(
        r.couldNotReplay.reduce((n, c) => n + c.count, 0),
        'decision',
      )}`,
    );
    for (const c of r.couldNotReplay) lines.push(`  ${c.reason}: ${c.count}`);
    lines.push('');
  }
  lines.push(`Note: ${r.note}`);
  return lines;
}
