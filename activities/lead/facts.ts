import type { Ledger } from '../../src/ledger/types.ts';
import { regionOf } from '../../src/rules/regions.ts';

/** The lead as the rules see it: CRM fields plus what Flywheel derives (region from country). */
export function leadFacts(leadId: string, lead: Record<string, unknown>): Record<string, unknown> {
  const country = typeof lead.country === 'string' ? lead.country.toUpperCase() : null;
  return { id: leadId, ...lead, country, region: lead.region ?? regionOf(country) };
}

/**
 * An existing customer with this domain, from won deals (and imported customers) in the ledger: the lead goes to its
 * account owner: the seller of the won deal, or an imported customer's sales owner (else its CS owner).
 */
export async function accountFacts(ledger: Ledger, domain: unknown): Promise<Record<string, unknown>> {
  if (typeof domain !== 'string' || domain === '') return { customer: false };
  const rows = await ledger.query<{ account_id: string; owner: string | null }>(
    `SELECT account_id, CASE WHEN type = 'account.imported' THEN coalesce(data->>'salesOwner', owner) ELSE owner END AS owner
     FROM ledger_events WHERE type IN ('deal.won', 'account.imported') AND lower(data->>'domain') = lower($1) ORDER BY occurred_at DESC LIMIT 1`,
    [domain],
  );
  const r = rows[0];
  return r ? { id: r.account_id, owner: r.owner, domain, customer: true, lifecycleStage: 'customer' } : { customer: false, domain };
}
