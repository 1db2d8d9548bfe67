import { accountWorkflowId } from '../../workflows/definitions.ts';
import type { AccountSnapshot, HandoffCheck, HandoffPayload } from '../../workflows/account/types.ts';
import { resolveRecipients } from '../../src/routing/recipients.ts';
import type { ActivityDeps } from '../deps.ts';
import { isBlank, valueAt } from '../../src/rules/factValues.ts';
import { toRecord } from '../lead/decisionRecord.ts';
import { occasions } from '../../src/decisions/keys.ts';
import { decisionRows } from '../decisionRows.ts';
import { accountFacts, handoffFacts } from './facts.ts';

/**
 * Sales -> CS: the hand-off rules name the context that must travel with a won deal. Anything missing is an
 * incomplete hand-off: recorded in the ledger and sent to the people the rules name (by default the seller and
 * their manager, who can still fill the gap).
 */
export function createHandoffCheck(deps: ActivityDeps) {
  const { rules, ledger, config, webhooks } = deps;
  return async function checkHandoff(req: { account: AccountSnapshot; handoff: HandoffPayload; at: string }): Promise<HandoffCheck> {
    const engine = rules.get();
    const facts = {
      now: req.at,
      account: accountFacts(req.account),
      icp: { tier: req.handoff.tier },
      handoff: handoffFacts(req.handoff.context, req.handoff.opportunityId),
      deal: { arr: req.handoff.arr, opportunityId: req.handoff.opportunityId },
    };
    const decision = engine.decide('handoff', facts);
    const required = decision.outcome.required.map((r) => r.field);
    const missing = required.filter((f) => isBlank(valueAt(facts, f)));
    const check: HandoffCheck = { missing, required, notify: decision.outcome.notify, decision: toRecord(decision, req.at) };
    const id = req.account.accountId;
    const subject = { entity: 'account' as const, id, occasion: occasions.handoff(req.handoff.opportunityId), ...(req.handoff.leadId ? { leadId: req.handoff.leadId } : {}) };
    await ledger.record(decisionRows(deps, subject, decision, facts, { at: req.at, owner: req.handoff.salesOwner, stage: 'Delight', result: { required, missing } }));
    if (missing.length === 0) return check;

    const to = resolveRecipients(config.config, decision.outcome.notify, req.handoff.salesOwner);
    const rulesFor = Object.fromEntries(decision.outcome.required.filter((r) => missing.includes(r.field)).map((r) => [r.field, r.rule]));
    await ledger.record([
      {
        key: `account:${id}:handoff:${req.handoff.opportunityId}:incomplete`,
        type: 'handoff.incomplete',
        occurredAt: req.at,
        accountId: id,
        leadId: req.handoff.leadId,
        workflowId: accountWorkflowId(id),
        owner: req.handoff.salesOwner ?? undefined,
        stage: 'Delight',
        rulesRevision: decision.revision.id,
        data: { handoff: 'sales-to-cs', opportunityId: req.handoff.opportunityId, missing, rules: rulesFor, notified: to.map((t) => t.id) },
      },
    ]);
    await webhooks.send(
      'account.handoff_incomplete',
      { accountId: id, opportunityId: req.handoff.opportunityId, missing, recipients: to },
      `account:${id}:handoff:${req.handoff.opportunityId}:incomplete`,
    );
    return check;
  };
}
