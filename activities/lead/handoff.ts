import { leadWorkflowId } from '../../workflows/definitions.ts';
import { claimPooled, releaseLead } from '../../src/routing/assignmentStore.ts';
import { forgetHeld } from '../../src/routing/heldLeads.ts';
import { durationMs, parseDuration } from '../../src/rules/durations.ts';
import { toRecord } from './decisionRecord.ts';
import { occasions } from '../../src/decisions/keys.ts';
import { decisionRows } from '../decisionRows.ts';
import type { HandoffPayload } from '../../workflows/account/types.ts';
import { signalAccount, signalRunningAccount } from '../account/signals.ts';
import type { ActivityDeps } from '../deps.ts';
import { accountFacts, leadFacts } from './facts.ts';
import { wakeHeldLeads } from './routeSignals.ts';

export function createHandoffActivities(deps: ActivityDeps) {
  const { ledger, config, rules } = deps;
  return {
    /**
     * Sales -> CS: the won deal and its context go to the customer's account workflow (started if this is the
     * account's first deal). A lead a customer referred credits that customer with the won ARR.
     */
    async handoffToCustomerSuccess(req: {
      leadId: string;
      accountId: string;
      owner: string | null;
      arr: number;
      opportunityId: string;
      context: Record<string, unknown>;
      lead: Record<string, unknown>;
      tier: string | null;
      at: string;
    }) {
      const currency = config.config.organisation.currency;
      const referredBy = referrerOf(req.lead);
      const handoffKey = `lead:${req.leadId}:handoff:${req.opportunityId}`;
      await ledger.record([
        {
          key: handoffKey,
          type: 'handoff.recorded',
          occurredAt: req.at,
          leadId: req.leadId,
          accountId: req.accountId,
          workflowId: leadWorkflowId(req.leadId),
          owner: req.owner ?? undefined,
          stage: 'Delight',
          amount: req.arr,
          currency,
          data: { handoff: 'sales-to-cs', opportunityId: req.opportunityId, context: req.context, tier: req.tier, domain: req.lead.domain ?? null, company: req.lead.company ?? null, referredBy },
        },
        ...(referredBy
          ? [
              {
                key: `lead:${req.leadId}:referral-credit:${req.opportunityId}`,
                type: 'referral.credited' as const,
                occurredAt: req.at,
                leadId: req.leadId,
                accountId: referredBy,
                workflowId: leadWorkflowId(req.leadId),
                amount: req.arr,
                currency,
                data: { referredAccountId: req.accountId, opportunityId: req.opportunityId },
              },
            ]
          : []),
      ]);
      const payload: HandoffPayload = {
        leadId: req.leadId,
        opportunityId: req.opportunityId,
        arr: req.arr,
        currency,
        salesOwner: req.owner,
        tier: req.tier,
        company: typeof req.lead.company === 'string' ? req.lead.company : null,
        domain: typeof req.lead.domain === 'string' ? req.lead.domain : null,
        region: leadFacts(req.leadId, req.lead).region as string | null,
        context: req.context,
        referredBy,
      };
      const source = `flywheel://leads/${req.leadId}`;
      await signalAccount(req.accountId, {
        key: `${source}#handoff:${req.opportunityId}`,
        id: `handoff:${req.opportunityId}`,
        source,
        type: 'handoff.received',
        subject: req.accountId,
        time: req.at,
        data: { ...payload },
      });
      const credited = referredBy
        ? await signalRunningAccount(referredBy, {
            key: `${source}#referral-won:${req.opportunityId}`,
            id: `referral-won:${req.opportunityId}`,
            source,
            type: 'referral.won',
            subject: referredBy,
            time: req.at,
            data: { leadId: req.leadId, arr: req.arr, accountId: req.accountId },
          })
        : false;
      return { recorded: true, referredBy, referrerNotified: credited };
    },

    /**
     * The lead's rep (or hold) is released; a held lead also leaves its queue's line. The freed rep's queues wake
     * their first held lead.
     */
    async releaseAssignment(req: { leadId: string; reason: string; at: string }) {
      const freed = await ledger.transaction(async (tx) => {
        await forgetHeld(tx, req.leadId);
        return releaseLead(tx, req.leadId, Date.parse(req.at), req.reason);
      });
      await wakeHeldLeads(ledger, config.config, freed);
    },

    async claimFromPool(req: { leadId: string; rep: string; pool: string }) {
      return { claimed: await ledger.transaction((tx) => claimPooled(tx, config.config, req.leadId, req.rep, req.pool)) };
    },

    /** Lost deals go back to marketing after the recycling rules' cooldown (calendar days, not working days). */
    async recycleCooldown(req: { leadId: string; lead: Record<string, unknown>; tier: string | null; reason: string; amount: number | null; at: string }) {
      const facts = {
        now: req.at,
        lead: leadFacts(req.leadId, req.lead),
        account: await accountFacts(ledger, req.lead.domain),
        icp: { tier: req.tier },
        deal: { lostReason: req.reason, amount: req.amount },
      };
      const decision = rules.get().decide('recycling', facts);
      const d = parseDuration(decision.outcome?.cooldown ?? '90d');
      if (!d) throw new Error(`invalid cooldown "${decision.outcome?.cooldown}"`);
      const cooldown = decision.outcome?.cooldown ?? '90d';
      const backAt = new Date(Date.parse(req.at) + durationMs(d, 86_400_000)).toISOString();
      const subject = { entity: 'lead' as const, id: req.leadId, occasion: occasions.recycle(req.at) };
      await ledger.record(decisionRows(deps, subject, decision, facts, { at: req.at, stage: 'Engage', result: { cooldown, backToNurtureAt: backAt } }));
      return { cooldownMs: durationMs(d, 86_400_000), decision: toRecord(decision, req.at) };
    },
  };
}

/** The customer account that referred this lead (set on leads started from a referral.submitted event). */
function referrerOf(lead: Record<string, unknown>): string | null {
  const r = lead.referrer;
  return r !== null && typeof r === 'object' && typeof (r as { accountId?: unknown }).accountId === 'string' ? (r as { accountId: string }).accountId : null;
}
