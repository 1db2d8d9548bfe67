import type { ImpactReport, ImpactSide } from '../impact.ts';

/** Words both renderers share, so the text and the Markdown report say the same thing. */
export const plural = (n: number, word: string) => `${n} ${word}${n === 1 ? '' : 's'}`;

export function sideText(s: ImpactSide, code: (t: string) => string = (t) => t): string {
  const revs = s.revisions.length ? s.revisions.map(code).join(', ') : 'no revision seen';
  return `${s.label}${s.ref ? ` ${code(s.ref)}` : ''} (${revs})`;
}

export function spanText(r: ImpactReport): string {
  const since = r.window.since ? `, since ${r.window.since}` : '';
  if (!r.window.first) return `none recorded${since}`;
  return `${r.window.first} to ${r.window.last}${since}`;
}

export const title = (r: ImpactReport) => (r.source === 'impact' ? 'Rules impact' : 'Shadow rules report');

export function headline(r: ImpactReport): string {
  if (r.decisions === 0) return r.source === 'shadow' ? 'No disagreements recorded' : 'No decisions recorded to replay';
  if (r.source === 'shadow') return r.flips ? `${plural(r.flips, 'live decision')} decided differently by the shadow revision` : 'The shadow revision agreed with every live decision';
  return r.flips ? `${r.flips} of ${plural(r.decisions, 'recorded decision')} would change` : `None of ${plural(r.decisions, 'recorded decision')} would change`;
}
