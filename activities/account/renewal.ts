import type { AccountSnapshot, RenewalPlan } from '../../workflows/account/types.ts';
import { contractEndInstant, scheduleReminders } from '../../src/renewal/schedule.ts';
import type { ActivityDeps } from '../deps.ts';
import { toRecord } from '../lead/decisionRecord.ts';
import { occasions } from '../../src/decisions/keys.ts';
import { decisionRows } from '../decisionRows.ts';
import { accountFacts } from './facts.ts';

/**
 * The renewal reminders for the current contract: offsets from the renewal rules, turned into instants in the
 * organisation's time zone. Planned once per contract end, so a rules change applies from the next contract.
 */
export function createPlanRenewal(deps: ActivityDeps) {
  const { rules, config, ledger } = deps;
  return async function planRenewal(req: { account: AccountSnapshot; contractEnd: string; health: Record<string, unknown> | null; at: string }): Promise<RenewalPlan> {
    const facts = { now: req.at, account: accountFacts(req.account), icp: { tier: req.account.tier }, health: req.health ?? {} };
    const decision = rules.get().decide('renewal', facts);
    const o = decision.outcome;
    const zone = config.config.organisation.timezone;
    const { upcoming, passed } = scheduleReminders(req.contractEnd, o?.reminders ?? [], zone, Date.parse(req.at));
    const dueAt = new Date(contractEndInstant(req.contractEnd, zone)).toISOString();
    const subject = { entity: 'account' as const, id: req.account.accountId, occasion: occasions.renewal(req.contractEnd, req.at) };
    await ledger.record(
      decisionRows(deps, subject, decision, facts, {
        at: req.at,
        owner: req.account.csOwner,
        stage: 'Delight',
        result: { contractEnd: req.contractEnd, dueAt, reminders: upcoming, notify: o?.notify ?? ['owner'] },
      }),
    );
    return { contractEnd: req.contractEnd, dueAt, reminders: upcoming, passed, notify: o?.notify ?? ['owner'], rule: decision.matched[0] ?? null, decision: toRecord(decision, req.at) };
  };
}
