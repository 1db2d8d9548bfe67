import { beforeAll, describe, expect, it } from 'vitest';
import { loadConfig } from '../../../src/config/load.ts';
import type { LedgerEvent } from '../../../src/ledger/types.ts';
import { parsePeriod } from '../../../src/metrics/period.ts';
import { audit, type Recommendation } from '../../../src/plan/audit.ts';
import type { RulesEngine } from '../../../src/rules/engine.ts';
import { loadRules } from '../../../src/rules/load.ts';
import { emptyLedgerPerTest } from '../ledger/helpers/emptyLedger.ts';

const config = loadConfig('config/flywheel.yaml').config;
const JAN = parsePeriod('2027-01-01', '2027-02-01');

const ledger = emptyLedgerPerTest();
let engine: RulesEngine;
beforeAll(() => {
  engine = loadRules('rules', { config });
});

let seq = 0;
const at = (day: number) => `2027-01-${String(day).padStart(2, '0')}T10:00:00Z`;
const row = (type: LedgerEvent['type'], extra: Partial<LedgerEvent> = {}): LedgerEvent => ({ key: `audit-${seq++}`, type, occurredAt: at(10), ...extra });
const times = <T>(n: number, f: (i: number) => T): T[] => Array.from({ length: n }, (_, i) => f(i));

function dq(blocking: { rule: string; field: string } | null, source: string, matched: string[] = blocking ? [blocking.rule] : [], occurredAt = at(5)): LedgerEvent {
  const issues = blocking ? [{ ...blocking, severity: 'block', message: 'missing', rule: blocking.rule }] : [];
  return row('decision.recorded', { occurredAt, leadId: `L${seq}`, data: { kind: 'data-quality', matched, outcome: { blocking: blocking !== null, issues }, source } });
}

/*
 * January 2027:
 *   data quality  40 decisions, 10 blocking (25 %): dq-missing-company on lead.company 6 (webinar), dq-missing-email
 *                 on lead.email 4 (1 webinar, 3 event); 5 more match dq-enterprise-without-phone (warn only).
 *                 One February decision matching dq-missing-country is outside the period.
 *   rules         data-quality: 3 of 6 rules never matched in 40 decisions; routing (from the assignments' data.rule):
 *                 route-mid-market 20 + route-enterprise-emea 8 = 28 decisions, 5 rules never matched.
 *   SLA m->s      30 clocks (anna, lukas, claire 10 each), 7 breached = 23.3 % (warning); anna 6 of 10 = 60 % against
 *                 1 of 20 = 5 % for the others (critical hotspot), most breached rule sla-mts-tier-a (4 of 6).
 *   SLA s->cs     10 kickoff clocks (emma, david), 1 breached = 10 %: not above the 10 % threshold.
 *   routing       mid-market 20 assignments: noah 10 (50 % vs 3/6), mia 10 (50 % vs 2/6 = 33.3 %), liam 0 (0 % vs 16.7 %);
 *                 enterprise-emea 8 assignments: below the 10 needed to judge.
 *   hand-offs     8 accounts handed off, 3 incomplete (37.5 %): handoff.champion 2, account.arr 1, handoff.goals 1.
 */
