import { accountWorkflowId } from '../../workflows/definitions.ts';
import type { AccountSnapshot, ImportedAccountResult } from '../../workflows/account/types.ts';
import type { FlywheelConfig } from '../../src/config/types.ts';
import { existingPlacement, recordPlacement } from '../../src/routing/assignmentStore.ts';
import { queueMembers } from '../../src/routing/candidates.ts';
import type { HealthScoring } from '../../src/rules/types.ts';
import type { ActivityDeps } from '../deps.ts';
import { csQueue, csRecordId } from './assignCsOwner.ts';

export interface ImportAccountRequest {
  account: AccountSnapshot;
  /** The CS owner the import names (a rep id), or null: the workflow then routes with the cs-routing rules. */
  csOwner: string | null;
  health: { score?: number; band?: 'green' | 'yellow' | 'red' } | null;
  at: string;
}

/**
 * An existing customer's CS owner as the import names it: no routing decision, no capacity check (the CSM already
 * owns the account), but an open assignment so CSM capacity caps count it, and a `cs.assigned` row that says it was
 * imported. Also settles the imported health band (as given, else the health rules' bands for the given score).
 * Idempotent: a retry finds the placement under the same key and records nothing twice.
 */
export function createImportAccount(deps: ActivityDeps) {
  const { ledger, config } = deps;
  return async function importAccount(req: ImportAccountRequest): Promise<ImportedAccountResult> {
    const cfg = config.config;
    const health = importedHealth(req.health, healthScoring(deps));
    if (req.csOwner === null) return { owner: null, queue: null, ownerRefused: null, health };
    const rep = cfg.reps.find((r) => r.id === req.csOwner);
    if (!rep) return { owner: null, queue: null, ownerRefused: `the CS owner "${req.csOwner}" is not a rep in the configuration`, health };
    const id = req.account.accountId;
    const key = `${csRecordId(id)}:cs:imported`;
    const queue = repQueue(cfg, rep.id);
    const placement = await ledger.transaction(async (tx) => {
      const prior = await existingPlacement(tx, key);
      if (prior) return prior;
      const p = await recordPlacement(tx, { key, leadId: csRecordId(id), at: Date.parse(req.at), exclude: new Set() }, { rep: rep.id, pool: null, queue, strategy: 'account-owner', skipped: [] });
      await tx.record([
        {
          key: `account:${id}:cs-assigned:imported`,
          type: 'cs.assigned',
          occurredAt: req.at,
          accountId: id,
          workflowId: accountWorkflowId(id),
          owner: rep.id,
          team: rep.team,
          stage: 'Delight',
          data: { queue, strategy: 'account-owner', reason: 'import', skipped: [], exclude: [], rule: null },
        },
      ]);
      return p;
    });
    return { owner: placement.rep, queue: placement.queue, ownerRefused: null, health };
  };
}

/** The queue of a customer-success team the rep is a member of, else the first CS queue. */
function repQueue(cfg: FlywheelConfig, rep: string): string {
  const csTeams = new Set(cfg.teams.filter((t) => t.function === 'customer-success').map((t) => t.id));
  const mine = (cfg.queues ?? []).filter((q) => queueMembers(cfg, q).some((m) => m.id === rep));
  return (mine.find((q) => csTeams.has(q.team)) ?? mine[0])?.id ?? csQueue(cfg);
}

function healthScoring(deps: ActivityDeps): HealthScoring | undefined {
  const engine = deps.rules.get();
  return engine.has('health') ? engine.set('health').scoring : undefined;
}

/**
 * The imported health as the account keeps it: the band as given, else the band the health rules' thresholds give
 * the score. A band without a score takes the lowest score of that band (the health rules' scale), so the state
 * always has both; `scoreGiven` says which.
 */
export function importedHealth(h: ImportAccountRequest['health'], scoring: HealthScoring | undefined): ImportedAccountResult['health'] {
  const band = h?.band ?? bandOf(h?.score, scoring);
  if (!band) return null;
  if (typeof h?.score === 'number') return { score: h.score, band, scoreGiven: true };
  const floor = scoring ? { green: scoring.bands.green, yellow: scoring.bands.yellow, red: scoring.min } : { green: 0, yellow: 0, red: 0 };
  return { score: floor[band], band, scoreGiven: false };
}

/** A score's band by the health rules' thresholds (as the health rules band a scored report). */
export function bandOf(score: number | undefined, scoring: HealthScoring | undefined): 'green' | 'yellow' | 'red' | null {
  if (typeof score !== 'number' || !scoring) return null;
  return score >= scoring.bands.green ? 'green' : score >= scoring.bands.yellow ? 'yellow' : 'red';
}
