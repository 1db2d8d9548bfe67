import type { LedgerEvent } from '../../src/ledger/types.ts';
import { leadWorkflowId } from '../../workflows/definitions.ts';
import type { ClosedRecord } from '../../workflows/shared/closed.ts';
import type { AssignmentRequest, AttractResult } from '../../workflows/lead/types.ts';
import { createClosedRecordActivities } from '../closedRecords.ts';
import type { ActivityDeps } from '../deps.ts';
import { attractDecision } from './evaluateLead.ts';
import { handoffRows, type HandoffResult } from './handoffLead.ts';

export interface AttractLeadRequest {
  leadId: string;
  lead: Record<string, unknown>;
  at: string;
  /** The first event of a fresh run: a closed record found here is answered instead, and nothing is decided. */
  closedCheck?: boolean;
  /** A lead arriving in Attract: the key of its arrival row (written with the decisions). */
  arrivalKey?: string;
  /** Where an MQL goes: its placement (attempt, reason) and the key of its move into Engage. */
  handoff: Pick<AssignmentRequest, 'attempt' | 'reason' | 'exclude'> & { stageKey: string };
}

export type AttractLeadResult = { closed: ClosedRecord } | { closed?: undefined; attract: AttractResult; handoff: HandoffResult | null };

/**
 * Attract and, for an MQL, the hand-off, as one step: quality, disqualifiers, ICP, qualification, then routing,
 * placement and the SLA clock, every row in the placement's transaction (or, without a hand-off, in one write).
 * Run as a local activity: a new lead is owned within its first workflow task.
 */
export function createAttractLead(deps: ActivityDeps) {
  const { findClosedRecord } = createClosedRecordActivities(deps);
  return async function attractLead(req: AttractLeadRequest): Promise<AttractLeadResult> {
    if (req.closedCheck) {
      const closed = await findClosedRecord({ entity: 'lead', id: req.leadId });
      if (closed) return { closed };
    }
    const { result, rows, account } = await attractDecision(deps, req);
    if (req.arrivalKey) rows.unshift(arrivalRow(req, result));
    if (result.status !== 'mql') {
      await deps.ledger.record(rows);
      return { attract: result, handoff: null };
    }
    const handoff = await handoffRows(deps, { ...req.handoff, leadId: req.leadId, lead: req.lead, tier: result.tier, at: req.at }, rows, account);
    return { attract: result, handoff };
  };
}

/** Arrival in Attract is on the ledger, so friction metrics see leads that stay in nurture or blocked. */
function arrivalRow(req: AttractLeadRequest, r: AttractResult): LedgerEvent {
  return {
    key: req.arrivalKey!,
    type: 'stage.changed',
    occurredAt: req.at,
    leadId: req.leadId,
    workflowId: leadWorkflowId(req.leadId),
    stage: 'Attract',
    data: { status: r.status, arrived: true, source: typeof req.lead.source === 'string' ? req.lead.source : null },
  };
}
