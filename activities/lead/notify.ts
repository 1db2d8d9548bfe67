import { leadWorkflowId } from '../../workflows/definitions.ts';
import { resolveRecipients } from '../../src/routing/recipients.ts';
import type { ActivityDeps } from '../deps.ts';

/** Signed webhooks telling the CRM what Flywheel decided; the idempotency key lets the CRM drop repeats. */
export function createNotifyActivities({ webhooks, config, ledger }: ActivityDeps) {
  return {
    async notifyCrm(req: { kind: 'assignment'; leadId: string; owner: string | null; pool: string | null; queue: string; strategy: string; attempt: number }) {
      return webhooks.send(`lead.${req.kind}`, req, `lead:${req.leadId}:${req.kind}:${req.attempt}`);
    },

    /** A breach tells the recipients the rule names: the owner, their manager, a rep or a team's manager. */
    async notifyEscalation(req: { leadId: string; owner: string | null; pool: string | null; notify: string[]; deadline: string; rule: string | null; attempt: number; at: string }) {
      const poolTeam = config.config.queues?.find((q) => q.id === req.pool)?.team;
      const to = resolveRecipients(config.config, req.notify, req.owner, poolTeam);
      await ledger.record([
        {
          key: `lead:${req.leadId}:sla:${req.attempt}:escalated`,
          type: 'sla.escalated',
          occurredAt: req.at,
          leadId: req.leadId,
          workflowId: leadWorkflowId(req.leadId),
          owner: req.owner ?? undefined,
          data: { notified: to.map((t) => t.id), rule: req.rule, deadline: req.deadline },
        },
      ]);
      const sent = await webhooks.send('lead.sla_breached', { ...req, recipients: to }, `lead:${req.leadId}:escalation:${req.attempt}`);
      return { notified: to.map((t) => t.id), webhook: sent };
    },
  };
}
