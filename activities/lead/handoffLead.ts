import type { LedgerEvent } from '../../src/ledger/types.ts';
import { leadWorkflowId } from '../../workflows/definitions.ts';
import type { Assignment, AssignmentRequest, SlaClock } from '../../workflows/lead/types.ts';
import type { ActivityDeps } from '../deps.ts';
import { placeLeadWith } from './assignLead.ts';
import { slaClockStart } from './slaClock.ts';

export interface HandoffLeadRequest extends AssignmentRequest {
  /** Set when the lead enters Engage with this placement: the key of its `stage.changed` row. */
  stageKey?: string;
}

export interface HandoffResult {
  assignment: Assignment;
  /** The first-touch clock, started at the placement; null when the lead is held or nobody can be assigned. */
  clock: SlaClock | null;
}

/**
 * One hand-off step: the routing decision, the placement, the stage change and the SLA clock, with all their rows
 * in one transaction. One local activity instead of three server round trips; a retry finds the placement by key
 * and answers the same.
 */
export async function handoffRows(deps: ActivityDeps, req: HandoffLeadRequest, before: LedgerEvent[] = [], account?: Record<string, unknown>): Promise<HandoffResult> {
  let clock: SlaClock | null = null;
  const assignment = await placeLeadWith(deps, req, {
    account,
    before,
    after: (a) => {
      const rows = req.stageKey ? [stageRow(deps, req, a)] : [];
      if (a.held || (!a.owner && !a.pool)) return rows;
      const started = slaClockStart(deps, { leadId: req.leadId, lead: req.lead, tier: req.tier, owner: a.owner, pool: a.pool, queue: a.queue, clock: req.attempt, startedAt: req.at });
      clock = started.clock;
      return [...rows, ...started.rows];
    },
  });
  return { assignment, clock };
}

/** The lead's move into Engage, as the workflow would have noted it (owner and team of the placement). */
function stageRow(deps: ActivityDeps, req: HandoffLeadRequest, a: Assignment): LedgerEvent {
  return {
    key: req.stageKey!,
    type: 'stage.changed',
    occurredAt: req.at,
    leadId: req.leadId,
    workflowId: leadWorkflowId(req.leadId),
    owner: a.owner ?? undefined,
    team: deps.config.config.reps.find((r) => r.id === a.owner)?.team,
    stage: 'Engage',
    data: { status: a.held ? 'held' : 'assigned' },
  };
}

export function createHandoffLead(deps: ActivityDeps) {
  return (req: HandoffLeadRequest): Promise<HandoffResult> => handoffRows(deps, req);
}
