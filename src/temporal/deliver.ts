import type { Client } from '@temporalio/client';
import { accountEventSignal, accountWorkflowId, accountWorkflowType, leadEventSignal, leadWorkflowId, leadWorkflowType } from '../../workflows/definitions.ts';
import type { AccountEvent } from '../../workflows/account/types.ts';
import type { LeadEvent } from '../../workflows/lead/types.ts';

export type Delivery = { entity: 'lead'; id: string; event: LeadEvent } | { entity: 'account'; id: string; event: AccountEvent };

/**
 * Starts the lead's or account's workflow if needed and puts the event on its signal (signal-with-start): the one
 * place that knows which workflow type, id, input and signal an entity has. Used by the ingest API and by
 * activities that hand work from one workflow to another.
 */
export async function deliver(client: Client, taskQueue: string, d: Delivery): Promise<{ workflowId: string }> {
  if (d.entity === 'account') {
    const workflowId = accountWorkflowId(d.id);
    await client.workflow.signalWithStart(accountWorkflowType, { workflowId, taskQueue, args: [{ accountId: d.id }], signal: accountEventSignal, signalArgs: [d.event] });
    return { workflowId };
  }
  const workflowId = leadWorkflowId(d.id);
  await client.workflow.signalWithStart(leadWorkflowType, { workflowId, taskQueue, args: [{ leadId: d.id }], signal: leadEventSignal, signalArgs: [d.event] });
  return { workflowId };
}
