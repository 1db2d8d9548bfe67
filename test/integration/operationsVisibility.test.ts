import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildApp } from '../../src/server/app.ts';
import type { OperationsModel } from '../../src/server/ops/model.ts';
import { createHarness, type TestHarness } from '../support/temporal.ts';
import { alwaysOpen, deliver, leadEvent, midMarketLead, waitForState } from '../support/leads.ts';
import { eventually } from '../support/eventually.ts';
import type { FastifyInstance } from 'fastify';

describe('the operations data beside Temporal visibility (dev server)', () => {
  let h: TestHarness;
  let app: FastifyInstance;

  beforeAll(async () => {
    h = await createHarness('dev', 'ops-visibility', { adjust: alwaysOpen });
    app = buildApp({ checks: {}, operations: { ledger: h.ledger, client: h.client, rules: h.deps.rules, config: h.deps.config.config } });
  });
  afterAll(async () => {
    await app?.close();
    await h?.close();
  });

  it("counts open lead workflows per SlaStatus and rules revision from visibility, the clocks from this worker's ledger", async () => {
    const id = `ops-vis-${Date.now()}`;
    await deliver(h, leadEvent('lead.created', id, midMarketLead({ email: `ops@${id}.example`, domain: `${id}.example` })));
    const s = await waitForState(h, id, (x) => x.sla?.status === 'running', 'SLA running');
    const revision = s.rulesRevision!;
    // Visibility lags the workflow a little; the dev server is shared by the run's files, so others' leads count too.
    const m = await eventually(
      async () => (await app.inject({ url: '/v1/operations' })).json<OperationsModel>(),
      (x) => x.visibility.ok && x.visibility.bySlaStatus.running! >= 1 && (x.rules.revisions.find((r) => r.revision === revision)?.openLeads ?? 0) >= 1,
      (x) => `visibility never counted the running lead ${id}: ${JSON.stringify(x?.visibility)} ${JSON.stringify(x?.rules.revisions)}`,
    );
    expect(m.visibility.ok && m.visibility.openLeads).toBeGreaterThanOrEqual(1);
    // The ledger is this harness's own: exactly this lead's clock, with no Temporal UI configured to link to.
    expect(m.sla.board).toEqual([expect.objectContaining({ leadId: id, status: 'running', owner: s.owner, deadline: s.sla!.deadline, link: null })]);
    expect(m.sla.counts).toMatchObject({ running: 1, warned: 0, paused: 0, held: 0, breachedToday: 0 });
    expect(m.rules.api).toEqual({ revision, status: 'ok' });
  });
});
