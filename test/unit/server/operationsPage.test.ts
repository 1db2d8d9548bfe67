import { describe, expect, it } from 'vitest';
import { renderOperationsPage, REFRESH_SECONDS, span } from '../../../src/server/ops/html.ts';
import { buildOperationsModel, type OperationsInput } from '../../../src/server/ops/model.ts';
import { accountWorkflowId } from '../../../workflows/definitions.ts';

const NOW = Date.parse('2026-03-02T12:00:00Z');
const at = (ms: number) => new Date(NOW + ms).toISOString();

const input: OperationsInput = {
  now: NOW,
  clocks: [
    {
      handoff: 'marketing-to-sales',
      leadId: '<script>x</script>',
      accountId: null,
      workflowId: 'lead:<script>x</script>',
      type: 'sla.warned',
      at: at(-3_600_000),
      owner: 'noah',
      pool: null,
      rule: 'sla-b',
      deadline: at(600_000),
      warned: true,
      pausedReason: null,
      pausedUntil: null,
      tier: 'B',
    },
    {
      handoff: 'sales-to-cs',
      leadId: null,
      accountId: 'A-5',
      workflowId: accountWorkflowId('A-5'),
      type: 'sla.paused',
      at: at(-3_600_000),
      owner: 'emma-janssen',
      pool: null,
      rule: 'sla-stc-default',
      deadline: at(86_400_000),
      warned: false,
      pausedReason: 'customer-request',
      pausedUntil: null,
      tier: null,
    },
  ],
  breachesToday: [
    { handoff: 'marketing-to-sales', leadId: 'L-7', accountId: null, workflowId: 'lead:L-7', at: at(-60_000), owner: 'mia', rule: 'sla-b', deadline: at(-61_000) },
    { handoff: 'sales-to-cs', leadId: null, accountId: 'A-3', workflowId: accountWorkflowId('A-3'), at: at(-120_000), owner: 'emma-janssen', rule: 'sla-stc-default', deadline: at(-121_000) },
  ],
  held: [],
  open: [{ rep: 'noah', pool: null, queue: 'mid-market', n: 1 }],
  routed: [{ queue: 'mid-market', rep: 'noah', n: 2 }],
  routingWindowDays: 7,
  workers: null,
  apiRules: { revision: 'abc123', status: 'ok' },
  shadowToday: [],
  visibility: { ok: true, openLeads: 2, bySlaStatus: { running: 0, warned: 1, paused: 0, held: 0, breached: 0 }, byRevision: {} },
};
const ctx = {
  timezone: 'Europe/Berlin',
  reps: [
    { id: 'noah', team: 'commercial', weight: 2, capacity: 4 },
    { id: 'mia', team: 'commercial', weight: 1, capacity: 4 },
  ],
  queues: [{ id: 'mid-market', team: 'commercial', members: ['noah', 'mia'] }],
  temporalUi: { url: 'http://127.0.0.1:8233', namespace: 'default' },
};

describe('renderOperationsPage', () => {
  const html = renderOperationsPage(buildOperationsModel(input, ctx));

  it('is one page that reloads itself, with no scripts and nothing loaded from elsewhere', () => {
    expect(html.startsWith('<!DOCTYPE html>')).toBe(true);
    expect(html).toContain(`<meta http-equiv="refresh" content="${REFRESH_SECONDS}">`);
    expect(html).not.toMatch(/<script|<link|src=/i);
  });

  it('shows the breach of today with its time in the organisation zone and a link to the workflow', () => {
    expect(html).toContain(
      '<tr class="breached" data-lead="L-7" data-handoff="marketing-to-sales"><td><a href="http://127.0.0.1:8233/namespaces/default/workflows/lead%3AL-7" target="_blank" rel="noopener">L-7</a></td><td>marketing-to-sales</td><td>2026-03-02 12:59</td><td>mia</td>',
    );
  });

  it('shows accounts’ kickoff clocks beside the leads’: a row per hand-off of tiles, account ids linked to the account workflow', () => {
    expect(html).toContain(
      '<tr class="breached" data-account="A-3" data-handoff="sales-to-cs"><td><a href="http://127.0.0.1:8233/namespaces/default/workflows/account%3AA-3" target="_blank" rel="noopener">A-3</a></td><td>sales-to-cs</td><td>2026-03-02 12:58</td><td>emma-janssen</td>',
    );
    expect(html).toContain('<tr data-account="A-5" data-handoff="sales-to-cs"><td><a href="http://127.0.0.1:8233/namespaces/default/workflows/account%3AA-5"');
    expect(html).toContain('<td>customer-request</td><td>until resumed</td>');
    const tiles = (h: string) => html.match(new RegExp(`<div class="tiles" data-handoff="${h}">[\\s\\S]*?</div>\\n</div>`))?.[0] ?? '';
    const count = (h: string, label: string) => tiles(h).match(new RegExp(`data-count="${label}"><div class="n">(\\d+)</div>`))?.[1];
    expect([count('marketing-to-sales', 'warned'), count('marketing-to-sales', 'breaches today'), count('marketing-to-sales', 'held leads')]).toEqual(['1', '1', '0']);
    expect([count('sales-to-cs', 'paused'), count('sales-to-cs', 'warned'), count('sales-to-cs', 'breaches today'), count('sales-to-cs', 'held leads')]).toEqual(['1', '0', '1', undefined]);
  });

  it('escapes what comes from the CRM and marks clocks due within the hour', () => {
    expect(html).not.toContain('<script>x</script>');
    expect(html).toContain(
      '<tr class="soon" data-lead="&lt;script&gt;x&lt;/script&gt;" data-handoff="marketing-to-sales"><td><a href="http://127.0.0.1:8233/namespaces/default/workflows/lead%3A%3Cscript%3Ex%3C%2Fscript%3E"',
    );
    expect(html).toContain('<td class="num">10 min</td>');
  });

  it('draws the charts: clocks by time left, load per rep, routing share, visibility', () => {
    const titles = [...html.matchAll(/<title id="[^"]+">([^<]+)<\/title>/g)].map((m) => m[1]);
    expect(titles).toEqual(['Open SLA clocks by time to deadline', 'Open leads per rep against capacity', 'mid-market: share of 2 placements', 'Open lead workflows by SlaStatus']);
    expect(html).toContain('100% vs 67%');
    expect(html).toContain('1/4 (25%)');
  });

  it('says why a panel is empty instead of leaving it blank', () => {
    const empty = renderOperationsPage(
      buildOperationsModel({ ...input, clocks: [], breachesToday: [], routed: [], visibility: { ok: false, error: 'Temporal visibility did not answer: x' } }, { ...ctx, temporalUi: null }),
    );
    expect(empty).toContain('No SLA clock is running.');
    expect(empty).toContain('No SLA breached today.');
    expect(empty).toContain('No lead is held.');
    expect(empty).toContain('No weighted round robin placement in the last 7 days.');
    expect(empty).toContain('<p class="empty" id="visibility-unavailable">Temporal visibility did not answer: x</p>');
    expect(empty).toContain('No Temporal UI address is configured');
  });
});

describe('span', () => {
  it('reads like a person would say it', () => {
    expect([span(59_999), span(-180_000), span(2 * 3_600_000 + 5 * 60_000), span(76 * 3_600_000)]).toEqual(['0 min', '-3 min', '2 h 05 min', '3 d 4 h']);
  });
});
