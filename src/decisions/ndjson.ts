import type { StoredDecision } from './types.ts';

/** One decision per line, as `flywheel decisions export` writes and `rules impact --decisions` reads. */
export const toNdjsonLine = (d: StoredDecision) => `${JSON.stringify(d)}\n`;

export interface NdjsonProblem {
  line: number;
  message: string;
}

const isObject = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);

/** Why a parsed line is not a stored decision, or null when it is one. */
function problem(v: unknown): string | null {
  if (!isObject(v)) return 'not a JSON object';
  for (const f of ['kind', 'entityId', 'at', 'occasion'] as const) if (typeof v[f] !== 'string') return `"${f}" is not a string`;
  if (v.entity !== 'lead' && v.entity !== 'account') return '"entity" is neither lead nor account';
  if (Number.isNaN(Date.parse(v.at as string))) return `"at" is not a date: ${JSON.stringify(v.at)}`;
  if (!Array.isArray(v.matched)) return '"matched" is not a list';
  if (v.facts !== undefined && v.facts !== null && !isObject(v.facts)) return '"facts" is not an object';
  return null;
}

/**
 * The decisions in an export, in time order (stable: an export is already in order), and the lines that are not
 * decisions, by line number, so the caller can name them and go on without them.
 */
export function parseNdjson(text: string, since?: string): { decisions: StoredDecision[]; problems: NdjsonProblem[] } {
  const decisions: StoredDecision[] = [];
  const problems: NdjsonProblem[] = [];
  const from = since ? Date.parse(since) : -Infinity;
  text.split('\n').forEach((raw, i) => {
    const line = raw.trim();
    if (!line) return;
    let v: unknown;
    try {
      v = JSON.parse(line);
    } catch {
      // Not the parser's message: it quotes the line, and the line holds personal data.
      problems.push({ line: i + 1, message: 'not valid JSON' });
      return;
    }
    const p = problem(v);
    if (p) problems.push({ line: i + 1, message: p });
    else if (Date.parse((v as StoredDecision).at) >= from) decisions.push(v as StoredDecision);
  });
  const t = decisions.map((d) => Date.parse(d.at));
  if (t.some((x, i) => i > 0 && x < t[i - 1]!)) {
    const order = decisions.map((d, i) => ({ d, t: t[i]! })).sort((a, b) => a.t - b.t);
    return { decisions: order.map((o) => o.d), problems };
  }
  return { decisions, problems };
}