function fixture(): LedgerEvent[] {
  const company = { rule: 'dq-missing-company', field: 'lead.company' };
  const email = { rule: 'dq-missing-email', field: 'lead.email' };
  const sla = (handoff: 'lead' | 'account', owner: string, type: 'sla.started' | 'sla.breached', rule = 'sla-mts-default') =>
    row(type, { ...(handoff === 'lead' ? { leadId: `L${seq}` } : { accountId: `A${seq}` }), owner, data: type === 'sla.breached' ? { owner, rule } : { rule } });
  const assigned = (queue: string, owner: string, rule: string) => row('lead.assigned', { leadId: `L${seq}`, owner, data: { queue, rule, strategy: 'weighted-round-robin' } });
  const incomplete = (account: string, missing: string[]) =>
    row('handoff.incomplete', { accountId: account, data: { handoff: 'sales-to-cs', missing, rules: Object.fromEntries(missing.map((f) => [f, 'handoff-stc-base'])) } });
  return [
    ...times(6, () => dq(company, 'webinar')),
    dq(email, 'webinar'),
    ...times(3, () => dq(email, 'event')),
    ...times(5, () => dq(null, 'paid-search', ['dq-enterprise-without-phone'])),
    ...times(25, () => dq(null, 'paid-search')),
    dq(null, 'event', ['dq-missing-country'], '2027-02-01T00:00:00Z'),
    ...['anna-schmidt', 'lukas-meyer', 'claire-dubois'].flatMap((o) => times(10, () => sla('lead', o, 'sla.started'))),
    ...times(4, () => sla('lead', 'anna-schmidt', 'sla.breached', 'sla-mts-tier-a')),
    ...times(2, () => sla('lead', 'anna-schmidt', 'sla.breached', 'sla-mts-tier-b')),
    sla('lead', 'lukas-meyer', 'sla.breached'),
    ...['emma-janssen', 'david-kim'].flatMap((o) => times(5, () => sla('account', o, 'sla.started', 'sla-stc-default'))),
    sla('account', 'emma-janssen', 'sla.breached', 'sla-stc-default'),
    ...times(10, () => assigned('mid-market', 'noah-fischer', 'route-mid-market')),
    ...times(10, () => assigned('mid-market', 'mia-kowalski', 'route-mid-market')),
    ...times(4, () => assigned('enterprise-emea', 'anna-schmidt', 'route-enterprise-emea')),
    ...times(2, () => assigned('enterprise-emea', 'lukas-meyer', 'route-enterprise-emea')),
    ...times(2, () => assigned('enterprise-emea', 'claire-dubois', 'route-enterprise-emea')),
    ...times(8, (i) => row('handoff.recorded', { accountId: `ACC-${i + 1}` })),
    incomplete('ACC-1', ['handoff.champion', 'handoff.goals']),
    incomplete('ACC-2', ['handoff.champion']),
    incomplete('ACC-3', ['account.arr']),
  ];
}

const byArea = (recs: Recommendation[], area: Recommendation['area']) => recs.filter((r) => r.area === area);

