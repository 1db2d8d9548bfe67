import { activityInfo, getClient } from '@temporalio/activity';
import { WorkflowNotFoundError } from '@temporalio/client';
import { deliver } from '../../src/temporal/deliver.ts';
import { accountEventSignal, accountWorkflowId } from '../../workflows/definitions.ts';
import type { AccountEvent } from '../../workflows/account/types.ts';
import type { LeadEvent } from '../../workflows/lead/types.ts';

// Workflows cannot signal-with-start; these activities do it with the worker's own client, on the task queue
// of the workflow that asked, so a lead and the account it creates run on the same workers.

/** Starts the account's workflow if needed and delivers the event; redelivery is dropped by the event key. */
export async function signalAccount(accountId: string, event: AccountEvent): Promise<void> {
  await deliver(getClient(), activityInfo().taskQueue, { entity: 'account', id: accountId, event });
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
  await deliver(getClient(), activityInfo().taskQueue, { entity: 'lead', id: leadId, event });
}
