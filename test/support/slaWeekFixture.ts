import { addDays } from '../../src/calendar/civil.ts';
import type { LedgerEvent, LedgerEventType } from '../../src/ledger/types.ts';
import type { ReportWeek } from '../../src/slaReport/week.ts';

const HOUR = 3_600_000;

/**
 * A week of hand-off SLA rows around `week` (the shipped config's reps), with `tag` in every id so several weeks can
 * share a ledger. The expected figures are in SLA_WEEK_EXPECTED; `lukas-meyer` must be out of office in the week
 * (outOfOfficeFor) for his breach to read out-of-office.
 *
 *   marketing-to-sales (lead rows, team column set)
 *     L1  anna-schmidt  sales-emea        met
 *     L2  anna-schmidt  sales-emea        breached: missed (nothing else explains it)
 *     L3  claire-dubois sales-emea        held 4 h before its clock, breached: held
 *     L4  claire-dubois sales-emea        paused 2 h (resumed in the week), met
 *     L5  noah-fischer  sales-commercial  paused 1 h before the week, breached: paused
 *     L6  (no owner)    sales-commercial  breached: no-owner
 *     L7  lukas-meyer   sales-emea        on leave, breached: out-of-office
 *     L8  noah-fischer  sales-commercial  clock 1 (after a reassignment), breached: reassigned
 *     L12 claire-dubois sales-emea        held 1.5 h, met
 *   sales-to-cs (account rows, no team column: the owner's team from the config)
 *     A1  emma-janssen  customer-success  paused 3 h (resumed in the week), met
 *     A2  david-kim     customer-success  breached: missed
 *   outside the week: L9 met 1 h before it, L10 breached at its end (the next week's), L11 placed after 2 h held
 *   just after it.
 */
export function slaWeekRows(week: Pick<ReportWeek, 'from' | 'to'>, tag: string): LedgerEvent[] {
  const from = Date.parse(week.from);
  const at = (h: number) => new Date(from + h * HOUR).toISOString();
  const end = Date.parse(week.to);
  const lead = (id: string) => `${id}-${tag}`;
  const row = (type: LedgerEventType, key: string, occurredAt: string, over: Partial<LedgerEvent> = {}): LedgerEvent => ({ key, type, occurredAt, ...over });
  const clock = (entity: 'lead' | 'account', id: string, n: number, event: string) => `${entity}:${id}:sla:${n}:${event}`;
  const leadSla = (type: 'sla.started' | 'sla.met' | 'sla.breached', id: string, h: number | string, owner: string | null, team: string, n = 0, data: Record<string, unknown> = {}) =>
    row(type, clock('lead', lead(id), n, type.slice(4)), typeof h === 'number' ? at(h) : h, {
      leadId: lead(id),
      ...(owner ? { owner } : {}),
      team,
      data: { handoff: 'marketing-to-sales', rule: 'first-touch', ...(type === 'sla.breached' ? { owner, deadline: typeof h === 'number' ? at(h) : h } : {}), ...data },
    });
  const acc = (type: 'sla.started' | 'sla.met' | 'sla.breached', id: string, h: number, owner: string) =>
    row(type, clock('account', `${id}-${tag}`, 0, type.slice(4)), at(h), {
      accountId: `${id}-${tag}`,
      owner,
      data: { handoff: 'sales-to-cs', rule: 'kickoff', ...(type === 'sla.breached' ? { owner, deadline: at(h) } : {}) },
    });
  const placed = (id: string, occurredAt: string, owner: string, heldHours: number) =>
    row('lead.assigned', `lead:${lead(id)}:assigned:0`, occurredAt, { leadId: lead(id), owner, team: 'sales-emea', data: { queue: 'enterprise-emea', heldMs: heldHours * HOUR } });
  const resumed = (key: string, h: number, pausedHours: number, who: Partial<LedgerEvent>, handoff: string) =>
    row('sla.resumed', key, at(h), { ...who, data: { handoff, reason: 'customer-request', pausedMs: pausedHours * HOUR } });

  return [
    leadSla('sla.started', 'L1', 10, 'anna-schmidt', 'sales-emea'),
    leadSla('sla.met', 'L1', 12, 'anna-schmidt', 'sales-emea'),
    leadSla('sla.started', 'L2', 20, 'anna-schmidt', 'sales-emea'),
    leadSla('sla.breached', 'L2', 30, 'anna-schmidt', 'sales-emea'),
    row('lead.held', `lead:${lead('L3')}:held:0`, at(1), { leadId: lead('L3'), team: 'sales-emea', data: { queue: 'enterprise-emea' } }),
    placed('L3', at(5), 'claire-dubois', 4),
    leadSla('sla.started', 'L3', 5, 'claire-dubois', 'sales-emea'),
    leadSla('sla.breached', 'L3', 40, 'claire-dubois', 'sales-emea'),
    leadSla('sla.started', 'L4', 50, 'claire-dubois', 'sales-emea'),
    row('sla.paused', clock('lead', lead('L4'), 0, 'paused:0'), at(51), { leadId: lead('L4'), owner: 'claire-dubois', data: { handoff: 'marketing-to-sales', reason: 'customer-request' } }),
    resumed(clock('lead', lead('L4'), 0, 'resumed:0'), 53, 2, { leadId: lead('L4'), owner: 'claire-dubois' }, 'marketing-to-sales'),
    leadSla('sla.met', 'L4', 60, 'claire-dubois', 'sales-emea', 0, { pausedMs: 2 * HOUR }),
    leadSla('sla.started', 'L5', -30, 'noah-fischer', 'sales-commercial'),
    row('sla.paused', clock('lead', lead('L5'), 0, 'paused:0'), at(-20), { leadId: lead('L5'), owner: 'noah-fischer', data: { handoff: 'marketing-to-sales', reason: 'customer-request' } }),
    resumed(clock('lead', lead('L5'), 0, 'resumed:0'), -19, 1, { leadId: lead('L5'), owner: 'noah-fischer' }, 'marketing-to-sales'),
    leadSla('sla.breached', 'L5', 70, 'noah-fischer', 'sales-commercial', 0, { pausedMs: HOUR }),
    leadSla('sla.breached', 'L6', 80, null, 'sales-commercial'),
    leadSla('sla.started', 'L7', 24, 'lukas-meyer', 'sales-emea'),
    leadSla('sla.breached', 'L7', 90, 'lukas-meyer', 'sales-emea'),
    leadSla('sla.started', 'L8', 95, 'noah-fischer', 'sales-commercial', 1),
    leadSla('sla.breached', 'L8', 100, 'noah-fischer', 'sales-commercial', 1),
    placed('L12', at(7), 'claire-dubois', 1.5),
    leadSla('sla.started', 'L12', 7, 'claire-dubois', 'sales-emea'),
    leadSla('sla.met', 'L12', 8, 'claire-dubois', 'sales-emea'),
    acc('sla.started', 'A1', 2, 'emma-janssen'),
    resumed(clock('account', `A1-${tag}`, 0, 'resumed:0'), 20, 3, { accountId: `A1-${tag}`, owner: 'emma-janssen' }, 'sales-to-cs'),
    acc('sla.met', 'A1', 30, 'emma-janssen'),
    acc('sla.started', 'A2', 3, 'david-kim'),
    acc('sla.breached', 'A2', 110, 'david-kim'),
    // Outside the week.
    leadSla('sla.met', 'L9', -1, 'anna-schmidt', 'sales-emea'),
    leadSla('sla.breached', 'L10', new Date(end).toISOString(), 'anna-schmidt', 'sales-emea'),
    placed('L11', new Date(end + HOUR).toISOString(), 'anna-schmidt', 2),
  ];
}

