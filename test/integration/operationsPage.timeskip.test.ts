import { existsSync, mkdirSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { chromium, type Browser } from 'playwright-core';
import { Ajv2020 } from 'ajv/dist/2020.js';
import addFormats from 'ajv-formats';
import type { FastifyInstance } from 'fastify';
import { buildApp } from '../../src/server/app.ts';
import type { OperationsModel } from '../../src/server/ops/model.ts';
import { createHarness, type TestHarness } from '../support/temporal.ts';
import { deliver, leadEvent, midMarketLead, waitForState } from '../support/leads.ts';
import { ordinaryWeek } from '../support/berlinWeek.ts';
import { eventually } from '../support/eventually.ts';
import { handoffReceived } from '../support/accountHandoff.ts';
import { deliverToAccount, waitForAccount } from '../support/accounts.ts';
import { accountWorkflowId } from '../../workflows/definitions.ts';

const CHROMIUM = process.env.FLYWHEEL_CHROMIUM ?? '/usr/bin/chromium';
const UI = 'http://127.0.0.1:8233';
const SCREENSHOT = fileURLToPath(new URL('../../docs/images/operations-page.png', import.meta.url));
const TOKEN = 'ops-page-test-token';

/** Mid-market leads (tier B: 4 business hours, warned at 75%) from distinct companies. */
const lead = (n: string) => midMarketLead({ email: `ops-${n}@shop-${n}.example`, company: `Shop ${n} GmbH`, domain: `shop-${n}.example` });

describe('the operations page in headless Chromium against live lead and account workflows (time-skipping server)', () => {
  let h: TestHarness;
  let app: FastifyInstance;
  let browser: Browser;
  let base = '';
  let week: ReturnType<typeof ordinaryWeek>;
  const ids = { breached: '', warned: '', running: '', paused: '', lost: '', held: '', accountBreached: '', accountOpen: '' };

  beforeAll(async () => {
    if (!existsSync(CHROMIUM)) {
      throw new Error(`No Chromium at ${CHROMIUM}: install Debian's chromium (apt-get install chromium) or set FLYWHEEL_CHROMIUM to a Chrome or Chromium executable`);
    }
    h = await createHarness('time-skipping', 'ops-page', {
      adjust: (loaded) => {
        // The enterprise EMEA reps and the sales managers (the overflow) are full: an enterprise lead can only wait (held).
        const full = ['enterprise-emea', 'sales-overflow'].flatMap((id) => loaded.config.queues!.find((x) => x.id === id)!.members!);
        for (const r of loaded.config.reps) if (full.includes(r.id)) r.capacity = 0;
      },
    });
    week = ordinaryWeek(h.deps.config.config, await h.now());
    const tag = week.date(0);
    Object.assign(ids, {
      breached: `ops-breach-${tag}`,
      warned: `ops-warn-${tag}`,
      running: `ops-run-${tag}`,
      paused: `ops-pause-${tag}`,
      lost: `ops-lost-${tag}`,
      held: `ops-held-${tag}`,
      accountBreached: `ops-acc-breach-${tag}`,
      accountOpen: `ops-acc-open-${tag}`,
    });
    app = buildApp({
      checks: {},
      operations: { ledger: h.ledger, client: h.client, rules: h.deps.rules, config: h.deps.config.config, temporalUiUrl: UI, token: TOKEN, now: () => h.now() },
    });
    base = await app.listen({ host: '127.0.0.1', port: 0 });
    // launch() gives the browser a fresh temporary profile of its own (user-data dir), removed when it closes.
    browser = await chromium.launch({
      executablePath: CHROMIUM,
      args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'],
    });
  });
  afterAll(async () => {
    await browser?.close();
    await app?.close();
    await h?.close();
  });

  it('shows a lead and an account that just breached with links to their workflows, the clocks closest to breach, and the charts', async () => {
    // A customer handed off to CS on Monday 11:00 Berlin: five business days on the EMEA calendar (08:00-17:00) put
    // its kickoff deadline on the next Monday at 11:00, the day the leads below come in.
    await h.advanceTo(week.at(0, 11));
    await deliverToAccount(h, handoffReceived(ids.accountBreached, await h.isoNow()));
    const kickoff = (await waitForAccount(h, ids.accountBreached, (s) => s.kickoff?.status === 'running', 'kickoff clock running')).kickoff!;
    expect(Date.parse(kickoff.deadline)).toBeGreaterThan(week.at(7, 9));
    expect(Date.parse(kickoff.deadline)).toBeLessThan(week.at(7, 13));

    // The next Monday 09:00: the first lead's clock is due at 13:00; a lead created at 09:30 is due at 13:30, one at
    // 12:45 at 16:45; a call-back request pauses a fourth. A second customer's kickoff clock starts and stays open.
    await h.advanceTo(week.at(7, 9));
    await deliverToAccount(h, handoffReceived(ids.accountOpen, await h.isoNow()));
    const open = (await waitForAccount(h, ids.accountOpen, (s) => s.kickoff?.status === 'running', 'kickoff clock running')).kickoff!;
    await deliver(h, leadEvent('lead.created', ids.breached, lead('a'), await h.isoNow()));
    const first = await waitForState(h, ids.breached, (s) => s.sla?.status === 'running', 'SLA running');
    await h.advanceTo(week.at(7, 9, 30));
    await deliver(h, leadEvent('lead.created', ids.warned, lead('b'), await h.isoNow()));
    await waitForState(h, ids.warned, (s) => s.sla?.status === 'running', 'SLA running');
    await h.advanceTo(week.at(7, 12, 45));
    await deliver(h, leadEvent('lead.created', ids.running, lead('c'), await h.isoNow()));
    await deliver(h, leadEvent('lead.created', ids.paused, lead('d'), await h.isoNow()));
    const paused = await waitForState(h, ids.paused, (s) => s.sla?.status === 'running', 'SLA running');
    await deliver(h, leadEvent('lead.sla_paused', ids.paused, { reason: 'callback-requested', by: paused.owner }, await h.isoNow()));
    await waitForState(h, ids.paused, (s) => s.sla?.status === 'paused', 'SLA paused');
    await deliver(h, leadEvent('lead.created', ids.held, midMarketLead({ email: 'ops@bigco.example', company: 'BigCo AG', domain: 'bigco.example', employees: 1500 }), await h.isoNow()));
    await waitForState(h, ids.held, (s) => s.status === 'held', 'held');
    // A lead lost under a running clock drops the clock without a clock row: it must leave the board.
    await deliver(h, leadEvent('lead.created', ids.lost, lead('e'), await h.isoNow()));
    await waitForState(h, ids.lost, (s) => s.sla?.status === 'running', 'SLA running');
    await deliver(h, leadEvent('opportunity.lost', ids.lost, { reason: 'no budget' }, await h.isoNow()));
    await waitForState(h, ids.lost, (s) => s.sla === null && s.stage === 'Attract', 'lost');

    await h.advanceTo(Date.parse(first.sla!.deadline) + 1_000);
    const after = await waitForState(h, ids.breached, (s) => s.breachedReps.includes(first.owner!) && s.sla?.status === 'running', 'reassigned after breach');
    await waitForState(h, ids.warned, (s) => s.sla?.status === 'warned', 'SLA warned');
    await waitForState(h, ids.running, (s) => s.sla?.status === 'running', 'SLA running');
    const reassigned = await waitForAccount(h, ids.accountBreached, (s) => s.breachedCsms.length === 1 && s.kickoff?.status === 'running', 'kickoff reassigned after breach');

    // The JSON twin, once the breach and the new clock are on record.
    const auth = { authorization: `Bearer ${TOKEN}` };
    const model = await eventually(
      async () => (await app.inject({ url: '/v1/operations', headers: auth })).json<OperationsModel>(),
      (m) =>
        m.sla.breachesToday.some((b) => b.leadId === ids.breached) &&
        m.sla.board.some((c) => c.leadId === ids.breached) &&
        m.sla.breachesToday.some((b) => b.accountId === ids.accountBreached) &&
        m.sla.board.some((c) => c.accountId === ids.accountBreached),
      (m) => `the breach of ${ids.breached} never reached /v1/operations: ${JSON.stringify(m?.sla)}`,
    );
    const breach = model.sla.breachesToday.find((b) => b.leadId === ids.breached)!;
    expect(breach).toMatchObject({
      owner: first.owner,
      rule: 'sla-mts-tier-b',
      deadline: first.sla!.deadline,
      link: `${UI}/namespaces/default/workflows/${encodeURIComponent(`lead:${ids.breached}`)}`,
    });
    expect(model.sla.board.find((c) => c.leadId === ids.breached)).toMatchObject({ status: 'running', owner: after.owner, deadline: after.sla!.deadline, tier: 'B' });
    expect(model.sla.board.find((c) => c.leadId === ids.warned)).toMatchObject({ status: 'warned' });
    expect(model.sla.board.find((c) => c.leadId === ids.warned)!.msLeft).toBeLessThan(3_600_000);
    expect(model.sla.paused.map((c) => c.leadId)).toEqual([ids.paused]);
    expect(model.sla.paused[0]).toMatchObject({ pausedReason: 'callback-requested' });
    expect(model.sla.counts).toMatchObject({ held: 1, breachedToday: 2 });
    expect(model.sla.counts.byHandoff).toEqual({
      'marketing-to-sales': { running: 2, warned: 1, paused: 1, breachedToday: 1, dueSoon: 1, overdue: 0 },
      'sales-to-cs': { running: 2, warned: 0, paused: 0, breachedToday: 1, dueSoon: 0, overdue: 0 },
    });
    // The customers' kickoff clocks: the breach (by its first CSM, against the first clock's deadline) and both open clocks.
    const accountLink = (id: string) => `${UI}/namespaces/default/workflows/${encodeURIComponent(accountWorkflowId(id))}`;
    const accountBreach = model.sla.breachesToday.find((b) => b.accountId === ids.accountBreached)!;
    expect(accountBreach).toMatchObject({
      handoff: 'sales-to-cs',
      leadId: null,
      owner: reassigned.breachedCsms[0],
      rule: kickoff.rule,
      deadline: kickoff.deadline,
      link: accountLink(ids.accountBreached),
    });
    expect(breach).toMatchObject({ handoff: 'marketing-to-sales', accountId: null });
    expect(model.sla.board.find((c) => c.accountId === ids.accountBreached)).toMatchObject({
      handoff: 'sales-to-cs',
      status: 'running',
      owner: reassigned.csOwner,
      deadline: reassigned.kickoff!.deadline,
      link: accountLink(ids.accountBreached),
    });
    expect(model.sla.board.find((c) => c.accountId === ids.accountOpen)).toMatchObject({ handoff: 'sales-to-cs', status: 'running', deadline: open.deadline, tier: null });
    expect(model.sla.board.map((c) => c.leadId)).not.toContain(ids.lost);
    expect(model.sla.held).toMatchObject([{ leadId: ids.held, queue: 'enterprise-emea', reasons: ['at-capacity'], nextAt: null }]);
    // Four leads with their reps, and the two customers with their CSMs (CS placements count against capacity too).
    expect(model.reps.reduce((n, r) => n + r.open, 0)).toBe(6);
    // The time-skipping server offers no visibility queries: the page says so instead of failing.
    expect(model.visibility).toMatchObject({ ok: false });

    const context = await browser.newContext({ httpCredentials: { username: 'operator', password: TOKEN }, viewport: { width: 1180, height: 900 } });
    const page = await context.newPage();
    const res = await page.goto(`${base}/operations`);
    expect(res?.status()).toBe(200);
    const row = page.locator(`#breaches-today tr[data-lead="${ids.breached}"]`);
    await row.waitFor({ state: 'visible' });
    expect(await row.locator('a').getAttribute('href')).toBe(breach.link);
    expect(await row.locator('td').nth(3).textContent()).toBe(first.owner);
    expect(await page.locator('#sla-board tr[data-lead]').evaluateAll((rs) => rs.map((r) => r.getAttribute('data-lead')))).toEqual([ids.warned, ids.running, ids.breached]);
    expect(await page.locator(`#sla-board tr[data-lead="${ids.warned}"]`).getAttribute('class')).toBe('soon');
    for (const handoff of ['marketing-to-sales', 'sales-to-cs']) {
      expect(await page.locator(`.tiles[data-handoff="${handoff}"] .tile[data-count="breaches today"] .n`).textContent()).toBe('1');
      expect(await page.locator(`.tiles[data-handoff="${handoff}"] .tile[data-count="running"] .n`).textContent()).toBe('2');
    }
    const accountRow = page.locator(`#breaches-today tr[data-account="${ids.accountBreached}"]`);
    expect(await accountRow.locator('a').getAttribute('href')).toBe(accountLink(ids.accountBreached));
    expect(await accountRow.locator('td').nth(1).textContent()).toBe('sales-to-cs');
    expect(await page.locator(`#sla-board tr[data-account="${ids.accountOpen}"] a`).getAttribute('href')).toBe(accountLink(ids.accountOpen));
    expect(await page.locator(`#sla-board tr[data-account="${ids.accountOpen}"] td`).nth(1).textContent()).toBe('sales-to-cs');
    // Ids, owners and times: no champion, company or e-mail from the hand-off or the leads reaches the page.
    expect(await page.content()).not.toMatch(/Jana Weber|ShopCo|shop-[a-e]\.example/);
    await page.locator(`#held-leads tr[data-lead="${ids.held}"] a`).waitFor({ state: 'visible' });
    for (const title of ['Open SLA clocks by time to deadline', 'Open leads per rep against capacity']) {
      await expect(page.locator('svg.chart title', { hasText: title }).count()).resolves.toBe(1);
    }
    // Drawn, not just present: the chart of open clocks has bars of non-zero width for the warned and running ones.
    const widths = await page
      .locator('svg.chart')
      .first()
      .locator('rect')
      .evaluateAll((rs) => rs.map((r) => (r as unknown as { getBBox(): { width: number } }).getBBox().width));
    expect(widths.filter((w) => w > 0).length).toBeGreaterThanOrEqual(2);
    await expect(page.locator('#visibility-unavailable').isVisible()).resolves.toBe(true);
    if (process.env.FLYWHEEL_UPDATE_SCREENSHOTS === '1') {
      mkdirSync(path.dirname(SCREENSHOT), { recursive: true });
      await page.screenshot({ path: SCREENSHOT, fullPage: true });
    }
    await context.close();
  });

  it('asks for the token: a browser gets a login prompt, a script the problem', async () => {
    const none = await app.inject({ url: '/operations' });
    expect(none.statusCode).toBe(401);
    expect(none.headers['www-authenticate']).toMatch(/^Basic realm="Flywheel operations"/);
    expect(none.json()).toMatchObject({ type: '/problems/unauthorized', status: 401 });
    expect((await app.inject({ url: '/v1/operations', headers: { authorization: 'Bearer wrong' } })).statusCode).toBe(401);
    const basic = `Basic ${Buffer.from(`anyone:${TOKEN}`).toString('base64')}`;
    const page = await app.inject({ url: '/operations', headers: { authorization: basic } });
    expect(page.statusCode).toBe(200);
    expect(page.headers['content-type']).toMatch(/^text\/html/);
    expect(page.body).toContain('<meta http-equiv="refresh"');
  });

  it('lists both routes in the OpenAPI document, and the JSON it serves matches the schema there', async () => {
    const doc = (await app.inject({ url: '/openapi.json' })).json<{ paths: Record<string, unknown> }>();
    expect(Object.keys(doc.paths)).toEqual(expect.arrayContaining(['/operations', '/v1/operations']));
    const ajv = new Ajv2020({ strict: false });
    addFormats.default(ajv);
    ajv.addSchema({ ...doc, $id: 'https://flywheel.test/openapi.json' });
    const valid = ajv.getSchema('https://flywheel.test/openapi.json#/components/schemas/Operations')!;
    const model = (await app.inject({ url: '/v1/operations', headers: { authorization: `Bearer ${TOKEN}` } })).json<OperationsModel>();
    expect(model.sla.breachesToday.map((b) => b.leadId ?? b.accountId)).toEqual([ids.breached, ids.accountBreached]);
    expect({ valid: valid(model), errors: valid.errors }).toEqual({ valid: true, errors: null });
  });
});
