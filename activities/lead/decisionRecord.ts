import type { Decision } from '../../src/rules/types.ts';
import type { DecisionRecord } from '../../workflows/lead/types.ts';

export function toRecord(d: Decision, at: string): DecisionRecord {
  return { at, kind: d.kind, matched: d.matched, outcome: d.outcome, revision: d.revision.id, inputs: d.inputs };
}
