import type { AccountEvent, HandoffPayload } from '../../workflows/account/types.ts';
import { fullHandoff } from './accounts.ts';

const DAY = 86_400_000;

/** The `handoff.received` event a won lead sends, built directly so a test can start an account with its own input. */
export function handoffReceived(accountId: string, now: string, contractDays = 400): AccountEvent {
  const context = fullHandoff({ contractStart: now.slice(0, 10), contractEnd: new Date(Date.parse(now) + contractDays * DAY).toISOString().slice(0, 10) });
  const handoff: HandoffPayload = {
    leadId: `lead-${accountId}`,
    opportunityId: `opp-${accountId}`,
    arr: 60_000,
    currency: 'EUR',
    salesOwner: 'noah-fischer',
    tier: 'B',
    company: 'ShopCo GmbH',
    domain: 'shopco.example',
    region: 'emea',
    context,
    referredBy: null,
  };
  const source = `flywheel://leads/lead-${accountId}`;
  return { key: `${source}#handoff`, id: 'handoff', source, type: 'handoff.received', subject: accountId, time: now, data: { ...handoff } };
}
