import { accountWorkflowId } from '../../workflows/definitions.ts';
import type { LedgerEventType } from '../../src/ledger/types.ts';
import { resolveRecipients } from '../../src/routing/recipients.ts';
import type { ActivityDeps } from '../deps.ts';

export interface AccountNotice {
  accountId: string;
  /** What happened, as a ledger event type: the ledger row and the webhook go out together. */
  type: Extract<LedgerEventType, 'sla.escalated' | 'playbook.started' | 'renewal.reminder' | 'renewal.overdue'>;
  /** Unique per notice: keys the ledger row and the webhook's idempotency key. */
  key: string;
  notify: string[];
  owner: string | null;
  at: string;
  rulesRevision?: string;
  data: Record<string, unknown>;
}

/**
 * Tells the people a rule names about one account (owner, manager, a rep or a team) through the CRM webhook, and
 * records who was told. The ledger row comes first: a failed webhook retries without losing the fact.
 */
export function createNotifyAccount({ ledger, config, webhooks }: ActivityDeps) {
  return async function notifyAccount(n: AccountNotice): Promise<{ notified: string[] }> {
    const csTeam = config.config.teams.find((t) => t.function === 'customer-success')?.id;
    const to = resolveRecipients(config.config, n.notify, n.owner, csTeam);
    await ledger.record([
      {
        key: n.key,
        type: n.type,
        occurredAt: n.at,
        accountId: n.accountId,
        workflowId: accountWorkflowId(n.accountId),
        owner: n.owner ?? undefined,
        stage: 'Delight',
        rulesRevision: n.rulesRevision,
        data: { ...n.data, notified: to.map((t) => t.id) },
      },
    ]);
    await webhooks.send(`account.${n.type.replace('.', '_')}`, { accountId: n.accountId, owner: n.owner, ...n.data, recipients: to }, n.key);
    return { notified: to.map((t) => t.id) };
  };
}
