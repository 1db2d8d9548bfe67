import type { LeadState } from '../../workflows/lead/types.ts';

const DECISIONS_SHOWN = 5;

/** "1h 20m", "3d 4h", "45s": precise enough for an operator reading SLA numbers. */
export function humanDuration(ms: number): string {
  const s = Math.round(Math.abs(ms) / 1000);
  const parts: [number, string][] = [
    [Math.floor(s / 86_400), 'd'],
    [Math.floor((s % 86_400) / 3600), 'h'],
    [Math.floor((s % 3600) / 60), 'm'],
    [s % 60, 's'],
  ];
  const shown = parts.filter(([n]) => n > 0).slice(0, 2);
  return `${ms < 0 ? '-' : ''}${shown.length ? shown.map(([n, u]) => `${n}${u}`).join(' ') : '0s'}`;
}

/**
 * What an operator asks about one lead, from its workflow's `state` query. The state comes from whichever workflow
 * version runs the lead, so lists may be missing on older runs and are read defensively.
 */
export function leadSummary(s: LeadState, workflowId: string): string[] {
  const row = (label: string, value: string) => `  ${label.padEnd(13)}${value}`;
  const owner = s.owner ?? (s.pool ? `pool ${s.pool} (unclaimed)` : s.hold ? `held in ${s.hold.queue}` : 'unassigned');
  const lines = [
    `Lead ${s.leadId}  (workflow ${workflowId})`,
    row('Stage', `${s.stage} / ${s.status}${s.closedReason ? ` (${s.closedReason})` : ''}`),
    row('Owner', `${owner}${s.queue ? `  queue ${s.queue}` : ''}${s.reassignments ? `  reassigned ${s.reassignments}x` : ''}`),
    row('Tier', s.tier ?? 'not scored'),
  ];
  const hold = s.hold;
  if (hold) {
    lines.push(
      row(
        'Held',
        `since ${hold.since}; routed again ${hold.nextRouteAt ? `at ${hold.nextRouteAt}` : 'when a rep frees capacity'}${hold.maxHoldAt ? `; manager ${hold.toldAt ? `told ${hold.toldAt}` : `told at ${hold.maxHoldAt}`}` : ''}`,
      ),
    );
    for (const c of hold.candidates) lines.push(row('', `${c.rep.padEnd(16)} ${c.queue}: ${c.reason}${c.availableAt ? ` until ${c.availableAt}` : ''}`));
  }
  const sla = s.sla;
  if (sla) {
    lines.push(row('SLA', `${sla.status}: target ${sla.target} on calendar ${sla.calendar}${sla.rule ? ` (rule ${sla.rule})` : ''}`));
    lines.push(row('', `started ${sla.startedAt}, warn ${sla.warnAt}, deadline ${sla.deadline}`));
    if (sla.paused) lines.push(row('', `paused since ${sla.paused.at} (${sla.paused.reason})${sla.paused.until ? `, resumes ${sla.paused.until}` : ''}`));
    if (sla.pausedMs) lines.push(row('', `paused ${humanDuration(sla.pausedMs)} of business time so far`));
  } else lines.push(row('SLA', hold ? 'starts at the assignment' : 'none running'));
  const ttft = sla?.timeToFirstTouchMs;
  lines.push(row('First touch', ttft !== undefined ? `${humanDuration(ttft)} after hand-off${sla?.metAt ? ` (${sla.metAt})` : ''}` : s.handoffAt ? 'not yet' : '-'));
  if (s.timeToFirstMeetingMs !== null && s.timeToFirstMeetingMs !== undefined) lines.push(row('First meeting', `${humanDuration(s.timeToFirstMeetingMs)} after hand-off`));
  const opp = s.opportunity;
  lines.push(row('Opportunity', opp ? `${opp.id}  ${opp.amount}${opp.currency ? ` ${opp.currency}` : ''}  created ${opp.createdAt}` : 'none'));
  if (s.recycleAt) lines.push(row('Recycles at', s.recycleAt));
  lines.push(row('Rules', `revision ${s.rulesRevision ?? 'none yet'}`));

  const decisions = s.decisions ?? [];
  if (decisions.length > 0) {
    lines.push(`  Decisions (last ${Math.min(DECISIONS_SHOWN, decisions.length)} of ${decisions.length})`);
    for (const d of decisions.slice(-DECISIONS_SHOWN)) {
      lines.push(`    ${d.at}  ${d.kind.padEnd(16)} ${d.matched.length ? `matched ${d.matched.join(', ')}` : 'no rule matched'}  @ ${d.revision}`);
    }
  }
  const ignored = s.ignored ?? [];
  if (ignored.length > 0) {
    lines.push(`  Ignored events (${ignored.length})`);
    for (const i of ignored) lines.push(`    ${i.at}  ${i.type} ${i.eventId}: ${i.reason}`);
  }
  const failures = s.failures ?? [];
  if (failures.length > 0) {
    lines.push(`  Failed steps (${failures.length})`);
    for (const f of failures) lines.push(`    ${f.at}  ${f.eventType ?? 'timer'} ${f.eventId ?? ''}: ${f.activity} ${f.type}: ${f.message}`);
  }
  const early = s.early ?? [];
  if (early.length > 0) lines.push(`  Waiting for lead.created: ${early.length} earlier event(s) (${early.map((e) => e.type).join(', ')})`);
  return lines;
}
