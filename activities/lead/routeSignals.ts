import { getClient, log } from '@temporalio/activity';
import { WorkflowNotFoundError } from '@temporalio/client';
import type { FlywheelConfig } from '../../src/config/types.ts';
import type { Ledger } from '../../src/ledger/types.ts';
import { releaseLead } from '../../src/routing/assignmentStore.ts';
import { queueMembers } from '../../src/routing/candidates.ts';
import { forgetHeld, frontOfLines } from '../../src/routing/heldLeads.ts';
import { leadRouteSignal, leadWorkflowId } from '../../workflows/definitions.ts';

// Wake-ups sent after a placement or release has committed. They are hints: the lead's own call to assignLead,
// keyed by its attempt, decides. So a failed signal is logged, not retried (a retry of the activity would find the
// placement by key and not get here); the held lead's own timers still route it.

type Sent = 'sent' | 'gone' | 'failed';

async function signalRoute(leadId: string): Promise<Sent> {
  try {
    await getClient().workflow.getHandle(leadWorkflowId(leadId)).signal(leadRouteSignal);
    return 'sent';
  } catch (e) {
    if (e instanceof WorkflowNotFoundError) return 'gone';
    log.warn('route signal not delivered', { leadId, error: (e as Error).message });
    return 'failed';
  }
}

/**
 * Capacity freed: the first held lead of every queue one of `reps` belongs to is told to route again. A lead that is
 * gone leaves the line and the next one is told instead. Returns the leads told.
 */
export async function wakeHeldLeads(ledger: Ledger, cfg: FlywheelConfig, reps: readonly string[]): Promise<string[]> {
  if (reps.length === 0) return [];
  let queues = (cfg.queues ?? []).filter((q) => queueMembers(cfg, q).some((m) => reps.includes(m.id))).map((q) => q.id);
  const told: string[] = [];
  // Bounded: each round removes at least one lead that is gone.
  for (let round = 0; round < 10 && queues.length > 0; round++) {
    const retry: string[] = [];
    for (const front of await frontOfLines(ledger, queues)) {
      if (told.includes(front.leadId)) continue;
      const sent = await signalRoute(front.leadId);
      if (sent === 'sent') told.push(front.leadId);
      if (sent === 'gone') {
        await ledger.transaction((tx) => forgetHeld(tx, front.leadId));
        retry.push(front.queue);
      }
    }
    queues = retry;
  }
  return told;
}

/**
 * Leads another lead's call placed from their queue's line learn it now instead of at their own timer. A lead that
 * is gone gives its rep back (and that rep's queues wake their first held lead).
 */
export async function tellPlacedFromLine(ledger: Ledger, cfg: FlywheelConfig, leadIds: readonly string[], at: string): Promise<void> {
  for (const leadId of leadIds) {
    if ((await signalRoute(leadId)) !== 'gone') continue;
    const freed = await ledger.transaction((tx) => releaseLead(tx, leadId, Date.parse(at), 'gone'));
    await wakeHeldLeads(ledger, cfg, freed);
  }
}
