import type { FlywheelConfig } from '../../src/config/types.ts';
import { existingPlacement, lockQueue, recordPlacement } from '../../src/routing/assignmentStore.ts';
import { queueMembers } from '../../src/routing/candidates.ts';
import { leadWorkflowId } from '../../workflows/definitions.ts';
import type { ActivityDeps } from '../deps.ts';

export interface ImportAssignmentRequest {
  leadId: string;
  /** The rep the CRM says owns the lead. */
  owner: string;
  /** When the lead was handed to sales (the import's handoffAt), else the import's workflow time. */
  assignedAt: string;
  /** Workflow time of the import: the `lead.imported` row's time. */
  at: string;
  /** The `lead.imported` row's data (see workflows/lead/importLead.ts importedRow). */
  row: Record<string, unknown>;
}

export interface ImportAssignmentResult {
  /** null: the owner is not a rep of the configuration; nothing was written and the workflow routes the lead. */
  owner: string | null;
  queue: string | null;
}

/**
 * An imported Engage lead keeps its CRM owner: its assignment row (attempt 0, strategy `imported`, no routing) and
 * its `lead.imported` row commit together, so the owner's capacity counts the lead from the import on. A retry finds
 * the row by key and changes nothing.
 */
export function createImportAssignment(deps: ActivityDeps) {
  const { ledger, config } = deps;
  return async function importAssignment(req: ImportAssignmentRequest): Promise<ImportAssignmentResult> {
    const cfg = config.config;
    const rep = cfg.reps.find((r) => r.id === req.owner);
    if (!rep) return { owner: null, queue: null };
    const queue = queueOf(cfg, rep.id, rep.team);
    const key = `${req.leadId}:0`;
    return ledger.transaction(async (tx) => {
      await lockQueue(tx, queue);
      const prior = await existingPlacement(tx, key);
      if (prior) return { owner: prior.rep, queue: prior.queue };
      await recordPlacement(tx, { key, leadId: req.leadId, at: Date.parse(req.assignedAt), exclude: new Set() }, { rep: rep.id, pool: null, queue, strategy: 'imported', skipped: [] });
      await tx.record([
        {
          key: `lead:${req.leadId}:imported`,
          type: 'lead.imported',
          occurredAt: req.at,
          leadId: req.leadId,
          workflowId: leadWorkflowId(req.leadId),
          owner: rep.id,
          team: rep.team,
          stage: 'Engage',
          data: { ...req.row, queue },
        },
      ]);
      return { owner: rep.id, queue };
    });
  };
}

/** The first queue the rep is a member of (a breach reassigns and overflows from there), else their team. */
export function queueOf(cfg: FlywheelConfig, repId: string, team: string): string {
  return (cfg.queues ?? []).find((q) => q.strategy !== 'pool' && queueMembers(cfg, q).some((m) => m.id === repId))?.id ?? team;
}
