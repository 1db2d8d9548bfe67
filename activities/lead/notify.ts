import { leadWorkflowId } from '../../workflows/definitions.ts';
import type { LeadActivityDeps } from './deps.ts';

/** Signed webhooks telling the CRM what Flywheel decided; the idempotency key lets the CRM drop repeats. */
export function createNotifyActivities({ webhooks, config, ledger }: LeadActivityDeps) {
  return {
    async notifyCrm(req: { kind: 'assignment'; leadId: string; owner: string | null; pool: string | null; queue: string; strategy: string; attempt: number }) {
      return webhooks.send(`lead.${req.kind}`, req, `lead:${req.leadId}:${req.kind}:${req.attempt}`);
    },

    /** A breach tells the recipients the rule names: the owner, their manager, a rep or a team's manager. */
    async notifyEscalation(req: { leadId: string; owner: string | null; pool: string | null; notify: string[]; deadline: string; rule: string | null; attempt: number; at: string }) {
      const cfg = config.config;
      const owner = cfg.reps.find((r) => r.id === req.owner);
      const poolTeam = cfg.queues?.find((q) => q.id === req.pool)?.team;
      const recipients = new Set<string>();
      for (const who of req.notify) {
        if (who === 'owner' && owner) recipients.add(owner.id);
        else if (who === 'manager') {
          const manager = owner?.manager ?? cfg.teams.find((t) => t.id === (owner?.team ?? poolTeam))?.manager;
          if (manager) recipients.add(manager);
        } else if (cfg.reps.some((r) => r.id === who)) recipients.add(who);
        else {
          const team = cfg.teams.find((t) => t.id === who);
          if (team?.manager) recipients.add(team.manager);
        }
      }
      const to = [...recipients].map((id) => ({ id, email: cfg.reps.find((r) => r.id === id)?.email }));
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
