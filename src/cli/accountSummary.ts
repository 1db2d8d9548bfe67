import type { AccountState } from '../../workflows/account/types.ts';
import { humanDuration } from './leadSummary.ts';

const DECISIONS_SHOWN = 5;
const money = (n: number, currency: string | null) => `${n.toLocaleString('en-US', { maximumFractionDigits: 2 })}${currency ? ` ${currency}` : ''}`;

/** What an operator asks about one customer, from its workflow's `state` query (read defensively: older runs may lack fields). */
export function accountSummary(s: AccountState, workflowId: string): string[] {
  const row = (label: string, value: string) => `  ${label.padEnd(15)}${value}`;
  const lines = [
    `Account ${s.accountId}${s.name ? ` (${s.name})` : ''}  (workflow ${workflowId})`,
    row('Stage', `${s.stage} / ${s.status}${s.churn ? ` (churned ${s.churn.at}: ${s.churn.reason})` : ''}`),
    row('ARR', `${money(s.arr, s.currency)}${s.tier ? `  tier ${s.tier}` : ''}`),
    row('CS owner', `${s.csOwner ?? 'unassigned'}${s.csQueue ? `  queue ${s.csQueue}` : ''}${s.reassignments ? `  reassigned ${s.reassignments}x` : ''}`),
    row('Sales owner', s.salesOwner ?? '-'),
  ];
  if (s.onboarding) lines.push(row('First 30 days', `${s.onboarding.owner ?? 'unassigned'} until ${s.onboarding.until}${s.onboarding.completed ? ' (done)' : ''}`));
  const k = s.kickoff;
  if (k) {
    const held = s.kickoffHeldAt && s.wonAt ? `, held ${humanDuration(Date.parse(s.kickoffHeldAt) - Date.parse(s.wonAt))} after the win` : '';
    lines.push(row('Kickoff SLA', `${k.status}: target ${k.target} on calendar ${k.calendar}, deadline ${k.deadline}${k.rule ? ` (rule ${k.rule})` : ''}${held}`));
  }
  lines.push(row('Contract', `${s.contract.start ?? '?'} to ${s.contract.end ?? 'no end date recorded'}`));
  const r = s.renewal;
  if (r) {
    const next = r.reminders.find((x) => !r.sent.includes(x.offset));
    lines.push(
      row(
        'Renewal',
        `due ${r.dueAt}${r.overdue ? ' (overdue)' : ''}; reminders sent ${r.sent.length}/${r.reminders.length}${next ? `, next ${next.offset} before the end, at ${next.at}` : ''}${r.rule ? ` (rule ${r.rule})` : ''}`,
      ),
    );
  }
  lines.push(
    row(
      'Health',
      s.health
        ? `${s.health.band} (${s.health.score}) at ${s.health.at}${s.health.signals.length ? `: ${s.health.signals.join(', ')}` : ''}${s.health.playbook ? `; playbook ${s.health.playbook}` : ''}`
        : 'no report yet',
    ),
  );
  const incomplete = (s.handoffs ?? []).filter((h) => h.missing.length > 0);
  lines.push(
    row(
      'Hand-offs',
      `${(s.handoffs ?? []).length} deal(s)${incomplete.length ? `; incomplete: ${incomplete.map((h) => `${h.opportunityId} missing ${h.missing.join(', ')}`).join('; ')}` : ', complete'}`,
    ),
  );
  const referrals = s.referrals ?? [];
  if (referrals.length) {
    lines.push(row('Referrals', `${referrals.length} submitted, ${referrals.filter((x) => x.status === 'won').length} won, ${money(s.referredArr, s.currency)} ARR credited`));
    for (const x of referrals.slice(-5)) lines.push(`    ${x.submittedAt}  lead ${x.leadId}${x.company ? ` (${x.company})` : ''}: ${x.status}${x.arr !== null ? ` ${money(x.arr, s.currency)}` : ''}`);
  }
  lines.push(row('Rules', `revision ${s.rulesRevision ?? 'none yet'}`));
  const decisions = s.decisions ?? [];
  if (decisions.length) {
    lines.push(`  Decisions (last ${Math.min(DECISIONS_SHOWN, decisions.length)} of ${decisions.length})`);
    for (const d of decisions.slice(-DECISIONS_SHOWN)) lines.push(`    ${d.at}  ${d.kind.padEnd(16)} ${d.matched.length ? `matched ${d.matched.join(', ')}` : 'no rule matched'}  @ ${d.revision}`);
  }
  const ignored = s.ignored ?? [];
  if (ignored.length) {
    lines.push(`  Ignored events (${ignored.length})`);
    for (const i of ignored.slice(-5)) lines.push(`    ${i.at}  ${i.type} ${i.eventId}: ${i.reason}`);
  }
  if ((s.early ?? []).length) lines.push(`  Waiting for the hand-off: ${s.early.length} earlier event(s) (${s.early.map((e) => e.type).join(', ')})`);
  return lines;
}
