import type { ValidateFunction } from 'ajv';
import type { FastifyInstance } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildApp } from '../../src/server/app.ts';
import { leadWorkflowId } from '../../workflows/definitions.ts';
import type { AccountState } from '../../workflows/account/types.ts';
import type { LeadState } from '../../workflows/lead/types.ts';
import { accountEvent, deliverToAccount, fullHandoff } from '../support/accounts.ts';
import { eventually } from '../support/eventually.ts';
import { alwaysOpen, deliver, leadEvent, midMarketLead } from '../support/leads.ts';
import { errorLines, openApiAjv } from '../support/openapi.ts';
import { createHarness, type TestHarness } from '../support/temporal.ts';

let h: TestHarness;
let app: FastifyInstance;
const schemas: Record<'leads' | 'accounts', ValidateFunction> = {} as never;
/** Every answer the API gave, by record kind: the stages the test saw. */
const answers = { leads: [] as LeadState[], accounts: [] as AccountState[] };
const statusesOf = (xs: { status: string; leadId?: string; accountId?: string }[], ids: string[]) => [...new Set(xs.filter((x) => ids.includes(x.leadId ?? x.accountId ?? '')).map((x) => x.status))];

beforeAll(async () => {
  h = await createHarness('dev', 'openapi-state', { adjust: alwaysOpen });
  app = buildApp({ checks: {}, reads: { client: h.client } });
  const { component } = openApiAjv((await app.inject({ method: 'GET', url: '/openapi.json' })).json());
  schemas.leads = component('LeadState');
  schemas.accounts = component('AccountState');
});
afterAll(async () => {
  await app?.close();
  await h?.close();
});

/** GETs a record's state through the API until `done` holds; every answer on the way must match the document's schema. */
function read<K extends 'leads' | 'accounts'>(kind: K, id: string, done: (s: (typeof answers)[K][number]) => boolean, what: string) {
  return eventually(
    async () => {
      const res = await app.inject({ method: 'GET', url: `/v1/${kind}/${encodeURIComponent(id)}` });
      if (res.statusCode === 404) return undefined;
      expect(res.statusCode).toBe(200);
      const body = res.json();
      const validate = schemas[kind];
      expect({ id, what, errors: validate(body) ? [] : errorLines(validate) }).toEqual({ id, what, errors: [] });
      (answers[kind] as unknown[]).push(body);
      return body as (typeof answers)[K][number];
    },
    done,
    (last) => `${kind}/${id} never reached "${what}"; last: ${JSON.stringify(last && { status: last.status, ignored: last.ignored })}`,
    30_000,
  );
}

