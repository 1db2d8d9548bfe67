import { leadWorkflowId } from '../../workflows/definitions.ts';
import { claimPooled, releaseLead } from '../../src/routing/assignmentStore.ts';
import { durationMs, parseDuration } from '../../src/rules/durations.ts';
import { toRecord } from './decisionRecord.ts';
import type { LeadActivityDeps } from './deps.ts';
import { accountFacts, leadFacts } from './facts.ts';

export function createHandoffActivities({ ledger, config, rules }: LeadActivityDeps) {
  return {
    /**
     * Sales -> CS: the won deal and its context go to customer success. The account workflow (Delight) picks
     * the handoff up from the ledger; until it runs, this row is the record of what was handed over.
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
      await ledger.record([
        {
          key: `lead:${req.leadId}:handoff:${req.opportunityId}`,
          type: 'handoff.recorded',
          occurredAt: req.at,
          leadId: req.leadId,
          accountId: req.accountId,
          workflowId: leadWorkflowId(req.leadId),
          owner: req.owner ?? undefined,
          stage: 'Delight',
          arrDelta: req.arr,
          currency: config.config.organisation.currency,
          data: { handoff: 'sales-to-cs', opportunityId: req.opportunityId, context: req.context, tier: req.tier, domain: req.lead.domain ?? null, company: req.lead.company ?? null },
        },
      ]);
      return { recorded: true };
    },

    async releaseAssignment(req: { leadId: string; reason: string; at: string }) {
      await ledger.transaction((tx) => releaseLead(tx, req.leadId, Date.parse(req.at), req.reason));
    },

    async claimFromPool(req: { leadId: string; rep: string; pool: string }) {
      return { claimed: await ledger.transaction((tx) => claimPooled(tx, config.config, req.leadId, req.rep, req.pool)) };
    },

    /** Lost deals go back to marketing after the recycling rules' cooldown (calendar days, not working days). */
    async recycleCooldown(req: { leadId: string; lead: Record<string, unknown>; tier: string | null; reason: string; amount: number | null; at: string }) {
      const decision = rules.get().decide('recycling', {
        now: req.at,
        lead: leadFacts(req.leadId, req.lead),
        account: await accountFacts(ledger, req.lead.domain),
        icp: { tier: req.tier },
        deal: { lostReason: req.reason, amount: req.amount },
      });
      const d = parseDuration(decision.outcome?.cooldown ?? '90d');
      if (!d) throw new Error(`invalid cooldown "${decision.outcome?.cooldown}"`);
      return { cooldownMs: durationMs(d, 86_400_000), decision: toRecord(decision, req.at) };
    },
  };
}