/** lukas-meyer's leave, Monday to Wednesday of the week (date-only bounds, his zone): his L7 clock runs in it. */
export function outOfOfficeFor(week: Pick<ReportWeek, 'monday'>) {
  return { from: week.monday, to: addDays(week.monday, 2), reason: 'test leave' };
}

/** What the report of that week must say, worked out by hand from the rows above. */
export const SLA_WEEK_EXPECTED = {
  handoffs: [
    { handoff: 'marketing-to-sales', met: 3, breached: 6, compliance: 0.3333, paused: { clocks: 1, hours: 2 } },
    { handoff: 'sales-to-cs', met: 1, breached: 1, compliance: 0.5, paused: { clocks: 1, hours: 3 } },
  ],
  teams: [
    { handoff: 'marketing-to-sales', team: 'sales-commercial', met: 0, breached: 3, compliance: 0 },
    { handoff: 'marketing-to-sales', team: 'sales-emea', met: 3, breached: 3, compliance: 0.5 },
    { handoff: 'sales-to-cs', team: 'customer-success', met: 1, breached: 1, compliance: 0.5 },
  ],
  owners: [
    { handoff: 'marketing-to-sales', team: 'sales-commercial', owner: 'noah-fischer', met: 0, breached: 2, compliance: 0 },
    { handoff: 'marketing-to-sales', team: 'sales-commercial', owner: null, met: 0, breached: 1, compliance: 0 },
    { handoff: 'marketing-to-sales', team: 'sales-emea', owner: 'anna-schmidt', met: 1, breached: 1, compliance: 0.5 },
    { handoff: 'marketing-to-sales', team: 'sales-emea', owner: 'claire-dubois', met: 2, breached: 1, compliance: 0.6667 },
    { handoff: 'marketing-to-sales', team: 'sales-emea', owner: 'lukas-meyer', met: 0, breached: 1, compliance: 0 },
    { handoff: 'sales-to-cs', team: 'customer-success', owner: 'david-kim', met: 0, breached: 1, compliance: 0 },
    { handoff: 'sales-to-cs', team: 'customer-success', owner: 'emma-janssen', met: 1, breached: 0, compliance: 1 },
  ],
  /** In breach order (time): L2 30 h, L3 40 h, L5 70 h, L6 80 h, L7 90 h, L8 100 h, A2 110 h. */
  breachCauses: ['missed', 'held', 'paused', 'no-owner', 'out-of-office', 'reassigned', 'missed'],
  causes: { 'no-owner': 1, 'out-of-office': 1, held: 1, paused: 1, reassigned: 1, missed: 2 },
  held: { leads: 2, hours: 5.5 },
};
