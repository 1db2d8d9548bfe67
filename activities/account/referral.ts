import { accountWorkflowId, leadWorkflowId } from '../../workflows/definitions.ts';
import type { AccountEvent } from '../../workflows/account/types.ts';
import type { LeadEvent } from '../../workflows/lead/types.ts';
import type { ActivityDeps } from '../deps.ts';
import { signalLead } from './signals.ts';

export const REFERRAL_SOURCE = (accountId: string) => `flywheel://accounts/${accountId}/referrals`;

/** The referred lead's id: the CRM's when the event names one, else derived from the referral event. */
export function referralLeadId(e: AccountEvent): string {
  const given = e.data.leadId;
  return typeof given === 'string' && given !== '' ? given : `ref-${e.id.replace(/[\s/]+/g, '-')}`;
}

/**
 * A customer's referral enters Attract as a lead (source `referral`, attributed to the referring account): the
 * lead workflow starts with a lead.created built from the referred contact and company.
 */
export function createStartReferralLead({ ledger }: ActivityDeps) {
  return async function startReferralLead(req: { accountId: string; event: AccountEvent }): Promise<{ leadId: string }> {
    const e = req.event;
    const leadId = referralLeadId(e);
    const contact = (e.data.contact ?? {}) as Record<string, unknown>;
    const company = (e.data.company ?? {}) as Record<string, unknown>;
    const lead: Record<string, unknown> = {
      ...contact,
      company: company.name,
      domain: company.domain,
      country: company.country,
      employees: company.employees,
      industry: company.industry,
      source: 'referral',
      referrer: { accountId: req.accountId },
    };
    for (const k of Object.keys(lead)) if (lead[k] === undefined) delete lead[k];
    await ledger.record([
      {
        key: `account:${req.accountId}:referral:${e.key}`,
        type: 'referral.submitted',
        occurredAt: e.time,
        accountId: req.accountId,
        leadId,
        workflowId: accountWorkflowId(req.accountId),
        stage: 'Delight',
        data: { company: company.name ?? null, domain: company.domain ?? null, eventId: e.id, leadWorkflowId: leadWorkflowId(leadId) },
      },
    ]);
    const source = REFERRAL_SOURCE(req.accountId);
    const created: LeadEvent = { key: `${source}#${e.id}`, id: e.id, source, type: 'lead.created', subject: leadId, time: e.time, data: lead };
    await signalLead(leadId, created);
    return { leadId };
  };
}
