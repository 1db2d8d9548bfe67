import { isMap, isScalar, isSeq, LineCounter, parseDocument } from 'yaml';
import type { Diagnostic } from '../../diagnostics/diagnostic.ts';

/**
 * Where each rule starts, read from the partial document the YAML parser still builds around a syntax
 * error, so that even "invalid YAML" names the rule a person was editing.
 */
export function ruleStarts(text: string): { id: string; line: number }[] {
  const lines = new LineCounter();
  const doc = parseDocument(text, { lineCounter: lines, prettyErrors: false });
  const root = doc.contents;
  const rules = isMap(root) ? root.get('rules', true) : undefined;
  if (!isSeq(rules)) return [];
  const out: { id: string; line: number }[] = [];
  for (const item of rules.items) {
    if (!isMap(item) || !item.range) continue;
    const id = item.get('id', true);
    if (isScalar(id) && typeof id.value === 'string') out.push({ id: id.value, line: lines.linePos(item.range[0]).line });
  }
  return out;
}

/** The last rule starting at or before the diagnostic's line. */
export function withRuleId(d: Diagnostic, starts: readonly { id: string; line: number }[]): Diagnostic {
  const hit = starts.filter((s) => s.line <= d.line).pop();
  return hit && !d.ruleId ? { ...d, ruleId: hit.id } : d;
}
