import { leadWorkflowId } from '../../workflows/definitions.ts';
import { clockKey } from '../../src/sla/clockKeys.ts';
import { resolveRecipients } from '../../src/routing/recipients.ts';
import type { HoldCandidate } from '../../workflows/lead/types.ts';
import type { ActivityDeps } from '../deps.ts';
import { crmIdentityOf } from '../../src/connectors/writeBack.ts';
import type { Ledger } from '../../src/ledger/types.ts';

/** Signed webhooks telling the CRM what Flywheel decided; the idempotency key lets the CRM drop repeats. */
export function createNotifyActivities({ webhooks, config, ledger, crm }: ActivityDeps) {
  return {
    /**
     * The generic signed webhook, then each configured CRM connector's write-back (owner, SLA, a task due at the
     * deadline). Both are idempotent per lead and attempt, so a retry after one of them failed repeats nothing.
     */
    async notifyCrm(req: { kind: 'assignment'; leadId: string; owner: string | null; pool: string | null; queue: string; strategy: string; attempt: number }) {
      const sent = await webhooks.send(`lead.${req.kind}`, req, `lead:${req.leadId}:${req.kind}:${req.attempt}`);
      const identity = crm?.length ? crmIdentityOf(req.leadId, config.config) : null;
      const target = identity && crm?.find((c) => c.system === identity.system);
      if (!identity || !target) return sent;
      // A write-back retried through a long rate-limit storm must not put back an owner a later assignment replaced.
      if (await superseded(ledger, req.leadId, req.attempt)) return { ...sent, crm: { system: identity.system, written: [], superseded: true } };
      const clock = await startedClock(ledger, req.leadId, req.attempt);
      const written = await target.assigned({
        leadId: req.leadId,
        crm: identity,
        owner: req.owner,
        pool: req.pool,
        queue: req.queue,
        deadline: clock?.deadline ?? null,
        slaStatus: clock ? 'running' : req.strategy === 'held' ? 'held' : 'none',
        attempt: req.attempt,
      });
      return { ...sent, crm: { system: identity.system, ...written } };
    },

    /** A breach tells the recipients the rule names: the owner, their manager, a rep or a team's manager. */
    async notifyEscalation(req: { leadId: string; owner: string | null; pool: string | null; notify: string[]; deadline: string; rule: string | null; attempt: number; at: string }) {
      const poolTeam = config.config.queues?.find((q) => q.id === req.pool)?.team;
      const to = resolveRecipients(config.config, req.notify, req.owner, poolTeam);
      await ledger.record([
        {
          key: clockKey('lead', req.leadId, req.attempt, 'escalated'),
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

    /**
     * A lead held past its rule's maxHold tells the recipients once (default the held queue's manager), with why
     * each candidate could not take it. The ledger row comes first, so a failed webhook loses nothing.
     */
    async notifyHoldExceeded(req: { leadId: string; queue: string; since: string; maxHoldAt: string; notify: string[]; candidates: HoldCandidate[]; at: string }): Promise<{ notified: string[] }> {
      const team = config.config.queues?.find((q) => q.id === req.queue)?.team;
      const to = resolveRecipients(config.config, req.notify, null, team);
      const notified = to.map((t) => t.id);
      const key = `lead:${req.leadId}:hold-exceeded:${req.since}`;
      await ledger.record([
        {
          key,
          type: 'lead.hold_exceeded',
          occurredAt: req.at,
          leadId: req.leadId,
          workflowId: leadWorkflowId(req.leadId),
          team,
          stage: 'Engage',
          data: { queue: req.queue, since: req.since, maxHoldAt: req.maxHoldAt, candidates: req.candidates, notified },
        },
      ]);
      await webhooks.send('lead.hold_exceeded', { ...req, recipients: to }, key);
      return { notified };
    },

    /**
     * A lead stuck in Attract on missing or bad data tells its owner team: every marketing team (as a recipient of
     * its own, for a team inbox) and its manager. The ledger row comes first, so a failed webhook loses nothing.
     */
    async notifyBlocked(req: { leadId: string; missingFields: string[]; blockedBy: string[]; at: string; attempt: number }): Promise<{ notified: string[] }> {
      const teams = config.config.teams.filter((t) => t.function === 'marketing');
      const managers = resolveRecipients(
        config.config,
        teams.map((t) => t.id),
        null,
      );
      const to = [...managers, ...teams.filter((t) => !managers.some((m) => m.id === t.id)).map((t) => ({ id: t.id }))];
      const notified = to.map((t) => t.id);
      const key = `lead:${req.leadId}:blocked:${req.attempt}`;
      await ledger.record([
        {
          key,
          type: 'lead.blocked',
          occurredAt: req.at,
          leadId: req.leadId,
          workflowId: leadWorkflowId(req.leadId),
          team: teams[0]?.id,
          stage: 'Attract',
          data: { missingFields: req.missingFields, blockedBy: req.blockedBy, notified },
        },
      ]);
      await webhooks.send('lead.blocked', { ...req, teams: teams.map((t) => t.id), recipients: to }, key);
      return { notified };
    },
  };
}

/** The deadline of the lead's clock for this assignment, from its sla.started row (written before the CRM is told). */
async function startedClock(ledger: Ledger, leadId: string, attempt: number): Promise<{ deadline: string } | null> {
  const rows = await ledger.query<{ deadline: string | null }>("SELECT data->>'deadline' AS deadline FROM ledger_events WHERE event_key = $1", [clockKey('lead', leadId, attempt, 'started')]);
  return rows[0]?.deadline ? { deadline: rows[0].deadline } : null;
}

/** Whether a later routing attempt of this lead (placed or held) is already on the ledger. */
async function superseded(ledger: Ledger, leadId: string, attempt: number): Promise<boolean> {
  const rows = await ledger.query<{ n: number }>(
    "SELECT count(*)::int AS n FROM ledger_events WHERE lead_id = $1 AND type IN ('lead.assigned', 'lead.reassigned', 'lead.held') AND event_key = ANY($2::text[])",
    [leadId, [`lead:${leadId}:assigned:${attempt + 1}`, `lead:${leadId}:held:${attempt + 1}`]],
  );
  return Number(rows[0]?.n ?? 0) > 0;
}
