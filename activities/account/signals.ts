import { activityInfo, getClient } from '@temporalio/activity';
import { WorkflowNotFoundError } from '@temporalio/client';
import { accountEventSignal, accountWorkflowId, accountWorkflowType, leadEventSignal, leadWorkflowId, leadWorkflowType } from '../../workflows/definitions.ts';
import type { AccountEvent, AccountWorkflowInput } from '../../workflows/account/types.ts';
import type { LeadEvent, LeadWorkflowInput } from '../../workflows/lead/types.ts';

// Workflows cannot signal-with-start; these activities do it with the worker's own client, on the task queue
// of the workflow that asked, so a lead and the account it creates run on the same workers.

/** Starts the account's workflow if needed and delivers the event; redelivery is dropped by the event key. */
export async function signalAccount(accountId: string, event: AccountEvent): Promise<void> {
  const input: AccountWorkflowInput = { accountId };
  await getClient().workflow.signalWithStart(accountWorkflowType, {
    workflowId: accountWorkflowId(accountId),
    taskQueue: activityInfo().taskQueue,
    args: [input],
    signal: accountEventSignal,
    signalArgs: [event],
  });
}

/** Delivers to a running account only: news for an account that is gone is kept in the ledger, not revived. */
export async function signalRunningAccount(accountId: string, event: AccountEvent): Promise<boolean> {
  try {
    await getClient().workflow.getHandle(accountWorkflowId(accountId)).signal(accountEventSignal, event);
    return true;
  } catch (e) {
    if (e instanceof WorkflowNotFoundError) return false;
    throw e;
  }
}

export async function signalLead(leadId: string, event: LeadEvent): Promise<void> {
  const input: LeadWorkflowInput = { leadId };
  await getClient().workflow.signalWithStart(leadWorkflowType, {
    workflowId: leadWorkflowId(leadId),
    taskQueue: activityInfo().taskQueue,
    args: [input],
    signal: leadEventSignal,
    signalArgs: [event],
  });
}
