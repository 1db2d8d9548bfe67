import { describe, expect, it } from 'vitest';
import { renderOperationsPage, REFRESH_SECONDS, span } from '../../../src/server/ops/html.ts';
import { buildOperationsModel, type OperationsInput } from '../../../src/server/ops/model.ts';

const NOW = Date.parse('2026-03-02T12:00:00Z');
const at = (ms: number) => new Date(NOW + ms).toISOString();

const input: OperationsInput = {
  now: NOW,
  clocks: [
    {
      leadId: '<script>x</script>',
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
  ],
  breachesToday: [{ leadId: 'L-7', workflowId: 'lead:L-7', at: at(-60_000), owner: 'mia', rule: 'sla-b', deadline: at(-61_000) }],
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
      '<tr class="breached" data-lead="L-7"><td><a href="http://127.0.0.1:8233/namespaces/default/workflows/lead%3AL-7" target="_blank" rel="noopener">L-7</a></td><td>2026-03-02 12:59</td><td>mia</td>',
    );
  });

  it('escapes what comes from the CRM and marks clocks due within the hour', () => {
    expect(html).not.toContain('<script>x</script>');
    expect(html).toContain('<tr class="soon" data-lead="&lt;script&gt;x&lt;/script&gt;"><td><a href="http://127.0.0.1:8233/namespaces/default/workflows/lead%3A%3Cscript%3Ex%3C%2Fscript%3E"');
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
