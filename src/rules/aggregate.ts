import type { Kind } from './kinds.ts';
import type { DecisionOutcomes, HealthBand, HealthScoring, Recipient, RequiredHandoffField, RuleOutcomes } from './types.ts';

export interface MatchedRule<K extends Kind = Kind> {
  id: string;
  then: RuleOutcomes[K];
}

/** How a `collect` set's matches become one outcome; each kind has its own meaning for "all matches". */
export function aggregate<K extends Kind>(kind: K, matched: MatchedRule<K>[], scoring?: HealthScoring): DecisionOutcomes[K] {
  const withRule = <T>(m: MatchedRule<K>) => ({ ...(m.then as T), rule: m.id });
  switch (kind) {
    case 'disqualification': {
      const reasons = matched.map((m) => withRule<RuleOutcomes['disqualification']>(m));
      return { disqualified: reasons.length > 0, reasons } as DecisionOutcomes[K];
    }
    case 'data-quality': {
      const issues = matched.map((m) => withRule<RuleOutcomes['data-quality']>(m));
      return { blocking: issues.some((i) => i.severity === 'block'), issues } as DecisionOutcomes[K];
    }
    case 'health': {
      if (!scoring) throw new Error('health rules need a scoring section');
      const signals = matched.map((m) => withRule<RuleOutcomes['health']>(m));
      const raw = signals.reduce((sum, s) => sum + s.points, scoring.base);
      const score = Math.min(scoring.max, Math.max(scoring.min, raw));
      const band: HealthBand = score >= scoring.bands.green ? 'green' : score >= scoring.bands.yellow ? 'yellow' : 'red';
      return { score, band, signals, playbook: scoring.playbooks[band] ?? null } as DecisionOutcomes[K];
    }
    case 'handoff': {
      // A field asked for by several rules is checked once; the first rule names why it is needed.
      const required = new Map<string, RequiredHandoffField>();
      const notify = new Set<Recipient>();
      for (const m of matched as MatchedRule<'handoff'>[]) {
        for (const field of m.then.requiredFields) {
          if (!required.has(field)) required.set(field, { field, rule: m.id, ...(m.then.reason !== undefined ? { reason: m.then.reason } : {}) });
        }
        for (const r of m.then.notify ?? []) notify.add(r);
      }
      return { required: [...required.values()], notify: [...notify] } as DecisionOutcomes[K];
    }
    default:
      throw new Error(`${kind} is not a collect kind`);
  }
}
