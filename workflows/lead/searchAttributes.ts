import type { SearchAttributeUpdatePair } from '@temporalio/common';
import { SA } from '../../src/temporal/searchAttributes.ts';
import type { LeadState } from './types.ts';

/** What the Temporal UI and `flywheel leads` filter a lead by. Pure. */
export function leadSearchAttributes(s: LeadState): SearchAttributeUpdatePair[] {
  return [
    { key: SA.FlywheelStage, value: s.stage },
    { key: SA.Owner, value: s.owner ?? s.pool ?? 'unassigned' },
    { key: SA.IcpTier, value: s.tier ?? 'unknown' },
    { key: SA.SlaStatus, value: s.hold ? 'held' : (s.sla?.status ?? 'none') },
    { key: SA.RulesRevision, value: s.rulesRevision ?? 'none' },
  ];
}
