// What every phase gets and gives back: the running layout and the run's size, and the figures it measured.
import type { Layout } from './layout.ts';

export interface Sizes {
  duplicateLeads: number;
  killLeads: number;
  killRate: number;
  killEverySeconds: number;
  outageLeadRate: number;
  outageSeconds: number;
  /** Load before the stop and after the restart, each. */
  outageMarginSeconds: number;
  fuzzRequests: number;
  rulesLeadsPerBreak: number;
  /** How long the accepted leads of a phase may take to reach an outcome after its load ended. */
  settleSeconds: number;
  seed: number;
}

export interface PhaseContext {
  layout: Layout;
  sizes: Sizes;
  /** Prefix of every id this run creates, so reruns against a kept Temporal never collide. */
  run: string;
  note(message: string): void;
}

export interface PhaseResult {
  name: string;
  ms: number;
  sent: number;
  /** Lead ids the API answered 202 for: each must reach an outcome, with at most one assignment row. */
  accepted: string[];
  /** Phase-specific figures, printed under the table. */
  figures: Record<string, number | string>;
  /** What went wrong, one line each; any entry fails the run. */
  failures: string[];
  /** Counted into the run's "5xx on bad input" and "non-problem+json" figures. */
  badInput?: { fiveXx: number; nonProblem: number };
}

export const leadIdOf = (ctx: PhaseContext, phase: string, i: number) => `F-${ctx.run}-${phase}-${i}`;
