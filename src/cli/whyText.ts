import type { WhyAnswer, WhyDecision, WhyRule } from '../decisions/why.ts';

const show = (v: unknown): string => (typeof v === 'string' ? v : JSON.stringify(v));
const rulesOf = (ids: readonly string[]) => (ids.length ? `rule ${ids.join(', ')}` : 'no rule matched');

function rule(r: WhyRule): string {
  if (r.now === 'present') return `${r.id}${r.description ? `: ${r.description}` : ''}`;
  if (r.now === 'gone') return `${r.id} (no longer in the current rules)`;
  return r.id;
}

function result(kind: string, r: Record<string, unknown>): string {
  if (kind === 'sla') return `deadline ${show(r.deadline)}, warn ${show(r.warnAt)}, target ${show(r.target)} on calendar ${show(r.calendar)}, owner ${show(r.owner ?? 'none')}`;
  return Object.entries(r)
    .filter(([, v]) => v !== null && v !== undefined && !(Array.isArray(v) && v.length === 0))
    .map(([k, v]) => `${k} ${Array.isArray(v) ? v.map(show).join(', ') : show(v)}`)
    .join(', ');
}

/** `sameResult`: the occasion's next decision shows this result (the four Attract kinds share one: shown once, last). */
function decision(d: WhyDecision, sameResult: boolean): string[] {
  const lines = [`  ${d.kind.padEnd(17)}${d.label}`];
  lines.push(`    rules      ${d.rules.length ? d.rules.map(rule).join('; ') : `none matched${d.noMatch ? ` (${d.noMatch})` : ''}`}`);
  if (d.inputs.length) {
    lines.push('    inputs');
    for (const i of d.inputs) lines.push(`      ${i.path} = ${show(i.value)}${i.masked ? '  (personal, masked)' : ''}`);
  }
  if (d.candidates?.length) {
    lines.push('    candidates');
    for (const c of d.candidates) lines.push(`      ${c.rep.padEnd(18)}${c.queue.padEnd(18)}${c.verdict}${c.detail ? ` (${c.detail})` : ''}`);
  }
  if (d.result && !sameResult) lines.push(`    result     ${result(d.kind, d.result)}`);
  if (d.note) lines.push(`    note       ${d.note}`);
  return lines;
}

/** `flywheel lead|account why` as text: the summary first, then every occasion in time order. */
export function renderWhy(a: WhyAnswer): string[] {
  const noun = a.entity === 'lead' ? 'Lead' : 'Account';
  const row = (label: string, value: string) => `  ${label.padEnd(13)}${value}`;
  const lines = [`${noun} ${a.id}: ${a.decisions} decision${a.decisions === 1 ? '' : 's'} from ${a.first} to ${a.last} (from the ledger)`];
  const o = a.summary.owner;
  if (o) {
    const who = o.owner ?? (o.strategy === 'held' ? `nobody yet (held in ${o.queue})` : o.strategy === 'pool' ? `pool of ${o.queue}` : 'nobody');
    lines.push(row('Owner', `${who}${o.queue && o.owner ? `  queue ${o.queue}` : ''}`));
    lines.push(row('', `why: ${o.kind} ${rulesOf(o.rules)} at revision ${o.revision ?? 'unknown'}, ${o.at}${o.reason ? ` (${o.reason})` : ''}`));
  } else lines.push(row('Owner', `no ${a.entity === 'lead' ? 'routing' : 'cs-routing'} decision on record`));
  const dl = a.summary.deadline;
  if (dl) {
    lines.push(row('Deadline', `${dl.deadline ?? 'none'}  target ${dl.target ?? '?'}${dl.calendar ? ` on calendar ${dl.calendar}` : ''}${dl.owner ? ` for ${dl.owner}` : ''}`));
    lines.push(row('', `why: sla ${rulesOf(dl.rules)} at revision ${dl.revision ?? 'unknown'}, ${dl.at}`));
  } else lines.push(row('Deadline', 'no sla decision on record'));
  if (a.summary.reassignments.length === 0) lines.push(row('Reassigned', 'never'));
  for (const [i, r] of a.summary.reassignments.entries()) {
    const excluded = r.excluded.length ? `, excluded ${r.excluded.join(', ')}` : '';
    lines.push(row(i === 0 ? 'Reassigned' : '', `${r.at}  ${r.from ?? 'nobody'} -> ${r.to ?? 'nobody'}  (${r.reason}${excluded}; ${rulesOf(r.rules)})`));
  }
  lines.push(row('Rules now', a.rulesNow.error ?? `revision ${a.rulesNow.revision}: rule descriptions below are from it`));
  for (const occ of a.occasions) {
    lines.push('', `${occ.at}  ${occ.occasion}  revision ${occ.revision ?? 'unknown'}`);
    occ.decisions.forEach((d, i) => lines.push(...decision(d, i + 1 < occ.decisions.length && JSON.stringify(occ.decisions[i + 1]!.result) === JSON.stringify(d.result))));
  }
  return lines;
}
