import { leadWorkflowId } from '../../workflows/definitions.ts';
import { decideHandoffClock } from '../../src/sla/handoffClock.ts';
import { clockKey } from '../../src/sla/clockKeys.ts';
import type { LedgerEvent } from '../../src/ledger/types.ts';
import type { SlaClock } from '../../workflows/lead/types.ts';
import { toRecord } from './decisionRecord.ts';
import { occasions } from '../../src/decisions/keys.ts';
import { decisionRows } from '../decisionRows.ts';
import type { ActivityDeps } from '../deps.ts';
import { leadFacts } from './facts.ts';

export interface StartSlaRequest {
  leadId: string;
  lead: Record<string, unknown>;
  tier: string | null;
  owner: string | null;
  pool: string | null;
  queue: string;
  /** Which clock of this lead (0 for the hand-off, then one per reassignment): keys its ledger row. */
  clock: number;
  /** Workflow time when the clock starts. */
  startedAt: string;
}

/**
 * The marketing -> sales first-touch clock and its rows (`sla.started` and the decision), not yet written: the
 * hand-off step writes them in its placement's transaction, `startSlaClock` on their own.
 */
export function slaClockStart(deps: Pick<ActivityDeps, 'rules' | 'config' | 'shadow'>, req: StartSlaRequest): { clock: SlaClock; rows: LedgerEvent[] } {
  const { clock, decision, facts } = decideHandoffClock(deps.rules.get(), deps.config.config, {
    handoff: 'marketing-to-sales',
    facts: { lead: leadFacts(req.leadId, req.lead), icp: { tier: req.tier } },
    owner: req.owner,
    queue: req.queue,
    startedAt: req.startedAt,
    reassignments: req.clock,
  });
  const rows: LedgerEvent[] = [
    {
      key: clockKey('lead', req.leadId, req.clock, 'started'),
      type: 'sla.started',
      occurredAt: req.startedAt,
      leadId: req.leadId,
      workflowId: leadWorkflowId(req.leadId),
      owner: req.owner ?? undefined,
      stage: 'Engage',
      rulesRevision: decision.revision.id,
      data: { handoff: clock.handoff, rule: clock.rule, target: clock.target, warnAt: clock.warnAt, deadline: clock.deadline, calendar: clock.calendar, pool: req.pool },
    },
    ...decisionRows(deps, { entity: 'lead', id: req.leadId, occasion: occasions.clock(req.clock) }, decision, facts, {
      at: req.startedAt,
      owner: req.owner,
      stage: 'Engage',
      result: { target: clock.target, warnAt: clock.warnAt, deadline: clock.deadline, calendar: clock.calendar, owner: req.owner, pool: req.pool },
    }),
  ];
  return { clock: { ...clock, handoff: 'marketing-to-sales', decision: toRecord(decision, req.startedAt) }, rows };
}

/** Starts the marketing -> sales first-touch clock and records it. */
export function createStartSlaClock(deps: ActivityDeps) {
  return async function startSlaClock(req: StartSlaRequest): Promise<SlaClock> {
    const { clock, rows } = slaClockStart(deps, req);
    await deps.ledger.record(rows);
    return clock;
  };
}
