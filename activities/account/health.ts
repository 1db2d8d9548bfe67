import type { AccountSnapshot, HealthResult } from '../../workflows/account/types.ts';
import type { ActivityDeps } from '../deps.ts';
import { toRecord } from '../lead/decisionRecord.ts';
import { accountFacts } from './facts.ts';

/** Scores one health report with the health rules: signals add or remove points, the score picks a band. */
export function createScoreHealth({ rules }: ActivityDeps) {
  return async function scoreHealth(req: { account: AccountSnapshot; report: Record<string, unknown>; at: string }): Promise<HealthResult> {
    const decision = rules.get().decide('health', {
      now: req.at,
      account: accountFacts(req.account),
      health: req.report,
      owner: { id: req.account.csOwner },
    });
    const o = decision.outcome;
    const p = o.playbook;
    return {
      score: o.score,
      band: o.band,
      signals: o.signals.map((x) => x.signal),
      playbook: p ? { id: p.id, description: p.description, assignTo: p.assignTo, notify: p.notify ?? [], within: p.within } : null,
      decision: toRecord(decision, req.at),
    };
  };
}
