import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildApp } from '../../src/server/app.ts';
import type { WhyAnswer, WhyDecision } from '../../src/decisions/why.ts';
import { accountWorkflowId, leadWorkflowId } from '../../workflows/definitions.ts';
import { configFor, runCliInProcess } from '../support/cli.ts';
import { fullHandoff } from '../support/accounts.ts';
import { eventually } from '../support/eventually.ts';
import { alwaysOpen, deliver, leadEvent, midMarketLead, waitForState } from '../support/leads.ts';
import { createHarness, type TestHarness } from '../support/temporal.ts';

const DAY = 86_400_000;

let h: TestHarness;
beforeAll(async () => {
  h = await createHarness('time-skipping', 'lead-why', { adjust: alwaysOpen });
});
afterAll(() => h?.close());

describe('flywheel lead why after the workflow completed (time-skipping server)', () => {
  it('names the owner after a breach, the routing rules, the revision, the inputs and the excluded breacher, from the ledger, and the API answers the same', async () => {
    const id = `why-${await h.now()}`;
    const accountId = `acc-${id}`;
    h.track(accountWorkflowId(accountId));
    await deliver(h, leadEvent('lead.created', id, midMarketLead({ email: 'erin.quarshie@shopco.example', firstName: 'Erin', lastName: 'Quarshie' }), await h.isoNow()));
    const assigned = await waitForState(h, id, (s) => s.sla?.status === 'running' && s.owner !== null, 'assigned, SLA running');
    const breacher = assigned.owner!;

    // The SLA breaches; the lead is reassigned with the breacher excluded, on a new clock.
    await h.advanceTo(Date.parse(assigned.sla!.deadline) + 1_000);
    const reassigned = await waitForState(h, id, (s) => s.breachedReps.includes(breacher) && s.sla?.status === 'running' && s.owner !== breacher, 'reassigned after the breach');
    const owner = reassigned.owner!;
    await eventually(
      () => h.ledger.query<{ key: string }>(`SELECT event_key AS key FROM ledger_events WHERE lead_id = $1 AND type = 'decision.recorded'`, [id]),
      (rows) => [':route:1:routing', ':clock:1:sla'].every((k) => rows.some((r) => r.key.endsWith(k))),
      'the decisions of the reassignment on record',
    );

    // The deal is won, and after its grace period for late events the lead's workflow completes.
    await deliver(h, leadEvent('opportunity.created', id, { opportunityId: `opp-${id}`, amount: 48_000 }, await h.isoNow()));
    await deliver(h, leadEvent('opportunity.won', id, { opportunityId: `opp-${id}`, accountId, arr: 48_000, handoff: fullHandoff() }, await h.isoNow()));
    await waitForState(h, id, (s) => s.status === 'won', 'won');
    await h.advance(7 * DAY + 60_000);
    const handle = h.client.workflow.getHandle(leadWorkflowId(id));
    await eventually(
      () => handle.describe(),
      (d) => d.status.name === 'COMPLETED',
      `workflow ${leadWorkflowId(id)} completed`,
      30_000,
    );

    const config = await configFor({ ledgerDir: h.ledgerDir });
    const revision = h.deps.rules.get().revision.id;
    const text = await runCliInProcess(['lead', 'why', id], config);
    expect(text.stderr).toBe('');
    expect(text.code).toBe(0);
    expect(text.stdout).toContain(`  Owner        ${owner}  queue mid-market\n               why: routing rule route-mid-market at revision ${revision}, `);
    expect(text.stdout).toMatch(new RegExp(`  Reassigned   \\S+  ${breacher} -> ${owner}  \\(sla-breach, excluded ${breacher}; rule route-mid-market\\)\\n`));
    expect(text.stdout).toMatch(/route-mid-market: \S[^\n]+\n/);
    expect(text.stdout).toMatch(
      new RegExp(
        `route:1  revision ${escape(revision)}\\n  routing          queue mid-market\\n[\\s\\S]*?      lead.employees = 450\\n[\\s\\S]*?    candidates\\n[\\s\\S]*?      ${breacher} +mid-market +excluded \\(breached this lead before\\)\\n`,
      ),
    );
    expect(text.stdout).toMatch(new RegExp(`      ${owner} +mid-market +chosen\\n`));
    expect(text.stdout).toContain('      lead.email = e***@shopco.example  (personal, masked)');

    const json = await runCliInProcess(['lead', 'why', id, '--json'], config);
    expect(json.code).toBe(0);
    const answer = JSON.parse(json.stdout) as WhyAnswer;
    expect(answer.summary.owner).toMatchObject({ owner, queue: 'mid-market', reason: 'sla-breach', rules: ['route-mid-market'], revision });
    expect(answer.summary.deadline).toMatchObject({ deadline: reassigned.sla!.deadline, target: reassigned.sla!.target, owner, rules: [reassigned.sla!.rule], revision });
    expect(answer.summary.reassignments).toEqual([{ at: expect.any(String), from: breacher, to: owner, reason: 'sla-breach', excluded: [breacher], rules: ['route-mid-market'], revision }]);
    const route1 = answer.occasions.find((o) => o.occasion === 'route:1')!.decisions[0] as WhyDecision;
    expect(route1.rules).toEqual([{ id: 'route-mid-market', now: 'present', description: expect.any(String) }]);
    expect(route1.inputs).toContainEqual({ path: 'lead.employees', value: 450 });
    expect(route1.candidates).toContainEqual({ rep: breacher, queue: 'mid-market', verdict: 'excluded', detail: 'breached this lead before' });
    expect(route1.candidates).toContainEqual({ rep: owner, queue: 'mid-market', verdict: 'chosen' });
    expect(route1.candidates!.filter((c) => c.verdict !== 'chosen' && c.verdict !== 'excluded').map((c) => c.verdict)).toEqual(['weight-turn']);

    const api = await buildApp({ checks: {}, decisions: { ledger: h.ledger, rules: h.deps.rules } }).inject({ method: 'GET', url: `/v1/leads/${id}/decisions` });
    expect(api.statusCode).toBe(200);
    expect(api.json()).toEqual(answer);
  });
});

function escape(s: string): string {
  return s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}