describe('GET /v1/leads/{id} and /v1/accounts/{id} answer exactly as the OpenAPI document says', () => {
  it('through a lead from creation to a won deal, and the account it becomes until it churns', async () => {
    const leadId = `oas-lead-${Date.now()}`;
    const accountId = `oas-acc-${Date.now()}`;
    h.track(`account:${accountId}`);
    await deliver(h, leadEvent('lead.created', leadId, midMarketLead({ email: `${leadId}@shopco.example` })));
    const routed = await read('leads', leadId, (s) => s.sla?.status === 'running', 'routed, SLA running');
    await deliver(h, leadEvent('lead.sla_paused', leadId, { reason: 'callback-requested', by: routed.owner }));
    await read('leads', leadId, (s) => s.sla?.status === 'paused' && s.sla.paused != null, 'SLA paused');
    await deliver(h, leadEvent('lead.sla_resumed', leadId, { by: routed.owner }));
    await read('leads', leadId, (s) => s.sla?.status === 'running' && s.sla.pauses === 1, 'SLA resumed');
    await deliver(h, leadEvent('lead.touched', leadId, { by: routed.owner, channel: 'phone' }));
    await read('leads', leadId, (s) => s.sla?.status === 'met', 'SLA met');
    await deliver(h, leadEvent('meeting.booked', leadId, { meetingId: 'mtg-1', scheduledFor: new Date(Date.now() + 86_400_000).toISOString() }));
    await read('leads', leadId, (s) => s.firstMeetingAt !== null, 'meeting');
    await deliver(h, leadEvent('opportunity.created', leadId, { opportunityId: `opp-${leadId}`, amount: 48_000, currency: 'EUR' }));
    await read('leads', leadId, (s) => s.opportunity !== null, 'opportunity');
    await deliver(h, leadEvent('opportunity.won', leadId, { opportunityId: `opp-${leadId}`, accountId, arr: 48_000, handoff: fullHandoff() }));
    await read('leads', leadId, (s) => s.status === 'won', 'won');
    await deliver(h, leadEvent('lead.touched', leadId, { by: routed.owner }));
    await read('leads', leadId, (s) => s.ignored.length === 1, 'late event ignored');

    const onboarding = await read('accounts', accountId, (s) => s.kickoff?.status === 'running' && s.renewal !== null, 'onboarding');
    await deliverToAccount(h, accountEvent('account.kickoff_paused', accountId, { reason: 'customer-request', by: onboarding.csOwner }));
    await read('accounts', accountId, (s) => s.kickoff?.status === 'paused', 'kickoff paused');
    await deliverToAccount(h, accountEvent('account.kickoff_resumed', accountId, { by: onboarding.csOwner }));
    await read('accounts', accountId, (s) => s.kickoff?.status === 'running', 'kickoff resumed');
    await deliverToAccount(h, accountEvent('account.kickoff_held', accountId, { heldBy: onboarding.csOwner }));
    await read('accounts', accountId, (s) => s.kickoff?.status === 'met' && s.kickoffHeldAt !== null, 'kickoff held');
    await deliverToAccount(h, accountEvent('account.health_reported', accountId, { activeSeatRatio: 0.3, daysSinceLastLogin: 20, nps: { score: -10, responses: 4 } }));
    await read('accounts', accountId, (s) => s.health?.band === 'red' && s.renewal?.rule === 'renewal-at-risk', 'red health, renewal at risk');
    const referredId = `oas-ref-${Date.now()}`;
    h.track(leadWorkflowId(referredId));
    await deliverToAccount(
      h,
      accountEvent('referral.submitted', accountId, {
        leadId: referredId,
        contact: { email: 'kai.berg@datahaus.example', firstName: 'Kai', lastName: 'Berg' },
        company: { name: 'Datahaus AG', domain: 'datahaus.example', country: 'DE', employees: 380, industry: 'software' },
      }),
    );
    await read('accounts', accountId, (s) => s.referrals.length === 1, 'referral');
    await read('leads', referredId, (s) => s.owner !== null, 'referred lead routed');
    await deliverToAccount(h, accountEvent('account.expanded', accountId, { amount: 12_000 }));
    await read('accounts', accountId, (s) => s.arr === 60_000, 'expanded');
    await deliverToAccount(h, accountEvent('account.churned', accountId, { reason: 'no-adoption' }));
    await read('accounts', accountId, (s) => s.status === 'churned' && s.closesAt !== null, 'churned');
    expect(statusesOf(answers.leads, [leadId])).toEqual(expect.arrayContaining(['assigned', 'working', 'meeting', 'opportunity', 'won']));
    expect(statusesOf(answers.accounts, [accountId])).toEqual(expect.arrayContaining(['onboarding', 'churned']));
  });

  it('for a blocked lead, a lost one, an imported lead and an imported customer', async () => {
    const stamp = Date.now();
    await deliver(h, leadEvent('lead.created', `oas-blocked-${stamp}`, midMarketLead({ email: `blocked-${stamp}@shopco.example`, country: undefined })));
    await read('leads', `oas-blocked-${stamp}`, (s) => s.status === 'blocked-data' && s.blocked != null, 'blocked');

    const lostId = `oas-lost-${stamp}`;
    await deliver(h, leadEvent('lead.created', lostId, midMarketLead({ email: `${lostId}@shopco.example` })));
    const routed = await read('leads', lostId, (s) => s.owner !== null, 'routed');
    await deliver(h, leadEvent('lead.touched', lostId, { by: routed.owner }));
    await deliver(h, leadEvent('opportunity.created', lostId, { opportunityId: `opp-${lostId}`, amount: 20_000 }));
    await deliver(h, leadEvent('opportunity.lost', lostId, { opportunityId: `opp-${lostId}`, reason: 'budget' }));
    await read('leads', lostId, (s) => s.status === 'lost', 'lost');

    const importedLead = `oas-imp-${stamp}`;
    const handoffAt = new Date(Date.now() - 3_600_000).toISOString();
    await deliver(
      h,
      leadEvent('lead.imported', importedLead, {
        ...midMarketLead({ email: `${importedLead}@shopco.example` }),
        stage: 'Engage',
        status: 'working',
        owner: routed.owner,
        tier: 'B',
        handoffAt,
        sla: { start: true },
      }),
    );
    await read('leads', importedLead, (s) => s.imported === true && s.sla !== null, 'imported with its clock');

    const importedAccount = `oas-imp-acc-${stamp}`;
    await deliverToAccount(
      h,
      accountEvent('account.imported', importedAccount, { name: 'Nordlicht AG', arr: 36_000, contractStart: '2026-07-01', contractEnd: '2027-06-30', csOwner: 'emma-janssen', health: { score: 78 } }),
    );
    await read('accounts', importedAccount, (s) => s.imported === true && s.status === 'active', 'imported customer');
    expect(statusesOf(answers.leads, [`oas-blocked-${stamp}`, lostId, importedLead])).toEqual(expect.arrayContaining(['blocked-data', 'lost', 'working']));
  });
});
