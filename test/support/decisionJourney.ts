import { fileURLToPath } from 'node:url';
import { createEvaluateLead } from '../../activities/lead/evaluateLead.ts';
import { createAssignLead } from '../../activities/lead/assignLead.ts';
import { createStartSlaClock } from '../../activities/lead/slaClock.ts';
import { createAssignCsOwner } from '../../activities/account/assignCsOwner.ts';
import { createHandoffCheck } from '../../activities/account/handoff.ts';
import { createStartKickoffClock } from '../../activities/account/kickoffClock.ts';
import type { AccountSnapshot } from '../../workflows/account/types.ts';
import { loadConfig } from '../../src/config/load.ts';
import type { Ledger } from '../../src/ledger/types.ts';
import { buildActivityDeps } from '../../src/worker/activityDeps.ts';
import { alwaysOpen } from './leads.ts';

export interface Journey {
  first: string;
  second: string;
  tier: string | null;
}

/**
 * A lead's decisions as the activities write them, without a workflow: Attract, routing, the SLA clock, then the
 * breach's reassignment (the breacher excluded) and its new clock, at fixed times. Every calendar is open, so the
 * owners depend on the round robin only.
 */
export async function recordBreachJourney(ledger: Ledger, leadId: string, lead: Record<string, unknown>, at = Date.parse('2027-02-01T09:00:00Z')): Promise<Journey> {
  const deps = journeyDeps(ledger);
  const iso = (ms: number) => new Date(at + ms).toISOString();
  const attract = await createEvaluateLead(deps)({ leadId, lead, at: iso(0), record: true });
  const assign = createAssignLead(deps);
  const sla = createStartSlaClock(deps);
  const a0 = await assign({ leadId, lead, tier: attract.tier, at: iso(1_000), exclude: [], attempt: 0, reason: 'handoff' });
  await sla({ leadId, lead, tier: attract.tier, owner: a0.owner, pool: a0.pool, queue: a0.queue, clock: 0, startedAt: iso(1_000) });
  const breach = 4 * 3_600_000 + 2_000;
  const a1 = await assign({ leadId, lead, tier: attract.tier, at: iso(breach), exclude: [a0.owner!], attempt: 1, reason: 'sla-breach' });
  await sla({ leadId, lead, tier: attract.tier, owner: a1.owner, pool: a1.pool, queue: a1.queue, clock: 1, startedAt: iso(breach) });
  return { first: a0.owner!, second: a1.owner!, tier: attract.tier };
}

function journeyDeps(ledger: Ledger) {
  const loaded = loadConfig(fileURLToPath(new URL('../../config/flywheel.yaml', import.meta.url)));
  alwaysOpen(loaded);
  delete loaded.config.connections?.crmWebhook;
  return buildActivityDeps(loaded, ledger);
}

/**
 * A customer's decisions as the activities write them: the hand-off check (from `leadId`'s won deal), CS routing,
 * the kickoff clock, then the kickoff breach's reassignment (the breacher excluded) and its new clock.
 */
export async function recordAccountJourney(ledger: Ledger, accountId: string, leadId: string, context: Record<string, unknown>, at = Date.parse('2027-02-01T09:00:00Z')): Promise<Journey> {
  const deps = journeyDeps(ledger);
  const iso = (ms: number) => new Date(at + ms).toISOString();
  const account: AccountSnapshot = {
    accountId,
    name: 'ShopCo GmbH',
    domain: 'shopco.example',
    region: 'emea',
    tier: 'B',
    arr: 48_000,
    salesOwner: 'noah-fischer',
    csOwner: null,
    contract: { start: '2027-02-01', end: '2028-01-31' },
    context,
    healthBand: null,
  };
  const handoff = {
    leadId,
    opportunityId: `opp-${accountId}`,
    arr: 48_000,
    currency: 'EUR',
    salesOwner: 'noah-fischer',
    tier: 'B',
    company: 'ShopCo GmbH',
    domain: 'shopco.example',
    region: 'emea',
    context,
    referredBy: null,
  };
  await createHandoffCheck(deps)({ account, handoff, at: iso(0) });
  const assign = createAssignCsOwner(deps);
  const kickoff = createStartKickoffClock(deps);
  const c0 = await assign({ account, at: iso(1_000), exclude: [], attempt: 0, reason: 'handoff' });
  await kickoff({ account: { ...account, csOwner: c0.owner }, owner: c0.owner, queue: c0.queue, clock: 0, startedAt: iso(1_000) });
  const breach = 3 * 86_400_000;
  const c1 = await assign({ account: { ...account, csOwner: c0.owner }, at: iso(breach), exclude: [c0.owner!], attempt: 1, reason: 'kickoff-breach' });
  await kickoff({ account: { ...account, csOwner: c1.owner }, owner: c1.owner, queue: c1.queue, clock: 1, startedAt: iso(breach) });
  return { first: c0.owner!, second: c1.owner!, tier: 'B' };
}
