import type { LedgerEvent } from '../../src/ledger/types.ts';
import type { ActivityDeps } from '../deps.ts';
import { createLedgerActivities } from '../ledger.ts';
import { createHandoffActivities } from './handoff.ts';

type Handoffs = ReturnType<typeof createHandoffActivities>;

export interface WinLeadRequest {
  /** The workflow's rows of the win (deal won, stage, closed record): on record before anyone is told. */
  rows: LedgerEvent[];
  handoff: Parameters<Handoffs['handoffToCustomerSuccess']>[0];
  release: Parameters<Handoffs['releaseAssignment']>[0];
}

/**
 * A won lead in one step: its rows, the hand-off to customer success (the account workflow hears of it) and the
 * release of its rep. Each part is idempotent, so a retry repeats none of their effects.
 */
export function createWinLead(deps: ActivityDeps) {
  const { recordLedgerEvents } = createLedgerActivities(deps.ledger, deps.config);
  const { handoffToCustomerSuccess, releaseAssignment } = createHandoffActivities(deps);
  return async function winLead(req: WinLeadRequest) {
    await recordLedgerEvents(req.rows);
    const handed = await handoffToCustomerSuccess(req.handoff);
    await releaseAssignment(req.release);
    return handed;
  };
}
