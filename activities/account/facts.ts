import type { AccountSnapshot } from '../../workflows/account/types.ts';

/** The customer as the rules see it (facts `account`). */
export function accountFacts(a: AccountSnapshot): Record<string, unknown> {
  return {
    id: a.accountId,
    name: a.name,
    domain: a.domain,
    region: a.region,
    owner: a.csOwner ?? a.salesOwner,
    csOwner: a.csOwner,
    salesOwner: a.salesOwner,
    customer: true,
    lifecycleStage: 'customer',
    arr: a.arr,
    tier: a.tier,
    contractStart: dateOnly(a.contract.start),
    contractEnd: dateOnly(a.contract.end),
    renewalAt: a.contract.end ? toTimestamp(a.contract.end) : null,
    healthBand: a.healthBand,
  };
}

/** The hand-off context as facts `handoff` (the rules say which of these fields must be present). */
export function handoffFacts(context: Record<string, unknown>, opportunityId: string | null): Record<string, unknown> {
  const text = (k: string) => (typeof context[k] === 'string' ? context[k] : null);
  const list = (k: string) => (Array.isArray(context[k]) ? (context[k] as unknown[]).filter((x) => typeof x === 'string') : null);
  return {
    type: 'sales-to-cs',
    opportunityId,
    champion: text('champion'),
    goals: list('goals'),
    successCriteria: list('successCriteria'),
    contractStart: dateOnly(text('contractStart')),
    contractEnd: dateOnly(text('contractEnd')),
    executiveSponsor: text('executiveSponsor'),
    implementationPlan: text('implementationPlan'),
  };
}

const dateOnly = (v: string | null | undefined) => (typeof v === 'string' ? v.slice(0, 10) : null);
const toTimestamp = (v: string) => (/^\d{4}-\d{2}-\d{2}$/.test(v) ? `${v}T00:00:00Z` : v);
