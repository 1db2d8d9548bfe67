import type { AccountSnapshot, HealthResult } from '../../workflows/account/types.ts';
import type { ActivityDeps } from '../deps.ts';
import { toRecord } from '../lead/decisionRecord.ts';
import { occasions } from '../../src/decisions/keys.ts';
import { decisionRows } from '../decisionRows.ts';
import { accountFacts } from './facts.ts';

/** Scores one health report with the health rules: signals add or remove points, the score picks a band. */
export function createScoreHealth(deps: ActivityDeps) {
  const { rules, ledger } = deps;
  return async function scoreHealth(req: { account: AccountSnapshot; report: Record<string, unknown>; at: string }): Promise<HealthResult> {
    const facts = { now: req.at, account: accountFacts(req.account), health: req.report, owner: { id: req.account.csOwner } };
    const decision = rules.get().decide('health', facts);
    const o = decision.outcome;
    const p = o.playbook;
    const subject = { entity: 'account' as const, id: req.account.accountId, occasion: occasions.health(req.at) };
    await ledger.record(decisionRows(deps, subject, decision, facts, { at: req.at, owner: req.account.csOwner, stage: 'Delight', result: { score: o.score, band: o.band, playbook: p?.id ?? null } }));
    return {
      score: o.score,
      band: o.band,
      signals: o.signals.map((x) => x.signal),
      playbook: p ? { id: p.id, description: p.description, assignTo: p.assignTo, notify: p.notify ?? [], within: p.within } : null,
      decision: toRecord(decision, req.at),
    };
  };
}
