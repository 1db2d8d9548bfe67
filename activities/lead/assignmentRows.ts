import type { FlywheelConfig } from '../../src/config/types.ts';
import type { LedgerEvent } from '../../src/ledger/types.ts';
import type { Placement } from '../../src/routing/assignmentStore.ts';
import type { HeldRequest } from '../../src/routing/heldLeads.ts';
import { leadWorkflowId } from '../../workflows/definitions.ts';
import type { HoldInfo } from '../../workflows/lead/types.ts';

export interface RowContext extends HeldRequest {
  leadId: string;
  at: string;
  /** When the lead was first held; with `held`, the row says how long it waited (data.heldMs). */
  since: string;
  held: boolean;
}

/**
 * The row of a placement. `lead.assigned` for the lead's first owner: attempt 0, or a held hand-off (or recycled
 * lead) placed at last, whose earlier attempts were holds; `lead.reassigned` otherwise.
 */
export function placedRow(cfg: FlywheelConfig, p: Placement, c: RowContext): LedgerEvent {
  const first = c.attempt === 0 || (c.held && (c.reason === 'handoff' || c.reason === 'recycled'));
  return {
    key: `lead:${c.leadId}:assigned:${c.attempt}`,
    type: first ? 'lead.assigned' : 'lead.reassigned',
    occurredAt: c.at,
    leadId: c.leadId,
    workflowId: leadWorkflowId(c.leadId),
    owner: p.rep ?? undefined,
    team: cfg.reps.find((r) => r.id === p.rep)?.team,
    stage: 'Engage',
    rulesRevision: c.rulesRevision ?? undefined,
    data: {
      queue: p.queue,
      pool: p.pool,
      strategy: p.strategy,
      reason: c.reason,
      skipped: p.skipped,
      exclude: c.exclude,
      rule: c.rule,
      source: c.source,
      tier: c.tier,
      ...(c.held ? { heldSince: c.since, heldMs: Math.max(0, Date.parse(c.at) - Date.parse(c.since)) } : {}),
    },
  };
}

/** The row of a hold: where the lead waits, each candidate's reason, and when it is routed next. */
export function heldRow(cfg: FlywheelConfig, hold: HoldInfo, c: Omit<RowContext, 'since' | 'held' | 'rule'>): LedgerEvent {
  return {
    key: `lead:${c.leadId}:held:${c.attempt}`,
    type: 'lead.held',
    occurredAt: c.at,
    leadId: c.leadId,
    workflowId: leadWorkflowId(c.leadId),
    team: cfg.queues?.find((q) => q.id === hold.queue)?.team,
    stage: 'Engage',
    rulesRevision: c.rulesRevision ?? undefined,
    data: {
      queue: hold.queue,
      candidates: hold.candidates,
      nextRouteAt: hold.nextRouteAt,
      since: hold.since,
      maxHoldAt: hold.maxHoldAt,
      notify: hold.notify,
      rule: hold.rule,
      reason: c.reason,
      exclude: c.exclude,
      tier: c.tier,
      source: c.source,
    },
  };
}
