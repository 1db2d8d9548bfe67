import type { ImpactReport } from '../impact.ts';
import { headline, sideText, spanText, title } from './wording.ts';

/** The first line of the pull-request comment: the workflow finds the comment to update by it. */
export const IMPACT_MARKER = '<!-- flywheel-rules-impact -->';
export const SHADOW_MARKER = '<!-- flywheel-rules-shadow -->';

// Rule ids, queue names and record ids come from the pull request and the ledger: keep them from becoming markup.
const cell = (t: string) => t.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/\|/g, '\\|').replace(/\r?\n/g, ' ');
const code = (t: string) => `\`${t.replace(/`/g, "'").replace(/\r?\n/g, ' ')}\``;

/** The impact or shadow report as a pull-request comment (GitHub-flavoured Markdown). */
export function renderMarkdown(r: ImpactReport): string {
  const counted = r.source === 'impact';
  const out = [
    counted ? IMPACT_MARKER : SHADOW_MARKER,
    `## ${title(r)}`,
    '',
    `**${headline(r)}**: ${sideText(r.before, code)} -> ${sideText(r.after, code)}.`,
    '',
    `${counted ? 'Decisions' : 'Disagreements'}: ${r.decisions}, ${cell(spanText(r))}.`,
    '',
  ];
  if (r.kinds.length) {
    if (counted) {
      out.push('| Kind | Replayed | Unchanged | Changed | Could not replay |', '| --- | ---: | ---: | ---: | ---: |');
      for (const k of r.kinds) out.push(`| ${cell(k.kind)} | ${k.replayed} | ${k.unchanged} | ${k.changed ? `**${k.changed}**` : 0} | ${k.couldNotReplay} |`);
    } else {
      out.push('| Kind | Disagreements |', '| --- | ---: |');
      for (const k of r.kinds) out.push(`| ${cell(k.kind)} | ${k.changed} |`);
    }
    out.push('');
  }
  const changed = r.kinds.filter((k) => k.changed > 0);
  if (changed.length) {
    out.push('### Transitions', '', '| Kind | Transition | Count | Meaning |', '| --- | --- | ---: | --- |');
    for (const k of changed) for (const t of k.transitions) out.push(`| ${cell(k.kind)} | ${cell(t.label)} | ${t.count} | ${cell(t.meaning ?? '')} |`);
    out.push('');
    const ruleRows = changed.flatMap((k) => {
      const ids = [...new Set([...k.newlyMatching, ...k.noLongerMatching].map((x) => x.rule))].sort();
      const n = (list: typeof k.newlyMatching, id: string) => list.find((x) => x.rule === id)?.count ?? 0;
      return ids.map((id) => `| ${cell(k.kind)} | ${code(id)} | ${n(k.newlyMatching, id)} | ${n(k.noLongerMatching, id)} |`);
    });
    if (ruleRows.length) out.push('### Rules', '', '| Kind | Rule | Newly matching | No longer matching |', '| --- | --- | ---: | ---: |', ...ruleRows, '');
    const examples = changed.flatMap((k) => k.transitions.filter((t) => t.examples.length).map((t) => `- ${cell(k.kind)}, ${cell(t.label)}: ${t.examples.map(code).join(', ')}`));
    if (examples.length) {
      out.push('<details>', `<summary>Examples (up to ${r.examplesPerTransition} records per transition)</summary>`, '', ...examples, '', '</details>', '');
    }
  }
  if (r.couldNotReplay.length) {
    out.push('### Could not replay', '');
    for (const c of r.couldNotReplay) out.push(`- ${cell(c.reason)}: ${c.count}`);
    out.push('');
  }
  out.push(`> ${cell(r.note)}`, '');
  return out.join('\n');
}
