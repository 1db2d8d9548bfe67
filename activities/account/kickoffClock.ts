import { accountWorkflowId } from '../../workflows/definitions.ts';
import type { AccountSnapshot, KickoffClock } from '../../workflows/account/types.ts';
import type { DecisionRecord } from '../../workflows/lead/types.ts';
import { decideHandoffClock } from '../../src/sla/handoffClock.ts';
import { clockKey } from '../../src/sla/clockKeys.ts';
import type { ActivityDeps } from '../deps.ts';
import { toRecord } from '../lead/decisionRecord.ts';
import { occasions } from '../../src/decisions/keys.ts';
import { decisionRows } from '../decisionRows.ts';
import { accountFacts } from './facts.ts';

/** Starts the sales -> CS kickoff clock on business hours (the SLA rules' sales-to-cs hand-off) and records it. */
export function createStartKickoffClock(deps: ActivityDeps) {
  const { rules, ledger, config } = deps;
  return async function startKickoffClock(req: {
    account: AccountSnapshot;
    owner: string | null;
    queue: string | null;
    clock: number;
    startedAt: string;
  }): Promise<{ clock: KickoffClock; decision: DecisionRecord }> {
    const id = req.account.accountId;
    const { clock, decision, facts } = decideHandoffClock(rules.get(), config.config, {
      handoff: 'sales-to-cs',
      facts: { account: accountFacts(req.account), icp: { tier: req.account.tier } },
      owner: req.owner,
      queue: req.queue,
      startedAt: req.startedAt,
      reassignments: req.clock,
    });
    await ledger.record([
      {
        key: clockKey('account', id, req.clock, 'started'),
        type: 'sla.started',
        occurredAt: req.startedAt,
        accountId: id,
        workflowId: accountWorkflowId(id),
        owner: req.owner ?? undefined,
        stage: 'Delight',
        rulesRevision: decision.revision.id,
        data: { handoff: 'sales-to-cs', rule: clock.rule, target: clock.target, warnAt: clock.warnAt, deadline: clock.deadline, calendar: clock.calendar, queue: req.queue },
      },
      ...decisionRows(deps, { entity: 'account', id, occasion: occasions.kickoff(req.clock) }, decision, facts, {
        at: req.startedAt,
        owner: req.owner,
        stage: 'Delight',
        result: { target: clock.target, warnAt: clock.warnAt, deadline: clock.deadline, calendar: clock.calendar, owner: req.owner, queue: req.queue },
      }),
    ]);
    return { clock: { ...clock, status: 'running' }, decision: toRecord(decision, req.startedAt) };
  };
}