describe('audit', () => {
  it('finds every problem in the fixture ledger, most severe first', async () => {
    await ledger.record(fixture());
    const recs = await audit(ledger, JAN, engine, config);
    const order = { critical: 0, warning: 1, info: 2 };
    expect(recs.map((r) => order[r.severity])).toEqual([...recs.map((r) => order[r.severity])].sort());

    expect(byArea(recs, 'data-quality')).toEqual([
      {
        area: 'data-quality',
        severity: 'critical',
        finding: '10 of 40 leads blocked by data quality (25.0 %); top blocking rules: dq-missing-company (lead.company, 6), dq-missing-email (lead.email, 4); most from source webinar (7)',
        recommendation:
          "Make lead.company a required field on the webinar form or enrichment step so dq-missing-company in rules/data-quality.yaml stops blocking; if sales can work without it, change that rule's severity to warn.",
      },
    ]);

    expect(byArea(recs, 'sla')).toEqual([
      {
        area: 'sla',
        severity: 'critical',
        finding: 'marketing-to-sales: rep anna-schmidt breached 6 of 10 SLA clocks (60.0 %) against 5.0 % for everyone else; most breached rule sla-mts-tier-a',
        recommendation: "Lower anna-schmidt's weight (2) or capacity (40) in config/flywheel.yaml reps, check their out-of-office dates, or reassign their open leads.",
      },
      {
        area: 'sla',
        severity: 'warning',
        finding: 'marketing-to-sales: 7 of 30 SLA clocks breached (23.3 %)',
        recommendation:
          "Check the first-touch targets in rules/sla.yaml against the sales team's capacity in config/flywheel.yaml; add reps to the busiest queue or lengthen the target for lower tiers.",
      },
    ]);

    expect(byArea(recs, 'routing')).toEqual([
      {
        area: 'routing',
        severity: 'warning',
        finding: 'queue mid-market: 20 assignments, noah-fischer 10 (50.0 % vs 50.0 % by weight 3), mia-kowalski 10 (50.0 % vs 33.3 % by weight 2), liam-oconnor 0 (0.0 % vs 16.7 % by weight 1)',
        recommendation:
          "In config/flywheel.yaml, check liam-oconnor (under-assigned: out of office, capacity reached or inactive?) and mia-kowalski (over-assigned); if the split is intended, set the weights of queue mid-market's members to match it.",
      },
    ]);

    expect(byArea(recs, 'handoff')).toEqual([
      {
        area: 'handoff',
        severity: 'critical',
        finding: '3 of 8 hand-offs to customer success incomplete (37.5 %); most missing: handoff.champion (2), account.arr (1), handoff.goals (1)',
        recommendation:
          'Make handoff.champion mandatory in the CRM before an opportunity can be Closed Won (it is required by handoff-stc-base in rules/handoff.yaml), or drop it from that rule if CS can start without it.',
      },
    ]);

    const rules = byArea(recs, 'rules');
    const never = (kind: string, n: number, matched: string[]) =>
      engine
        .set(kind as 'routing')
        .rules.filter((r) => !matched.includes(r.id))
        .map((r) => ({ area: 'rules', severity: 'warning', finding: `${kind} rule ${r.id} never matched in ${n} ${kind} decisions`, line: r.line, id: r.id }));
    const expected = [...never('data-quality', 40, ['dq-missing-company', 'dq-missing-email', 'dq-enterprise-without-phone']), ...never('routing', 28, ['route-mid-market', 'route-enterprise-emea'])];
    expect(expected.map((e) => e.id)).toEqual([
      'dq-malformed-email',
      'dq-missing-country',
      'dq-missing-employees',
      'route-existing-customer',
      'route-open-opportunity',
      'route-enterprise-na',
      'route-smb',
      'route-overflow',
    ]);
    const warnings = rules.filter((r) => r.severity === 'warning');
    expect(warnings.map(({ area, severity, finding }) => ({ area, severity, finding }))).toEqual(expected.map(({ area, severity, finding }) => ({ area, severity, finding })));
    expect(warnings[0]!.recommendation).toBe(
      'Review the condition of dq-malformed-email in rules/data-quality.yaml:15 (an earlier rule may shadow it, or a fact it reads is never set); remove the rule if its case no longer occurs.',
    );
    const info = rules.filter((r) => r.severity === 'info');
    expect(info).toHaveLength(1);
    expect(info[0]!.finding).toBe('no decisions recorded in the period for cs-routing, disqualification, handoff, health, icp, qualification, recycling, renewal, sla');
    expect(recs).toHaveLength(1 + 2 + 1 + 1 + expected.length + 1);
  });

  it('grades by evidence and thresholds', async () => {
    // 5 data-quality decisions, 1 blocking (20 %): too few decisions for a never-matched warning (info instead).
    // 3 SLA clocks for one rep, all breached: a 100 % rate, but no one else to compare with: no hotspot, one critical rate.
    await ledger.record([
      dq({ rule: 'dq-missing-email', field: 'lead.email' }, 'event'),
      ...times(4, () => dq(null, 'event')),
      ...times(3, () => row('sla.started', { leadId: `L${seq}`, owner: 'noah-fischer' })),
      ...times(3, () => row('sla.breached', { leadId: `L${seq}`, owner: 'noah-fischer', data: { owner: 'noah-fischer' } })),
    ]);
    const recs = await audit(ledger, JAN, engine, config);
    expect(
      byArea(recs, 'rules')
        .filter((r) => r.finding.startsWith('data-quality rule'))
        .every((r) => r.severity === 'info'),
    ).toBe(true);
    expect(byArea(recs, 'data-quality').map((r) => [r.severity, r.finding.split(';')[0]])).toEqual([['critical', '1 of 5 leads blocked by data quality (20.0 %)']]);
    expect(byArea(recs, 'sla')).toEqual([expect.objectContaining({ severity: 'critical', finding: 'marketing-to-sales: 3 of 3 SLA clocks breached (100.0 %)' })]);
  });

  it('has nothing to say about an empty period but that nothing was decided', async () => {
    await ledger.record(fixture());
    const recs = await audit(ledger, parsePeriod('2026-06-01', '2026-07-01'), { get: () => engine }, config);
    expect(recs).toEqual([expect.objectContaining({ area: 'rules', severity: 'info', finding: expect.stringMatching(/^no decisions recorded in the period for /) })]);
    await expect(audit(ledger, { from: JAN.to, to: JAN.from }, engine, config)).rejects.toThrow('must be before');
  });
});
